package catalog

import "net/http"

// Status messages of the v1.3 answers ({"status_code", "status_message", …}), byte
// for byte: the API reference's answers (HTTP 200 with status_code 200 or 210, 400,
// 401, 403, 404, 500) and messages seen from the real service; the others are pwemu's
// words for refusals Pushwoosh documents without a text.
const (
	MsgOK                   = "OK"
	MsgSubscriberLimit      = "Warnings: You have reached the subscriber limit. Push Message will be sent to 1 random device only"
	MsgActiveDevices        = "Warnings: You have exceeded the number of active devices allowed on your current subscription plan."
	MsgAccessDenied         = "Access denied or application not found"
	MsgAppNotFound          = "Application not found"
	MsgAppSuspended         = "Application suspended"
	MsgAccountNotFound      = "Account not found"
	MsgAccountSuspended     = "Account has been suspended"
	MsgSuspendedFiltration  = "Suspended account can not use device filtration"
	MsgTokenOrAppNotSet     = "API token or application is not set"
	MsgSelectPlatform       = "Please select at least one platform"
	MsgInvalidToken         = "Invalid API Token: Account not found"
	MsgNoAppOrGroup         = "No application or group code given"
	MsgTokenAppAccountUnset = "API token or application or account is not set"
	MsgNoNotifications      = "No notifications"
	MsgCannotParseDate      = "Cannot parse date"
	MsgAndroidRootParams    = "android_root_params must be key-value object"

	// Devices.
	MsgNoHWID        = "Device hwid is not set"
	MsgBadDeviceType = "Invalid device type"
	MsgBadTags       = "Tags must be a key-value object"
	MsgNoBadge       = "Badge is not set"
	MsgNoEvent       = "Event name is not set"
	MsgNoEmail       = "Email is not set"
	MsgNoUserID      = "userId is not set"
	MsgNoCoordinates = "lat and lng are not set"

	// Messages.
	MsgMessageNotFound = "Message not found"
	MsgNotCancellable  = "Only scheduled messages can be cancelled"
	MsgNoMessage       = "Message code is not set"
	MsgBadFilter       = "Invalid devices_filter"

	// Tags, filters, events, applications.
	MsgNoTagName  = "Tag name is not set"
	MsgBadTagType = "Invalid tag type"
	MsgTagExists  = "Tag already exists"
	// pwemu's own words: Pushwoosh documents no text for its store limits.
	MsgTagLimit         = "Tag limit reached: the account defines as many tags as pwemu allows (--max-tags)"
	MsgDeviceLimit      = "Device limit reached: the application has as many devices as pwemu allows (--max-devices)"
	MsgMessageLimit     = "Message limit reached: pwemu stores as many scheduled messages as it allows (--max-messages)"
	MsgTagNotFound      = "Tag not found"
	MsgNoFilterName     = "Filter name is not set"
	MsgFilterExists     = "Filter already exists"
	MsgFilterNotFound   = "Filter not found"
	MsgNoEventName      = "Event name is not set"
	MsgEventExists      = "Event already exists"
	MsgNoAppTitle       = "Application title is not set"
	MsgAppCodeExhausted = "Could not allocate an application code"

	// Presets and campaigns.
	MsgNoPresetName     = "Preset name is not set"
	MsgNoPresetContent  = "Preset content.message is not set"
	MsgNoPresetCode     = "preset_code is not set"
	MsgPresetNotFound   = "Preset not found"
	MsgNoCampaignName   = "Campaign name is not set"
	MsgNoCampaignCode   = "Campaign code is not set"
	MsgCampaignNotFound = "Campaign not found"
	MsgCodeExhausted    = "Could not allocate a code"

	// Statistics.
	MsgNoRequestID      = "request_id is not set"
	MsgRequestNotFound  = "Request not found"
	MsgStatsNotReserved = "Could not register the statistics request"
	MsgDatesRequired    = "datefrom and dateto are required"
	MsgEventDates       = "date_from and date_to are required"
	MsgNoStatsEvent     = "Event name is not set"

	// Customer Journeys (the /api/ paths answer in the gRPC-Gateway form).
	MsgNoSelector       = "one of users, hwids or filter must be provided"
	MsgManySelectors    = "only one of users, hwids or filter must be provided"
	MsgJourneyNotFound  = "journey not found"
	MsgJourneyNotActive = "journey is not running"
	MsgNoUserIDs        = "user_ids is required"
	MsgNoJourneyChoice  = "journey_uuids or all_journeys is required"
	MsgNoJourneyTitle   = "title is required"
	MsgNoJourneyApp     = "params.application_code is required"
	MsgNoJourneyUUID    = "uuid is required"
	MsgBadJSON          = "the body is not a JSON object of the documented shape"
	MsgUnknownAPIPath   = "unknown path"

	// Messaging API v2.
	MsgV2MessageNotFound = "message not found"
	MsgV2NotYours        = "the message belongs to another account"

	// Sending: audiences and rates.
	MsgBadConditions      = "Invalid conditions"
	MsgFilterAndCondition = "filter and conditions can not be used together"
	MsgTooManyDevices     = "Too many devices: a notification takes at most 1000"
	MsgTooManyUsers       = "Too many users: a notification takes at most 1000"
	MsgBadSendRate        = "send_rate must be a positive number of messages a second"

	// Sdk.
	MsgNoInAppCode     = "code is not set"
	MsgNoUsersToMerge  = "oldUserId and newUserId are not set"
	MsgNoTestDevice    = "push_token, device_type and name are required"
	MsgNoMADID         = "madid is not set"
	MsgNoPushDevices   = "push_devices is empty"
	MsgNoActivityToken = "activity_id is not set"
	MsgNoPushToStart   = "activity_push_to_start_token is not set"
	MsgPopupNotFound   = "Popup form not found"
	MsgBadPopupEvent   = "event must be 1 (visit) or 2 (impression)"
	MsgNoPopupFormCode = "Popup form code is not set"

	// Inbox.
	MsgNoInboxUser        = "userId or hwid is not set"
	MsgNoInboxCode        = "inbox_code is not set"
	MsgBadInboxStatus     = "status must be 1 (delivered), 2 (read), 3 (opened) or 4 (deleted)"
	MsgInboxNotFound      = "Inbox message not found"
	MsgBadInboxDate       = "inbox_date must be a future date as YYYY-MM-DD"
	MsgBadInboxDays       = "inbox_days must be a whole number of days from 1 to 30"
	MsgInboxDateAndDays   = "inbox_date and inbox_days can not be used together"
	MsgBadPurchase        = "productIdentifier is not set"
	MsgBadPurchaseNumbers = "quantity and price must be numbers, quantity at least 1"

	// Applications.
	MsgBadIcon            = "icon must be the base64-encoded content of a PNG file"
	MsgPlatformNotSet     = "Platform is not configured"
	MsgNoPlatformStatus   = "status is not set"
	MsgFileNotFound       = "File not found"
	MsgMissingConfigField = "Required field is not set: "
	MsgBadSDKIOS          = `sdk_ios must be "pw" or "corona"`
	MsgBadSDKAndroid      = `sdk_android must be "pw", "corona" or "phonegap"`

	// Geozones.
	MsgNoGeozones       = "geozones is not set"
	MsgNoGeozoneID      = "geoZoneId is not set"
	MsgGeozoneNotFound  = "GeoZone not found"
	MsgNoClusterName    = "Cluster name is not set"
	MsgClusterExists    = "Cluster already exists"
	MsgClusterNotFound  = "Cluster not found"
	MsgBadGeozoneStatus = "status must be 0 or 1"
	MsgBadCooldown      = "cooldown must be a number of seconds, 0 or more"
	MsgBadCoordinates   = "lat must be from -90 to 90 and lng from -180 to 180"

	// Audience.
	MsgInvalidRequest   = "invalid request"
	MsgNoDevices        = "devices is required"
	MsgTooManyRows      = "devices holds more than 10000 rows"
	MsgJobNotFound      = "request not found"
	MsgNoSegment        = "filterExpression or filterCode is required"
	MsgBadExportFormat  = `format must be "csv" or "json"`
	MsgBadExportData    = "exportData may hold hwids, push_tokens, users and tags"
	MsgTaskNotFound     = "task not found"
	MsgNoTaskID         = "task_id is required"
	MsgFilterCodeAbsent = "filterCode names no filter"

	// Events.
	MsgEventNameTooLong   = "Event name must be at most 32 characters"
	MsgEventDescTooLong   = "Event description must be at most 64 characters"
	MsgBadAttributeType   = "Event attribute type must be 1 (integer), 2 (string), 3 (list), 4 (date), 5 (boolean) or 6 (price)"
	MsgBadAttributeName   = "Event attribute name must be 1 to 64 characters"
	MsgEventsLimit        = "Events limit exceeded"
	MsgEventNotFound      = "Event not found"
	MsgNoEventAttributes  = "attributes is not set: send {} for an event without attributes"
	MsgBadEventAttributes = "attributes must be a JSON object"
	MsgNoEventUser        = "hwid or userId is not set"

	// Stats_audience.
	MsgNoStatsTag = "tag is not set"
	MsgNoBulkRows = "devices is not set"

	// Email and SMS.
	MsgNoEmailPreset     = "preset is required: an email message takes its content from a preset"
	MsgBadFrom           = "from must be an object with name and email"
	MsgSMSDevicesNoArray = `Invalid devices list. "devices" must be an array.`
	MsgNoSMSContent      = "Content is not set"
	MsgEmailNotFound     = "Email not found"

	// Live Activities.
	MsgNoLiveActivity      = "live_activity is required: an object with content-state"
	MsgNoLiveActivityID    = "live_activity_id is required"
	MsgBadLiveEvent        = `live_activity.event must be "update" or "end"`
	MsgNoContentState      = "live_activity.content-state is required"
	MsgLiveActivityUnknown = "Live Activity not found"

	// Users.
	MsgNoUnregisterTarget = "hwid or userId is not set"
	MsgNoDeleteUserID     = "user_id is required"
	MsgNoDeleteUserApp    = "application is required"

	// Answers whose status_code is their HTTP status.
	MsgBadRequest   = "Bad request: the request could not be fulfilled due to bad syntax"
	MsgUnauthorized = "Unauthorized: authentication failed or was not provided"
	MsgForbidden    = "Token restrictions forbid this operation."
	MsgNotFound     = "Resource not found (e.g. an app)"
	MsgTooLarge     = "Request entity too large: the body exceeds 10 MiB"
	MsgRateLimited  = "Too many requests: createMessage is limited to 600 calls a minute per account"
	MsgInternal     = "Internal error"
	MsgNotPost      = "Method not allowed: the API takes POST requests"
	MsgReplaced     = "Service unavailable: the emulator's scenario was replaced or reset during this call"
)

// Status codes of the envelope besides the HTTP statuses it repeats.
const (
	CodeOK      = 200 // done
	CodeRefused = 210 // understood, not done: the message says why
)

// httpMessages are the status messages of answers whose status_code is their HTTP
// status.
var httpMessages = map[int]string{
	http.StatusBadRequest:            MsgBadRequest,
	http.StatusUnauthorized:          MsgUnauthorized,
	http.StatusForbidden:             MsgForbidden,
	http.StatusNotFound:              MsgNotFound,
	http.StatusMethodNotAllowed:      MsgNotPost,
	http.StatusRequestEntityTooLarge: MsgTooLarge,
	http.StatusTooManyRequests:       MsgRateLimited,
	http.StatusInternalServerError:   MsgInternal,
}

// HTTPMessage is the status message of an answer whose status_code is the HTTP
// status; Go's status text for statuses the API does not give on its own.
func HTTPMessage(status int) string {
	if msg, ok := httpMessages[status]; ok {
		return msg
	}
	return http.StatusText(status)
}

// Response is an answer an API rule can name (respond.code, respond.warning).
type Response struct {
	Name          string
	HTTP          int
	StatusCode    int
	StatusMessage string
	// Warning answers are normal behaviour with this status message instead of OK.
	Warning bool
}

// Responses are the named answers, in the order the schema lists them.
var Responses = []Response{
	{"app_not_found", 200, CodeRefused, MsgAppNotFound, false},
	{"app_suspended", 200, CodeRefused, MsgAppSuspended, false},
	{"account_suspended", 200, CodeRefused, MsgAccountSuspended, false},
	{"invalid_token", 200, CodeRefused, MsgInvalidToken, false},
	{"token_not_set", 200, CodeRefused, MsgTokenOrAppNotSet, false},
	{"select_platform", 200, CodeRefused, MsgSelectPlatform, false},
	{"no_app_or_group", 200, CodeRefused, MsgNoAppOrGroup, false},
	{"subscriber_limit", 200, CodeOK, MsgSubscriberLimit, true},
	{"active_devices_exceeded", 200, CodeOK, MsgActiveDevices, true},
	{"bad_request", 400, 400, MsgBadRequest, false},
	{"unauthorized", 401, 401, MsgUnauthorized, false},
	{"forbidden", 403, 403, MsgForbidden, false},
	{"not_found", 404, 404, MsgNotFound, false},
	{"internal", 500, 500, MsgInternal, false},
	{"rate_limited", 429, 429, MsgRateLimited, false},
	{"access_denied", 200, CodeRefused, MsgAccessDenied, false},
	{"account_not_found", 200, CodeRefused, MsgAccountNotFound, false},
	{"no_notifications", 200, CodeRefused, MsgNoNotifications, false},
	{"cannot_parse_date", 200, CodeRefused, MsgCannotParseDate, false},
	{"android_root_params", 200, CodeRefused, MsgAndroidRootParams, false},
	{"suspended_filtration", 200, CodeRefused, MsgSuspendedFiltration, false},
	{"token_app_account_unset", 200, CodeRefused, MsgTokenAppAccountUnset, false},
}

// ResponseNamed finds a named answer.
func ResponseNamed(name string) (Response, bool) {
	for _, r := range Responses {
		if r.Name == name {
			return r, true
		}
	}
	return Response{}, false
}

// ResponseNames lists the names respond.code accepts.
func ResponseNames() []string {
	out := make([]string, len(Responses))
	for i, r := range Responses {
		out[i] = r.Name
	}
	return out
}

// WarningNames lists the names respond.warning accepts: the warning answers.
func WarningNames() []string {
	var out []string
	for _, r := range Responses {
		if r.Warning {
			out = append(out, r.Name)
		}
	}
	return out
}

// Faults are connection-level misbehaviours an API rule can script (respond.fault).
const (
	FaultReset     = "reset"     // close the connection without an answer
	FaultHang      = "hang"      // answer nothing until the client gives up
	FaultMalformed = "malformed" // 200 with a body that is not JSON
)

// Faults lists the respond.fault values.
var Faults = []string{FaultReset, FaultHang, FaultMalformed}
