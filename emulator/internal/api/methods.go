package api

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
)

// scope is which kind of token a method takes.
type scope uint8

const (
	deviceScope scope = iota // Authorization: Token <device token>, optional
	serverScope              // request.auth: a server token
)

// appNeed is what application a server method is about.
type appNeed uint8

const (
	appNone     appNeed = iota // account-wide, or the request names a message
	appRequired                // request.application
	appOrGroup                 // request.application or request.applications_group
)

type method struct {
	scope  scope
	need   appNeed
	handle func(*Server, *call) reply
}

// methods are the v1.3 methods pwemu emulates.
var methods = map[string]method{
	// Devices (device API, called by SDKs and client libraries).
	"registerDevice":       {deviceScope, appRequired, (*Server).registerDevice},
	"unregisterDevice":     {deviceScope, appRequired, (*Server).unregisterDevice},
	"deleteDevice":         {deviceScope, appRequired, (*Server).deleteDevice},
	"checkDevice":          {deviceScope, appRequired, (*Server).checkDevice},
	"setTags":              {deviceScope, appRequired, (*Server).setTags},
	"getTags":              {deviceScope, appRequired, (*Server).getTags},
	"setBadge":             {deviceScope, appRequired, (*Server).setBadge},
	"applicationOpen":      {deviceScope, appRequired, (*Server).applicationOpen},
	"pushStat":             {deviceScope, appRequired, (*Server).pushStat},
	"messageDeliveryEvent": {deviceScope, appRequired, (*Server).messageDeliveryEvent},
	"registerUser":         {deviceScope, appRequired, (*Server).registerUser},
	"postEvent":            {deviceScope, appRequired, (*Server).postEvent},
	"getNearestZone":       {deviceScope, appRequired, (*Server).getNearestZone},
	"registerEmail":        {deviceScope, appRequired, (*Server).registerEmail},
	"registerEmailUser":    {deviceScope, appRequired, (*Server).registerEmailUser},
	"setEmailTags":         {deviceScope, appRequired, (*Server).setEmailTags},
	// What the web SDK calls besides.
	"getConfig":        {deviceScope, appRequired, (*Server).getConfig},
	"getInboxMessages": {deviceScope, appRequired, (*Server).getInboxMessages},
	"inboxStatus":      {deviceScope, appRequired, (*Server).nothing},
	"pageVisit":        {deviceScope, appRequired, (*Server).nothing},
	"setPurchase":      {deviceScope, appRequired, (*Server).nothing},
	"getPopupForms":    {deviceScope, appRequired, (*Server).getPopupForms},
	// In-apps, users, test devices, tracking and live activities (Android, iOS, Web).
	"getInApps":                   {deviceScope, appRequired, (*Server).getInApps},
	"triggerInAppAction":          {deviceScope, appRequired, (*Server).triggerInAppAction},
	"richMediaAction":             {deviceScope, appRequired, (*Server).richMediaAction},
	"mergeUser":                   {deviceScope, appRequired, (*Server).mergeUser},
	"createTestDevice":            {deviceScope, appRequired, (*Server).createTestDevice},
	"setMADID":                    {deviceScope, appRequired, (*Server).setMADID},
	"multiRegisterDevice":         {deviceScope, appRequired, (*Server).multiRegisterDevice},
	"getPopupFormContent":         {deviceScope, appRequired, (*Server).getPopupFormContent},
	"recordPopupFormEvent":        {deviceScope, appRequired, (*Server).recordPopupFormEvent},
	"setActivityToken":            {deviceScope, appRequired, (*Server).setActivityToken},
	"setActivityPushToStartToken": {deviceScope, appRequired, (*Server).setActivityPushToStartToken},
	"unregisterUser":              {deviceScope, appRequired, (*Server).unregisterUser},
	"getUsersDetails":             {serverScope, appRequired, (*Server).getUsersDetails},

	// Messages.
	"createMessage":         {serverScope, appOrGroup, (*Server).createMessage},
	"createTargetedMessage": {serverScope, appNone, (*Server).createTargetedMessage},
	"deleteMessage":         {serverScope, appNone, (*Server).deleteMessage},
	"cancelMessage":         {serverScope, appNone, (*Server).cancelMessage},
	"getMessageDetails":     {serverScope, appNone, (*Server).getMessageDetails},
	"compileFilter":         {serverScope, appNone, (*Server).compileFilter},

	// Tags, filters, events.
	"addTag":       {serverScope, appNone, (*Server).addTag},
	"deleteTag":    {serverScope, appNone, (*Server).deleteTag},
	"listTags":     {serverScope, appNone, (*Server).listTags},
	"createFilter": {serverScope, appNone, (*Server).createFilter},
	"listFilters":  {serverScope, appNone, (*Server).listFilters},
	"deleteFilter": {serverScope, appNone, (*Server).deleteFilter},
	"createEvent":  {serverScope, appRequired, (*Server).createEvent},

	// Applications.
	"createApplication":            {serverScope, appNone, (*Server).createApplication},
	"getApplication":               {serverScope, appRequired, (*Server).getApplication},
	"getApplications":              {serverScope, appNone, (*Server).getApplications},
	"deleteApplication":            {serverScope, appRequired, (*Server).deleteApplication},
	"updateApplication":            {serverScope, appRequired, (*Server).updateApplication},
	"getApplicationFile":           {serverScope, appRequired, (*Server).getApplicationFile},
	"setApplicationPlatformStatus": {serverScope, appRequired, (*Server).setApplicationPlatformStatus},
	"configureApplication":         {serverScope, appRequired, (*Server).configureApplication},

	// Geozones and test devices.
	"addGeoZone":           {serverScope, appRequired, (*Server).addGeoZone},
	"updateGeoZone":        {serverScope, appNone, (*Server).updateGeoZone},
	"deleteGeoZone":        {serverScope, appNone, (*Server).deleteGeoZone},
	"listGeoZones":         {serverScope, appRequired, (*Server).listGeoZones},
	"addGeoZoneCluster":    {serverScope, appRequired, (*Server).addGeoZoneCluster},
	"deleteGeoZoneCluster": {serverScope, appRequired, (*Server).deleteGeoZoneCluster},
	"listGeoZoneClusters":  {serverScope, appRequired, (*Server).listGeoZoneClusters},
	"listTestDevices":      {serverScope, appRequired, (*Server).listTestDevices},

	// Presets and campaigns.
	"createPreset":   {serverScope, appNone, (*Server).createPreset},
	"getPreset":      {serverScope, appNone, (*Server).getPreset},
	"listPresets":    {serverScope, appRequired, (*Server).listPresets},
	"deletePreset":   {serverScope, appNone, (*Server).deletePreset},
	"createCampaign": {serverScope, appRequired, (*Server).createCampaign},
	"getCampaigns":   {serverScope, appRequired, (*Server).getCampaigns},
	"getCampaign":    {serverScope, appNone, (*Server).getCampaign},
	"deleteCampaign": {serverScope, appNone, (*Server).deleteCampaign},

	// Asynchronous statistics.
	"getMsgStats":                    {serverScope, appNone, (*Server).getMsgStats},
	"getAppStats":                    {serverScope, appRequired, (*Server).getAppStats},
	"getMsgPlatformsStats":           {serverScope, appNone, (*Server).getMsgPlatformsStats},
	"getCampaignStats":               {serverScope, appNone, (*Server).getCampaignStats},
	"getEventStatistics":             {serverScope, appRequired, (*Server).getEventStatistics},
	"getResults":                     {serverScope, appNone, (*Server).getResults},
	"exportSegment":                  {serverScope, appNone, (*Server).exportSegmentV13},
	"getApplicationSubscribersStats": {serverScope, appRequired, (*Server).getApplicationSubscribersStats},
	"getTagStats":                    {serverScope, appRequired, (*Server).getTagStats},
	"bulkSetTags":                    {serverScope, appRequired, (*Server).bulkSetTagsV13},
}

// Methods lists the v1.3 methods pwemu emulates, by name.
func Methods() []string { return slices.Sorted(maps.Keys(methods)) }

// callV13 answers one v1.3 call: find the method, decode, authorise, handle.
func (s *Server) callV13(_ context.Context, in *incoming) reply {
	m, found := methods[in.method]
	if !found {
		return httpError(http.StatusNotFound)
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
	if m.scope == deviceScope {
		r, ok = s.authorizeDevice(c, in.method)
	} else {
		r, ok = s.authorizeServer(c, in.method, m.need)
	}
	if !ok {
		return r
	}
	return m.handle(s, c)
}
