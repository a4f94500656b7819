package catalog

import "net/http"

// The emulated endpoints, one entry each, grouped by family. See the package
// documentation for how to add one.

// Documentation pages several endpoints share.
const (
	docDeviceAPI        = "https://docs.pushwoosh.com/developer/api-reference/device-api"
	docWebSDK           = "https://github.com/Pushwoosh/web-push-notifications (src/modules/ApiClient/ApiClient.types.ts)"
	docAndroidSDK       = "https://github.com/Pushwoosh/pushwoosh-android-sdk"
	docIOSSDK           = "https://github.com/Pushwoosh/pushwoosh-ios-sdk"
	docPHPApplications  = "https://github.com/chkltlabs/php-pushwoosh (src/Resources/Applications.php)"
	docGeozones         = "https://docs.pushwoosh.com/developer/api-reference/geozones"
	docAudience         = "https://docs.pushwoosh.com/developer/api-reference/audience-api"
	docFiltersOld       = "https://docs.pushwoosh.com/platform-docs/api-reference/filters"
	docTags             = "https://docs.pushwoosh.com/platform-docs/api-reference/tags"
	docUsers            = "https://docs.pushwoosh.com/developer/api-reference/user-centric-api"
	docEmail            = "https://docs.pushwoosh.com/developer/api-reference/email-api"
	docMessages         = "https://docs.pushwoosh.com/developer/api-reference/messages-api"
	docMessagesOld      = "https://docs.pushwoosh.com/platform-docs/api-reference/messages"
	docFilters          = "https://docs.pushwoosh.com/developer/api-reference/segmentation-filters-api"
	docApps             = "https://docs.pushwoosh.com/developer/api-reference/applications"
	docAppsOld          = "https://docs.pushwoosh.com/platform-docs/api-reference/applications"
	docInbox            = "https://docs.pushwoosh.com/platform-docs/api-reference/message-inbox"
	docStatsV1          = "https://docs.pushwoosh.com/developer/api-reference/statistics-api/statistics-api-v1"
	docStatsV2          = "https://docs.pushwoosh.com/developer/api-reference/statistics-api/statistics-api-v2"
	docStatsV2Messages  = "https://docs.pushwoosh.com/developer/api-reference/statistics-api/message-statistics-api"
	docStatsV2Old       = "https://docs.pushwoosh.com/platform-docs/api-reference/statistics-api/statistics-api-v2"
	docLinkStats        = "https://github.com/chkltlabs/php-pushwoosh (src/Resources/Statistics.php)"
	docScheduled        = "https://docs.pushwoosh.com/developer/api-reference/scheduled-requests"
	docMessagingV2      = "https://docs.pushwoosh.com/developer/api-reference/messaging-api-v2"
	docLiveActivities   = "https://docs.pushwoosh.com/platform-docs/api-reference/ios-live-activities-api"
	docPHPMessages      = "https://github.com/chkltlabs/php-pushwoosh (src/Resources/Messages.php)"
	docPresets          = "https://docs.pushwoosh.com/developer/api-reference/presets-api"
	docCampaigns        = "https://docs.pushwoosh.com/platform-docs/api-reference/campaigns"
	docJourneyAPI       = "https://docs.pushwoosh.com/developer/api-reference/customer-journey-api/"
	docJourneyLifecycle = "https://docs.pushwoosh.com/developer/api-reference/customer-journey-api/lifecycle/"
	docJourneyStats     = "https://docs.pushwoosh.com/developer/api-reference/customer-journey-statistics/"
	docPythonFilter     = "https://github.com/Pushwoosh/pushwoosh-python-lib (pypushwoosh/command.py)"
)

// Device (SDK).
var (
	RegisterDevice = add(&Endpoint{Method: "registerDevice", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid|email", "device_type"}, Answer: "null", Doc: docDeviceAPI})
	UnregisterDevice = add(&Endpoint{Method: "unregisterDevice", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid"}, Answer: "null", Doc: docDeviceAPI})
	DeleteDevice = add(&Endpoint{Method: "deleteDevice", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid"}, Answer: "null", Doc: docWebSDK})
	CheckDevice = add(&Endpoint{Method: "checkDevice", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid"}, Answer: `{"exist":bool,"push_token_exist":bool}`, Doc: docWebSDK})
	SetTags = add(&Endpoint{Method: "setTags", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid|userId", "tags"}, Answer: "null", Doc: docTags})
	GetTags = add(&Endpoint{Method: "getTags", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid|userId"}, Answer: `{"result":{tag:value}}`, Doc: docTags})
	SetBadge = add(&Endpoint{Method: "setBadge", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid", "badge"}, Answer: "null", Doc: "http://docs.pushwoosh.com/docs/setbadge"})
	ApplicationOpen = add(&Endpoint{Method: "applicationOpen", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid"}, Answer: "null", Doc: docDeviceAPI})
	PushStat = add(&Endpoint{Method: "pushStat", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication}, Answer: "null", Doc: docDeviceAPI})
	MessageDeliveryEvent = add(&Endpoint{Method: "messageDeliveryEvent", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication}, Answer: "null", Doc: docDeviceAPI})
	SetPurchase = add(&Endpoint{Method: "setPurchase", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid", "productIdentifier"}, Answer: "null", Doc: docWebSDK})
	GetNearestZone = add(&Endpoint{Method: "getNearestZone", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "lat", "lng"}, Answer: `{"name","lat","lng","range","distance"}`,
		Doc: docGeozones})
	GetConfig = add(&Endpoint{Method: "getConfig", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication},
		Answer:   `{"features":{"page_visit","vapid_key","web_in_apps","events":[],"subscription_prompt"}}`, Doc: docWebSDK})
	PageVisit = add(&Endpoint{Method: "pageVisit", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication}, Answer: "null", Doc: docWebSDK})
	GetInApps = add(&Endpoint{Method: "getInApps", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication}, Answer: `{"inApps":[…]}`, Doc: docAndroidSDK})
	TriggerInAppAction = add(&Endpoint{Method: "triggerInAppAction", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid", "code"}, Answer: "null", Doc: docAndroidSDK})
	RichMediaAction = add(&Endpoint{Method: "richMediaAction", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid", "code"}, Answer: "null", Doc: docAndroidSDK})
	MergeUser = add(&Endpoint{Method: "mergeUser", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "oldUserId", "newUserId"}, Answer: "null", Doc: docAndroidSDK})
	CreateTestDevice = add(&Endpoint{Method: "createTestDevice", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "push_token", "device_type", "name"}, Answer: "null",
		Doc: "https://docs.pushwoosh.com/developer/api-reference/test-devices"})
	SetMADID = add(&Endpoint{Method: "setMADID", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid", "madid"}, Answer: "null", Doc: docAndroidSDK})
	MultiRegisterDevice = add(&Endpoint{Method: "multiRegisterDevice", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "push_devices"}, Answer: "null", Doc: docWebSDK})
	GetPopupFormContent = add(&Endpoint{Method: "getPopupFormContent", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "code"}, Answer: `{"code","json","html"}`, Doc: docWebSDK})
	RecordPopupFormEvent = add(&Endpoint{Method: "recordPopupFormEvent", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "code", "event"}, Answer: "null", Doc: docWebSDK})
	SetActivityToken = add(&Endpoint{Method: "setActivityToken", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid", "activity_id"}, Answer: "null", Doc: docIOSSDK})
	SetActivityPushToStartToken = add(&Endpoint{Method: "setActivityPushToStartToken", Family: FamilyDevice,
		Auth: AuthDevice, Requires: []string{FieldApplication, "hwid", "activity_push_to_start_token"},
		Answer: "null", Doc: docIOSSDK})
	GetPopupForms = add(&Endpoint{Method: "getPopupForms", Family: FamilyDevice, Auth: AuthDevice,
		Requires: []string{FieldApplication}, Answer: `{"popup_forms":[]}`, Doc: docWebSDK})
)

// User / events.
var (
	RegisterUser = add(&Endpoint{Method: "registerUser", Family: FamilyUsers, Auth: AuthDevice,
		Requires: []string{FieldApplication, "userId|hwid"}, Answer: "null", Doc: docUsers})
	UnregisterUser = add(&Endpoint{Method: "unregisterUser", Family: FamilyUsers, Auth: AuthDevice,
		Requires: []string{FieldApplication, "hwid|userId"}, Answer: "null",
		Doc: "https://github.com/makcyd/pushwoosh_api (docs/api_reference.md)"})
	GetUsersDetails = add(&Endpoint{Method: "getUsersDetails", Family: FamilyUsers, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"request_id"}`,
		Doc: "https://docs.pushwoosh.com/platform-docs/api-reference/user-centric-api"})
	DeleteUser = add(&Endpoint{Method: "deleteUser", Path: PrefixDeviceAPI + "{rpc:deleteUser|deleteUserSync}",
		Family: FamilyUsers, Auth: AuthDevice, Requires: []string{FieldApplication, "user_id"}, Answer: "{}", Doc: docUsers})
	PostEvent = add(&Endpoint{Method: "postEvent", Family: FamilyUsers, Auth: AuthDevice,
		Requires: []string{FieldApplication, "event"}, Answer: `null or {"code"}`, Doc: docUsers})
)

// Email / SMS.
var (
	RegisterEmail = add(&Endpoint{Method: "registerEmail", Family: FamilyEmailSMS, Auth: AuthDevice,
		Requires: []string{FieldApplication, "email"}, Answer: "null", Doc: docEmail})
	RegisterEmailUser = add(&Endpoint{Method: "registerEmailUser", Family: FamilyEmailSMS, Auth: AuthDevice,
		Requires: []string{FieldApplication, "email", "userId"}, Answer: "null", Doc: docEmail})
	SetEmailTags = add(&Endpoint{Method: "setEmailTags", Family: FamilyEmailSMS, Auth: AuthDevice,
		Requires: []string{FieldApplication, "email", "tags"}, Answer: "null", Doc: docEmail})
	DeleteEmail = add(&Endpoint{Method: "deleteEmail", Family: FamilyEmailSMS, Auth: AuthDevice,
		Requires: []string{FieldApplication, "email"}, Answer: "null", Doc: docEmail})
	CreateEmailMessage = add(&Endpoint{Method: "createEmailMessage", Family: FamilyEmailSMS, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplicationOrGroup, "notifications"}, Answer: "null", Doc: docEmail})
	CreateSMSMessage = add(&Endpoint{Method: "createSMSMessage", Family: FamilyEmailSMS, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "notifications"}, Answer: `{"Messages":[code]}`,
		Doc: "https://docs.pushwoosh.com/developer/api-reference/sms"})
	GetBouncedEmails = add(&Endpoint{Method: "getBouncedEmails", Family: FamilyEmailSMS, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"request_id"}`, Doc: docScheduled})
)

// Live Activities.
var (
	StartLiveActivity = add(&Endpoint{Method: "startLiveActivity", Family: FamilyLiveActivities, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "notifications"}, Answer: `{"Messages":[code]}`, Doc: docLiveActivities})
	UpdateLiveActivity = add(&Endpoint{Method: "updateLiveActivity", Family: FamilyLiveActivities, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "notifications"}, Answer: `{"Messages":[code]}`, Doc: docLiveActivities})
)

// Messages v1.3.
var (
	CreateMessage = add(&Endpoint{Method: "createMessage", Family: FamilyMessages, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplicationOrGroup, "notifications"},
		Answer:   `{"Messages":[code],"UnknownDevices"?}`, Doc: docMessages})
	CreateTargetedMessage = add(&Endpoint{Method: "createTargetedMessage", Family: FamilyMessages, Auth: AuthServer,
		Requires: []string{FieldAuth, "devices_filter"}, Answer: `{"messageCode"}`, Doc: docMessages})
	DeleteMessage = add(&Endpoint{Method: "deleteMessage", Family: FamilyMessages, Auth: AuthServer,
		Requires: []string{FieldAuth, "message"}, Answer: "null", Doc: docMessagesOld})
	CancelMessage = add(&Endpoint{Method: "cancelMessage", Family: FamilyMessages, Auth: AuthServer,
		Requires: []string{FieldAuth, "message"}, Answer: "null", Doc: docPHPMessages})
	GetPushHistory = add(&Endpoint{Method: "getPushHistory", Family: FamilyMessages, Auth: AuthServer,
		Requires: []string{FieldAuth}, Answer: `{"rows":[…]}`, Doc: docMessagesOld + "#getpushhistory"})
	GetMessageDetails = add(&Endpoint{Method: "getMessageDetails", Family: FamilyMessages, Auth: AuthServer,
		Requires: []string{FieldAuth, "message"}, Answer: `{"message":{…}}`, Doc: docPHPMessages})
	CompileFilter = add(&Endpoint{Method: "compileFilter", Family: FamilyMessages, Auth: AuthServer,
		Requires: []string{FieldAuth, "devices_filter"}, Answer: `{"filter"…}`, Doc: docPythonFilter})
)

// Messaging API v2.
var (
	Notify = add(&Endpoint{Method: "notify", Path: PrefixMessagingV2 + "notify", Family: FamilyMessagingV2,
		Auth: AuthServer, Requires: []string{"application"},
		Answer: `{"result":{"message_code"}}`, Doc: docMessagingV2 + "/notify/"})
	Cancel = add(&Endpoint{Method: "cancel", Path: PrefixMessagingV2 + "cancel", Family: FamilyMessagingV2,
		Auth: AuthServer, Requires: []string{"message_code"},
		Answer: `{"result":{"message_code"}}`, Doc: docMessagingV2 + "/cancel/"})
)

// Tags admin.
var (
	AddTag = add(&Endpoint{Method: "addTag", Family: FamilyTags, Auth: AuthServer,
		Requires: []string{FieldAuth, "tag"}, Answer: `{"result":true}`, Doc: docTags})
	DeleteTag = add(&Endpoint{Method: "deleteTag", Family: FamilyTags, Auth: AuthServer,
		Requires: []string{FieldAuth, "tag"}, Answer: `{"result":true}`, Doc: docTags})
	BulkSetTagsV13 = add(&Endpoint{Method: "bulkSetTags", Family: FamilyTags, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "devices"}, Answer: `{"request_id"}`, Doc: docTags})
	ListTags = add(&Endpoint{Method: "listTags", Family: FamilyTags, Auth: AuthServer,
		Requires: []string{FieldAuth}, Answer: `{"tags":[{"name","type","isApplicationSpecific"}]}`, Doc: docTags})
)

// Audience / bulk v2: the token in the body's "auth" or an Authorization header.
var (
	BulkSetTags = add(&Endpoint{Method: "audience/bulkSetTags", Path: "/api/v2/audience/bulkSetTags",
		Family: FamilyAudience, Auth: AuthServer, Requires: []string{FieldApplication, "devices"},
		Answer: `{"request_id","status":"Pending"}`, Doc: docAudience})
	BulkSetTagsStatus = add(&Endpoint{Method: "audience/bulkSetTags/status", HTTP: http.MethodGet,
		Path: "/api/v2/audience/bulkSetTags/{request_id}", Family: FamilyAudience, Auth: AuthServer,
		Answer: `{"request_id","status","progress"…}`, Doc: docAudience})
	BulkRegisterDevice = add(&Endpoint{Method: "audience/bulkRegisterDevice", Path: "/api/v2/audience/bulkRegisterDevice",
		Family: FamilyAudience, Auth: AuthServer, Requires: []string{FieldApplication, "devices"},
		Answer: `{"request_id","status":"Pending"}`, Doc: docAudience})
	BulkRegisterDeviceStatus = add(&Endpoint{Method: "audience/bulkRegisterDevice/status", HTTP: http.MethodGet,
		Path: "/api/v2/audience/bulkRegisterDevice/{request_id}", Family: FamilyAudience, Auth: AuthServer,
		Answer: `{"request_id","status","progress"…}`, Doc: docAudience})
	ExportSegmentV2 = add(&Endpoint{Method: "audience/exportSegment", Path: "/api/v2/audience/exportSegment",
		Family: FamilyAudience, Auth: AuthServer, Requires: []string{"filterExpression|filterCode"},
		Answer: `{"task_id"}`, Doc: docFiltersOld})
	ExportSegmentResult = add(&Endpoint{Method: "audience/exportSegment/result", Path: "/api/v2/audience/exportSegment/result",
		Family: FamilyAudience, Auth: AuthServer, Requires: []string{"task_id"},
		Answer: `{"filename": URL of a ZIP}`, Doc: docFiltersOld})
)

// Segments / filters.
var (
	CreateFilter = add(&Endpoint{Method: "createFilter", Family: FamilySegments, Auth: AuthServer,
		Requires: []string{FieldAuth, "name"}, Answer: `{"name"}`, Doc: docFilters})
	ListFilters = add(&Endpoint{Method: "listFilters", Family: FamilySegments, Auth: AuthServer,
		Requires: []string{FieldAuth}, Answer: `{"filters":[…]}`, Doc: docFilters})
	ExportSegment = add(&Endpoint{Method: "exportSegment", Family: FamilySegments, Auth: AuthServer,
		Requires: []string{FieldAuth, "devices_filter"}, Answer: `{"request_id"}`, Doc: docFiltersOld})
	DeleteFilter = add(&Endpoint{Method: "deleteFilter", Family: FamilySegments, Auth: AuthServer,
		Requires: []string{FieldAuth, "name"}, Answer: "null", Doc: docFilters})
)

// Applications.
var (
	CreateApplication = add(&Endpoint{Method: "createApplication", Family: FamilyApplications, Auth: AuthServer,
		Requires: []string{FieldAuth, "title"}, Answer: `{"application":code}`, Doc: docApps})
	GetApplication = add(&Endpoint{Method: "getApplication", Family: FamilyApplications, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"application":{…}}`, Doc: docAppsOld})
	GetApplications = add(&Endpoint{Method: "getApplications", Family: FamilyApplications, Auth: AuthServer,
		Requires: []string{FieldAuth}, Answer: `{"total","page","applications"}`, Doc: docAppsOld})
	UpdateApplication = add(&Endpoint{Method: "updateApplication", Family: FamilyApplications, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: "null", Doc: docApps})
	GetApplicationFile = add(&Endpoint{Method: "getApplicationFile", Family: FamilyApplications, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: "the file", Doc: docPHPApplications})
	SetApplicationPlatformStatus = add(&Endpoint{Method: "setApplicationPlatformStatus", Family: FamilyApplications,
		Auth: AuthServer, Requires: []string{FieldAuth, FieldApplication, "status"}, Answer: "null", Doc: docPHPApplications})
	ConfigureApplication = add(&Endpoint{Method: "configureApplication", Family: FamilyApplications, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"providers":…}`,
		Doc: "https://github.com/chkltlabs/php-pushwoosh (src/Resources/Configuration.php)"})
	DeleteApplication = add(&Endpoint{Method: "deleteApplication", Family: FamilyApplications, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: "null", Doc: docAppsOld})
)

// Presets.
var (
	CreatePreset = add(&Endpoint{Method: "createPreset", Family: FamilyPresets, Auth: AuthServer,
		Requires: []string{FieldAuth, "name", "applicationCode|applicationGroupCode", "content"},
		Answer:   `{"preset_code"}`, Doc: docPresets})
	GetPreset = add(&Endpoint{Method: "getPreset", Family: FamilyPresets, Auth: AuthServer,
		Requires: []string{FieldAuth, "preset_code"}, Answer: `{"preset":{…}}`, Doc: docPresets})
	ListPresets = add(&Endpoint{Method: "listPresets", Family: FamilyPresets, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"presets":[…]}`, Doc: docPresets})
	DeletePreset = add(&Endpoint{Method: "deletePreset", Family: FamilyPresets, Auth: AuthServer,
		Requires: []string{FieldAuth, "preset_code"}, Answer: "null", Doc: docPresets})
)

// Campaigns.
var (
	CreateCampaign = add(&Endpoint{Method: "createCampaign", Family: FamilyCampaigns, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "name"}, Answer: `{"campaign":code}`, Doc: docCampaigns})
	GetCampaigns = add(&Endpoint{Method: "getCampaigns", Family: FamilyCampaigns, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"campaigns":[{"code","name","description"}]}`, Doc: docCampaigns})
	GetCampaign = add(&Endpoint{Method: "getCampaign", Family: FamilyCampaigns, Auth: AuthServer,
		Requires: []string{FieldAuth, "campaign"}, Answer: `{"campaign":{…}}`,
		Doc: "https://github.com/makcyd/pushwoosh_api (docs/api_reference.md)"})
	DeleteCampaign = add(&Endpoint{Method: "deleteCampaign", Family: FamilyCampaigns, Auth: AuthServer,
		Requires: []string{FieldAuth, "campaign"}, Answer: "null", Doc: docCampaigns})
)

// Events admin.
var (
	CreateEvent = add(&Endpoint{Method: "createEvent", Family: FamilyEvents, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "name"}, Answer: `{"event":id}`,
		Doc: "https://docs.pushwoosh.com/developer/api-reference/events"})
)

// Geozones.
var (
	AddGeoZone = add(&Endpoint{Method: "addGeoZone", Family: FamilyGeozones, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "geozones"}, Answer: `{"GeoZones":[id]}`, Doc: docGeozones})
	UpdateGeoZone = add(&Endpoint{Method: "updateGeoZone", Family: FamilyGeozones, Auth: AuthServer,
		Requires: []string{FieldAuth, "geoZoneId"}, Answer: "null", Doc: docGeozones})
	DeleteGeoZone = add(&Endpoint{Method: "deleteGeoZone", Family: FamilyGeozones, Auth: AuthServer,
		Requires: []string{FieldAuth, "geoZoneId"}, Answer: "null", Doc: docGeozones})
	ListGeoZones = add(&Endpoint{Method: "listGeoZones", Family: FamilyGeozones, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"geoZones":[…]}`, Doc: docGeozones})
	AddGeoZoneCluster = add(&Endpoint{Method: "addGeoZoneCluster", Family: FamilyGeozones, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "name"}, Answer: `{"cluster"}`, Doc: docGeozones})
	DeleteGeoZoneCluster = add(&Endpoint{Method: "deleteGeoZoneCluster", Family: FamilyGeozones, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "name"}, Answer: "null", Doc: docGeozones})
	ListGeoZoneClusters = add(&Endpoint{Method: "listGeoZoneClusters", Family: FamilyGeozones, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"clusters":[…]}`, Doc: docGeozones})
)

// Test devices.
var (
	ListTestDevices = add(&Endpoint{Method: "listTestDevices", Family: FamilyTestDevices, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication}, Answer: `{"TestDevices":[{"name","type","pushtoken","description"}]}`,
		Doc: "https://docs.pushwoosh.com/developer/api-reference/test-devices"})
)

// Inbox.
var (
	GetInboxMessages = add(&Endpoint{Method: "getInboxMessages", Family: FamilyInbox, Auth: AuthDevice,
		Requires: []string{FieldApplication}, Answer: `{"messages":[{"inbox_id","order","rt","send_date","title","text","image","action_type","action_params","status","hash"}],"next","deleted":[],"new_inbox"}`, Doc: docInbox})
	InboxStatus = add(&Endpoint{Method: "inboxStatus", Family: FamilyInbox, Auth: AuthDevice,
		Requires: []string{FieldApplication, "inbox_code", "status"}, Answer: "null", Doc: docInbox})
)

// Statistics v1 (scheduled).
var (
	GetMsgStats = add(&Endpoint{Method: "getMsgStats", Family: FamilyStatsV1, Auth: AuthServer,
		Requires: []string{FieldAuth, "message"}, Answer: `{"request_id"}`, Doc: docStatsV1})
	GetAppStats = add(&Endpoint{Method: "getAppStats", Family: FamilyStatsV1, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "datefrom", "dateto"}, Answer: `{"request_id"}`, Doc: docStatsV1})
	GetMsgPlatformsStats = add(&Endpoint{Method: "getMsgPlatformsStats", Family: FamilyStatsV1, Auth: AuthServer,
		Requires: []string{FieldAuth, "message"}, Answer: `{"request_id"}`, Doc: docStatsV1})
	GetCampaignStats = add(&Endpoint{Method: "getCampaignStats", Family: FamilyStatsV1, Auth: AuthServer,
		Requires: []string{FieldAuth, "campaign"}, Answer: `{"request_id"}`, Doc: docCampaigns})
	GetEventStatistics = add(&Endpoint{Method: "getEventStatistics", Family: FamilyStatsV1, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "event", "date_from", "date_to"}, Answer: `{"request_id"}`,
		Doc: "https://docs.pushwoosh.com/developer/api-reference/statistics-api/events-and-tags-statistics"})
	GetApplicationSubscribersStats = add(&Endpoint{Method: "getApplicationSubscribersStats", Family: FamilyStatsV1,
		Auth: AuthServer, Requires: []string{FieldAuth, FieldApplication}, Answer: `{"request_id"}`, Doc: docStatsV1})
	GetTagStats = add(&Endpoint{Method: "getTagStats", Family: FamilyStatsV1, Auth: AuthServer,
		Requires: []string{FieldAuth, FieldApplication, "tag"}, Answer: `{"request_id"}`,
		Doc: "https://docs.pushwoosh.com/developer/api-reference/statistics-api/events-and-tags-statistics"})
	GetResults = add(&Endpoint{Method: "getResults", Family: FamilyStatsV1, Auth: AuthServer,
		Requires: []string{FieldAuth, "request_id"}, Answer: "the result of the scheduled request", Doc: docScheduled})
)

// Statistics v2: /api/ paths answered at once, with a server token in the
// Authorization header.
var (
	MessagesList = add(&Endpoint{Method: "messages:list", Path: "/api/v2/messages:list", Family: FamilyStatsV2,
		Auth: AuthServer, Requires: []string{"filters", "filters.application"},
		Answer: `{"total","items":[{"id","code","created_date","send_date","status","platforms","source","push_info","email_info"}]}`,
		Doc:    docStatsV2Messages})
	TotalsByIntervals = add(&Endpoint{Method: "statistics/messages/totalsByIntervals",
		Path: "/api/v2/statistics/messages/totalsByIntervals", Family: FamilyStatsV2, Auth: AuthServer,
		Requires: []string{"message_code"}, Answer: `{"metrics":[{"timestamp","platform","sends","opens",…}],"conversion"}`,
		Doc: docStatsV2})
	GetMessageLog = add(&Endpoint{Method: "statistics/getMessageLog", Path: "/api/v2/statistics/getMessageLog",
		Family: FamilyStatsV2, Auth: AuthServer,
		Requires: []string{"message_id|message_code|campaign_code|hwid|user_id|date_from"},
		Answer:   `{"rows":[…],"pagination_token"}`, Doc: docStatsV2Old})
	// The email link statistics are named by client libraries, not documented: the
	// request and answer follow the public clients that call them.
	LinksInteractions = add(&Endpoint{Method: "statistics/emails/linksInteractions",
		Path: "/api/v2/statistics/emails/linksInteractions", Family: FamilyStatsV2, Auth: AuthServer,
		Requires: []string{"filters", "filters.date_range"},
		Answer:   `{"total","items":[{"link","clicks","unique_devices"}]}`, Doc: docLinkStats})
	LinksInteractionsDevices = add(&Endpoint{Method: "statistics/emails/linksInteractionsDevices",
		Path: "/api/v2/statistics/emails/linksInteractionsDevices", Family: FamilyStatsV2, Auth: AuthServer,
		Requires: []string{"filters", "filters.date_range"},
		Answer:   `{"total","items":[{"timestamp","link","hwid"}]}`, Doc: docLinkStats})
)

// Customer Journey: the journey service's /api/ paths, a gRPC-Gateway bridge with a
// server token in "Authorization: Api …".
var (
	JourneyStart = add(&Endpoint{Method: "journey/start/external", Path: "/api/journey/{id}/start/external",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"users|hwids|filter"},
		Answer: `{"request_uuid"}`, Doc: docJourneyAPI + "start-by-api/"})
	JourneyStatistics = add(&Endpoint{Method: "journey/statistics/external", HTTP: http.MethodGet,
		Path: "/api/journey/{id}/statistics/external", Family: FamilyJourneys, Auth: AuthServer,
		Answer: `{"payload":{"title","points":[…]}}`, Doc: docJourneyStats})
	JourneyDropUsers = add(&Endpoint{Method: "journey/drop-users/external", Path: "/api/journey/drop-users/external",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"user_ids", "journey_uuids|all_journeys"},
		Answer: "{}", Doc: docJourneyStats})
	JourneyCreate = add(&Endpoint{Method: "journeygateway/create", Path: "/api/v3/journeygateway",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"title", "params.application_code"},
		Answer: "the journey", Doc: docJourneyAPI + "create-update/"})
	JourneyUpdate = add(&Endpoint{Method: "journeygateway/update", HTTP: http.MethodPut, Path: "/api/v3/journeygateway/{uuid}",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"title", "params.application_code"},
		Answer: "the journey", Doc: docJourneyAPI + "create-update/"})
	JourneyGatewayStart = add(&Endpoint{Method: "journeygateway/start", Path: "/api/v3/journeygateway/start",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"uuid"}, Answer: "the journey", Doc: docJourneyLifecycle})
	JourneyGatewayPause = add(&Endpoint{Method: "journeygateway/pause", Path: "/api/v3/journeygateway/pause",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"uuid"}, Answer: "the journey", Doc: docJourneyLifecycle})
	JourneyGatewayFinish = add(&Endpoint{Method: "journeygateway/finish", Path: "/api/v3/journeygateway/finish",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"uuid"}, Answer: "the journey", Doc: docJourneyLifecycle})
	JourneyGatewayDraft = add(&Endpoint{Method: "journeygateway/draft", Path: "/api/v3/journeygateway/draft",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"uuid"}, Answer: "the journey", Doc: docJourneyLifecycle})
	JourneyGatewayArchive = add(&Endpoint{Method: "journeygateway/archive", Path: "/api/v3/journeygateway/archive",
		Family: FamilyJourneys, Auth: AuthServer, Requires: []string{"uuid"}, Answer: "the journey", Doc: docJourneyLifecycle})
)

// Device API v2: the HTTP gateway of the v2 device service. Each RPC with a v1.3
// twin is answered by the twin's handler, and API rules, token allow lists and the
// journal know the call by the twin's name.
var (
	DeviceAPI = add(&Endpoint{Method: "device-api", Path: PrefixDeviceAPI + "{rpc}", Family: FamilyDeviceV2,
		Auth: AuthDevice, Requires: []string{FieldApplication}, Answer: "the RPC's response message ({} for null)",
		Doc: "https://github.com/Pushwoosh/pushwoosh-ios-sdk (device_service.proto)"})
)
