package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// v13Handlers answer the catalog's v1.3 methods, once the call is decoded and
// authorised.
var v13Handlers = map[*catalog.Endpoint]func(*Server, *call) reply{
	catalog.RegisterDevice:              (*Server).registerDevice,
	catalog.UnregisterDevice:            (*Server).unregisterDevice,
	catalog.DeleteDevice:                (*Server).deleteDevice,
	catalog.CheckDevice:                 (*Server).checkDevice,
	catalog.SetTags:                     (*Server).setTags,
	catalog.GetTags:                     (*Server).getTags,
	catalog.SetBadge:                    (*Server).setBadge,
	catalog.ApplicationOpen:             (*Server).applicationOpen,
	catalog.PushStat:                    (*Server).pushStat,
	catalog.MessageDeliveryEvent:        (*Server).messageDeliveryEvent,
	catalog.SetPurchase:                 (*Server).setPurchase,
	catalog.GetNearestZone:              (*Server).getNearestZone,
	catalog.GetConfig:                   (*Server).getConfig,
	catalog.PageVisit:                   (*Server).nothing,
	catalog.GetPopupForms:               (*Server).getPopupForms,
	catalog.GetInApps:                   (*Server).getInApps,
	catalog.TriggerInAppAction:          (*Server).triggerInAppAction,
	catalog.RichMediaAction:             (*Server).richMediaAction,
	catalog.MergeUser:                   (*Server).mergeUser,
	catalog.CreateTestDevice:            (*Server).createTestDevice,
	catalog.SetMADID:                    (*Server).setMADID,
	catalog.MultiRegisterDevice:         (*Server).multiRegisterDevice,
	catalog.GetPopupFormContent:         (*Server).getPopupFormContent,
	catalog.RecordPopupFormEvent:        (*Server).recordPopupFormEvent,
	catalog.SetActivityToken:            (*Server).setActivityToken,
	catalog.SetActivityPushToStartToken: (*Server).setActivityPushToStartToken,
	catalog.RegisterUser:                (*Server).registerUser,
	catalog.UnregisterUser:              (*Server).unregisterUser,
	catalog.GetUsersDetails:             (*Server).getUsersDetails,
	catalog.PostEvent:                   (*Server).postEvent,
	catalog.RegisterEmail:               (*Server).registerEmail,
	catalog.RegisterEmailUser:           (*Server).registerEmailUser,
	catalog.SetEmailTags:                (*Server).setEmailTags,
	catalog.DeleteEmail:                 (*Server).deleteEmail,
	catalog.CreateEmailMessage:          (*Server).createEmailMessage,
	catalog.CreateSMSMessage:            (*Server).createSMSMessage,
	catalog.GetBouncedEmails:            (*Server).getBouncedEmails,
	catalog.StartLiveActivity:           (*Server).startLiveActivity,
	catalog.UpdateLiveActivity:          (*Server).updateLiveActivity,
	catalog.GetInboxMessages:            (*Server).getInboxMessages,
	catalog.InboxStatus:                 (*Server).inboxStatus,

	catalog.CreateMessage:         (*Server).createMessage,
	catalog.CreateTargetedMessage: (*Server).createTargetedMessage,
	catalog.DeleteMessage:         (*Server).deleteMessage,
	catalog.CancelMessage:         (*Server).cancelMessage,
	catalog.GetMessageDetails:     (*Server).getMessageDetails,
	catalog.GetPushHistory:        (*Server).getPushHistory,
	catalog.CompileFilter:         (*Server).compileFilter,

	catalog.AddTag:        (*Server).addTag,
	catalog.DeleteTag:     (*Server).deleteTag,
	catalog.ListTags:      (*Server).listTags,
	catalog.CreateFilter:  (*Server).createFilter,
	catalog.ListFilters:   (*Server).listFilters,
	catalog.DeleteFilter:  (*Server).deleteFilter,
	catalog.ExportSegment: (*Server).exportSegmentV13,
	catalog.CreateEvent:   (*Server).createEvent,

	catalog.CreateApplication:            (*Server).createApplication,
	catalog.GetApplication:               (*Server).getApplication,
	catalog.GetApplications:              (*Server).getApplications,
	catalog.DeleteApplication:            (*Server).deleteApplication,
	catalog.UpdateApplication:            (*Server).updateApplication,
	catalog.GetApplicationFile:           (*Server).getApplicationFile,
	catalog.SetApplicationPlatformStatus: (*Server).setApplicationPlatformStatus,
	catalog.ConfigureApplication:         (*Server).configureApplication,

	catalog.CreatePreset:   (*Server).createPreset,
	catalog.GetPreset:      (*Server).getPreset,
	catalog.ListPresets:    (*Server).listPresets,
	catalog.DeletePreset:   (*Server).deletePreset,
	catalog.CreateCampaign: (*Server).createCampaign,
	catalog.GetCampaigns:   (*Server).getCampaigns,
	catalog.GetCampaign:    (*Server).getCampaign,
	catalog.DeleteCampaign: (*Server).deleteCampaign,

	catalog.AddGeoZone:           (*Server).addGeoZone,
	catalog.UpdateGeoZone:        (*Server).updateGeoZone,
	catalog.DeleteGeoZone:        (*Server).deleteGeoZone,
	catalog.ListGeoZones:         (*Server).listGeoZones,
	catalog.AddGeoZoneCluster:    (*Server).addGeoZoneCluster,
	catalog.DeleteGeoZoneCluster: (*Server).deleteGeoZoneCluster,
	catalog.ListGeoZoneClusters:  (*Server).listGeoZoneClusters,
	catalog.ListTestDevices:      (*Server).listTestDevices,

	catalog.GetMsgStats:                    (*Server).getMsgStats,
	catalog.GetAppStats:                    (*Server).getAppStats,
	catalog.GetMsgPlatformsStats:           (*Server).getMsgPlatformsStats,
	catalog.GetCampaignStats:               (*Server).getCampaignStats,
	catalog.GetEventStatistics:             (*Server).getEventStatistics,
	catalog.GetResults:                     (*Server).getResults,
	catalog.GetApplicationSubscribersStats: (*Server).getApplicationSubscribersStats,
	catalog.GetTagStats:                    (*Server).getTagStats,
	catalog.BulkSetTagsV13:                 (*Server).bulkSetTagsV13,
}

// v2Handlers answer the actions of the messaging API v2, once the call is
// authorised; body is the decoded request body.
var v2Handlers = map[*catalog.Endpoint]func(*Server, *call, map[string]json.RawMessage) reply{
	catalog.Notify: (*Server).notify,
	catalog.Cancel: (*Server).cancelV2,
}

// appNeed is what application a server method is about.
type appNeed uint8

const (
	appNone     appNeed = iota // account-wide, or the request names a message
	appRequired                // request.application
	appOrGroup                 // request.application or request.applications_group
)

// method is a v1.3 method as the API serves it.
type method struct {
	ep     *catalog.Endpoint
	need   appNeed
	handle func(*Server, *call) reply
}

// Routing tables built from the catalog: v1.3 methods by name, v2 actions by path.
var (
	v13Methods = map[string]method{}
	v2Actions  = map[string]*catalog.Endpoint{}
	v2Order    []string // the v2 action names, in catalog order
)

func init() {
	if err := buildTables(); err != nil {
		panic(err) // a catalog entry without a handler: caught by any test
	}
}

// buildTables checks that every catalog endpoint has a handler, and no handler
// lacks an endpoint, and fills the routing tables.
func buildTables() error {
	var errs []error
	apiCount := 0
	for _, ep := range catalog.Endpoints() {
		switch {
		case ep.V13():
			h, found := v13Handlers[ep]
			if !found {
				errs = append(errs, fmt.Errorf("api: catalog endpoint %s has no v1.3 handler", ep.Method))
				continue
			}
			m := method{ep: ep, handle: h}
			switch {
			case ep.Needs(catalog.FieldApplication):
				m.need = appRequired
			case ep.Needs(catalog.FieldApplicationOrGroup):
				m.need = appOrGroup
			}
			v13Methods[ep.Method] = m
		case ep.MessagingV2():
			if _, found := v2Handlers[ep]; !found {
				errs = append(errs, fmt.Errorf("api: catalog endpoint %s has no messaging v2 handler", ep.Path))
				continue
			}
			v2Actions[ep.Path] = ep
			v2Order = append(v2Order, ep.Method)
		default:
			if _, found := apiHandlers[ep]; !found && !deviceGateway[ep] {
				errs = append(errs, fmt.Errorf("api: catalog endpoint %s %s has no handler", ep.HTTP, ep.Path))
			}
			apiCount++
		}
	}
	if len(v13Methods) != len(v13Handlers) || len(v2Actions) != len(v2Handlers) || apiCount != len(apiHandlers)+len(deviceGateway) {
		errs = append(errs, errors.New("api: a handler is registered for an endpoint the catalog does not list"))
	}
	return errors.Join(errs...)
}

// callV13 answers one v1.3 call: find the method, decode, authorise, handle.
func (s *Server) callV13(_ context.Context, in *incoming) reply {
	m, found := v13Methods[in.method]
	if !found {
		return httpError(http.StatusNotFound)
	}
	if m.ep == catalog.CreateSMSMessage {
		orig := in.body
		in.body = smsBody(orig) // the documented 210 for a devices that is not a list, not a 400
		defer func() { in.body = orig }()
	}
	err := decodeRequest(in.body, &in.req)
	in.jsonKnown, in.isJSON = true, !errors.Is(err, errSyntax)
	if err != nil {
		s.log.Debug("bad request", "method", in.method, "err", err)
		return httpError(http.StatusBadRequest)
	}
	c := &in.call
	*c = call{in: in, req: &in.req}
	var (
		r  reply
		ok bool
	)
	if m.ep.Auth == catalog.AuthDevice {
		r, ok = s.authorizeDevice(c, in.method)
	} else {
		r, ok = s.authorizeServer(c, in.method, m.need)
	}
	if !ok {
		return r
	}
	return m.handle(s, c)
}
