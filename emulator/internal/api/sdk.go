package api

import (
	"maps"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// The device API calls of the Android, iOS and Web SDKs besides registration and
// tags: in-apps and rich media, user merging, test devices, the advertising id,
// the web SDK's multi-channel registration, and live-activity tokens. Their
// request fields are read with encoding/json from the body.

const (
	actionShow         = "show"
	defaultInAppLayout = "fullscreen"
)

// sdkRequest is the union of the fields these calls read.
type sdkRequest struct {
	Code             string     `json:"code"`
	Action           string     `json:"action"`
	MessageHash      string     `json:"messageHash"`
	RichMediaCode    string     `json:"richMediaCode"`
	InAppCode        string     `json:"inappCode"`
	ActionType       flexInt    `json:"action_type"`
	OldUserID        flexString `json:"oldUserId"`
	NewUserID        flexString `json:"newUserId"`
	PushToken        string     `json:"push_token"`
	DeviceType       flexInt    `json:"device_type"`
	Name             string     `json:"name"`
	Description      string     `json:"description"`
	MADID            string     `json:"madid"`
	ActivityToken    string     `json:"activity_token"`
	ActivityID       string     `json:"activity_id"`
	PushToStartToken string     `json:"activity_push_to_start_token"`
	Event            flexInt    `json:"event"`
	// multiRegisterDevice
	UserID      flexString     `json:"user_id"`
	Email       string         `json:"email"`
	SMSNumber   string         `json:"sms_phone_number"`
	WhatsApp    string         `json:"whatsapp_phone_number"`
	Tags        map[string]any `json:"tags"`
	PushDevices []struct {
		HWID      flexString `json:"hwid"`
		PushToken string     `json:"push_token"`
		Platform  flexInt    `json:"platform"`
		Language  string     `json:"language"`
		Timezone  flexInt    `json:"timezone"`
	} `json:"push_devices"`
}

func sdkFields(c *call) sdkRequest {
	var r sdkRequest
	decodeRequestInto(c.in.body, &r) //nolint:errcheck // the shared decoder already judged the body
	return r
}

// inAppView is an in-app as getInApps lists it (the Android SDK's InAppDTO).
type inAppView struct {
	Code            string `json:"code"`
	URL             string `json:"url"`
	Layout          string `json:"layout"`
	Updated         int64  `json:"updated"`
	CloseButtonType int    `json:"closeButtonType"`
	Hash            string `json:"hash"`
	Required        bool   `json:"required"`
	Priority        int    `json:"priority"`
}

// getInApps lists the application's in-apps of the scenario (applications[].inapps).
func (s *Server) getInApps(c *call) reply {
	list := []inAppView{}
	for _, in := range c.app().InApps {
		layout := in.Layout
		if layout == "" {
			layout = defaultInAppLayout
		}
		list = append(list, inAppView{Code: in.Code, URL: in.URL, Layout: layout, Hash: pushHash(s.seed, 0, in.Code),
			Required: in.Required, Priority: in.Priority})
	}
	return ok(map[string][]inAppView{"inApps": list})
}

// triggerInAppAction reports an in-app shown (action "show") or acted on.
func (s *Server) triggerInAppAction(c *call) reply {
	r := sdkFields(c)
	if r.Code == "" {
		return refused(catalog.MsgNoInAppCode)
	}
	if c.req.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	name := catalog.EventInAppClicked
	if strings.EqualFold(r.Action, actionShow) {
		name = catalog.EventInAppShown
	}
	s.inAppEvent(c, name, r.Code, r.MessageHash)
	return ok(nil)
}

// richMediaAction reports an action taken in a rich media page.
func (s *Server) richMediaAction(c *call) reply {
	r := sdkFields(c)
	code := r.RichMediaCode
	if code == "" {
		code = r.InAppCode
	}
	if code == "" {
		return refused(catalog.MsgNoInAppCode)
	}
	if c.req.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	s.inAppEvent(c, catalog.EventInAppClicked, code, r.MessageHash)
	return ok(nil)
}

// inAppEvent publishes an in-app event of the calling device: about the push the
// in-app came with when messageHash names one, else about the in-app alone (its
// code as the message code).
func (s *Server) inAppEvent(c *call, name, code, messageHash string) {
	if p, found := s.st.PushByHash(c.app().Code, messageHash); found && messageHash != "" {
		s.publish(s.pushEvent(name, p))
		return
	}
	d, found := s.st.Device(c.app().Code, string(c.req.HWID))
	if !found {
		d = state.Device{HWID: string(c.req.HWID), Type: int(c.req.DeviceType.V)}
	}
	s.publish(s.deviceEvent(name, c.app().Code, d, code, ""))
}

// mergeUser moves the devices of oldUserId to newUserId.
func (s *Server) mergeUser(c *call) reply {
	r := sdkFields(c)
	if r.OldUserID == "" || r.NewUserID == "" {
		return refused(catalog.MsgNoUsersToMerge)
	}
	if _, err := s.st.MergeUser(c.app().Code, string(r.OldUserID), string(r.NewUserID)); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

// createTestDevice registers a test device of the application.
func (s *Server) createTestDevice(c *call) reply {
	r := sdkFields(c)
	if r.PushToken == "" || r.Name == "" || catalog.PlatformName(int(r.DeviceType.V)) == "" {
		return refused(catalog.MsgNoTestDevice)
	}
	err := s.st.AddTestDevice(c.app().Code, state.TestDevice{Name: r.Name, Type: int(r.DeviceType.V),
		PushToken: r.PushToken, Description: r.Description})
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

// setMADID keeps the device's advertising id.
func (s *Server) setMADID(c *call) reply {
	r := sdkFields(c)
	if c.req.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	if r.MADID == "" {
		return refused(catalog.MsgNoMADID)
	}
	if err := s.st.Touch(c.app().Code, string(c.req.HWID), func(d *state.Device) { d.MADID = r.MADID }); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

// multiRegisterDevice registers a user's push devices, email and phone numbers at
// once (the web SDK), each with the user id and tags.
func (s *Server) multiRegisterDevice(c *call) reply {
	r := sdkFields(c)
	app := c.app().Code
	var regs []state.Registration
	for _, d := range r.PushDevices {
		if d.HWID == "" || catalog.PlatformName(int(d.Platform.V)) == "" {
			return refused(catalog.MsgBadDeviceType)
		}
		reg := state.Registration{Application: app, HWID: string(d.HWID), PushToken: d.PushToken,
			Type: int(d.Platform.V), Language: d.Language}
		if d.Timezone.Set {
			reg.Timezone = &d.Timezone.V
		}
		regs = append(regs, reg)
	}
	for _, ch := range []struct {
		id  string
		typ int
	}{{r.Email, catalog.DeviceEmail}, {r.SMSNumber, catalog.DeviceSMS}, {r.WhatsApp, catalog.DeviceWhatsApp}} {
		if ch.id != "" {
			regs = append(regs, state.Registration{Application: app, HWID: ch.id, PushToken: ch.id, Type: ch.typ})
		}
	}
	if len(regs) == 0 {
		return refused(catalog.MsgNoPushDevices)
	}
	for _, reg := range regs {
		reg.UserID = string(r.UserID)
		reg.Tags = maps.Clone(r.Tags)
		if _, _, err := s.st.RegisterDevice(reg, c.in.arrive); err != nil {
			return deviceRefusal(err)
		}
	}
	return ok(nil)
}

// getPopupFormContent answers a popup form's content; pwemu's applications have no
// popup forms (getPopupForms lists none), so every code is unknown.
func (s *Server) getPopupFormContent(c *call) reply {
	if sdkFields(c).Code == "" {
		return refused(catalog.MsgNoPopupFormCode)
	}
	return refused(catalog.MsgPopupNotFound)
}

// recordPopupFormEvent records a visit (1) or impression (2) of a popup form.
func (s *Server) recordPopupFormEvent(c *call) reply {
	r := sdkFields(c)
	if r.Code == "" {
		return refused(catalog.MsgNoPopupFormCode)
	}
	if r.Event.V != 1 && r.Event.V != 2 {
		return refused(catalog.MsgBadPopupEvent)
	}
	return refused(catalog.MsgPopupNotFound)
}

// setActivityToken keeps (or, with an empty token, drops) the push token of one of
// the device's live activities.
func (s *Server) setActivityToken(c *call) reply {
	r := sdkFields(c)
	if c.req.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	if r.ActivityID == "" {
		return refused(catalog.MsgNoActivityToken)
	}
	err := s.st.Touch(c.app().Code, string(c.req.HWID), func(d *state.Device) {
		if r.ActivityToken == "" {
			delete(d.ActivityTokens, r.ActivityID)
			return
		}
		if d.ActivityTokens == nil {
			d.ActivityTokens = map[string]string{}
		}
		d.ActivityTokens[r.ActivityID] = r.ActivityToken
	})
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

// setActivityPushToStartToken keeps the device's live-activity push-to-start token.
func (s *Server) setActivityPushToStartToken(c *call) reply {
	r := sdkFields(c)
	if c.req.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	if r.PushToStartToken == "" {
		return refused(catalog.MsgNoPushToStart)
	}
	err := s.st.Touch(c.app().Code, string(c.req.HWID), func(d *state.Device) { d.PushToStartToken = r.PushToStartToken })
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}
