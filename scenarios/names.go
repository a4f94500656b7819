package scenarios

// The closed vocabularies of the format. Validation checks values against them and the
// JSON Schema lists them as enums (a test keeps the two in step).

// Platforms an integration can receive events for, in the event streaming docs' spelling.
var Platforms = []string{"iOS", "Android", "macOS", "Windows", "Amazon", "Safari", "Chrome",
	"Firefox", "Internet Explorer", "Baidu", "Huawei", "Email", "SMS", "Line", "Xiaomi", "WhatsApp"}

// EmailStatusEvents are the events the email-status webhook integration posts.
var EmailStatusEvents = []string{"Email Sent", "Email Delivered", "Email Bounced", "Email Opened",
	"Email Link Clicked", "Email Unsubscribed", "Email Complained", "Email Rejected"}

// KnownEvents are event names seen in the docs. Stream and traffic event lists accept
// other names too (Pushwoosh says the list grows); a name that differs from one of
// these only in case or by a typo gets a hint, because matching is exact.
var KnownEvents = append([]string{"Push Sent", "Push Delivered", "Push Opened",
	"SMS Sent", "SMS Delivered"}, EmailStatusEvents...)

// APIMethods are the API methods pwemu implements: the names an API rule's method and
// a token's allow list may use. "notify" and "cancel" are messaging API v2.
var APIMethods = []string{
	// devices (device token)
	"registerDevice", "unregisterDevice", "deleteDevice", "checkDevice", "setTags", "getTags",
	"setBadge", "applicationOpen", "pushStat", "messageDeliveryEvent", "registerUser",
	"postEvent", "getNearestZone", "registerEmail",
	"getInApps", "triggerInAppAction", "richMediaAction", "mergeUser", "createTestDevice", "setMADID",
	"multiRegisterDevice", "getPopupFormContent", "recordPopupFormEvent", "setActivityToken",
	"setActivityPushToStartToken",
	// users and events (deleteUser: the v2 device API)
	"unregisterUser", "getUsersDetails", "deleteUser",
	// messages
	"createMessage", "createTargetedMessage", "deleteMessage", "cancelMessage", "getMessageDetails",
	// tags
	"addTag", "deleteTag", "listTags",
	// filters
	"createFilter", "listFilters", "deleteFilter", "compileFilter",
	// applications
	"createApplication", "getApplication", "getApplications", "deleteApplication",
	// events
	"createEvent",
	// statistics
	"getMsgStats", "getAppStats", "getResults",
	// messaging API v2
	"notify", "cancel",
}

// AnyMethod is the API rule method that matches every call.
const AnyMethod = "*"

// ResponseCodes are the named answers an API rule's respond.code may give; each maps to
// a row of Pushwoosh's code table (see the README's API section).
var ResponseCodes = []string{"app_not_found", "app_suspended", "account_suspended",
	"invalid_token", "token_not_set", "select_platform", "no_app_or_group",
	"subscriber_limit", "active_devices_exceeded", "bad_request", "unauthorized",
	"forbidden", "not_found", "internal", "rate_limited", "access_denied", "account_not_found",
	"no_notifications", "cannot_parse_date", "android_root_params", "suspended_filtration",
	"token_app_account_unset"}

// Warnings are the 200 answers with a "Warnings: …" message (respond.warning).
var Warnings = []string{"subscriber_limit", "active_devices_exceeded"}

// Faults are connection-level misbehaviours of the API (respond.fault).
const (
	FaultReset     = "reset"     // close the connection without an answer
	FaultHang      = "hang"      // never answer (until the client gives up)
	FaultMalformed = "malformed" // answer a body that is not JSON
)

// Faults lists the respond.fault values.
var Faults = []string{FaultReset, FaultHang, FaultMalformed}

// Clock modes.
const (
	ClockReal   = "real"
	ClockScaled = "scaled"
	ClockManual = "manual"
)

// ClockModes lists the clock modes; an empty mode is real.
var ClockModes = []string{ClockReal, ClockScaled, ClockManual}

// Transports lists the stream transports.
var Transports = []string{TransportHTTP, TransportGRPC}

// TokenKinds lists the token kinds.
var TokenKinds = []string{TokenServer, TokenDevice}

// HTTP batch framings.
const (
	FramingArray  = "array"  // one JSON array of events per request (default)
	FramingObject = "object" // one event object per request, as in the docs' example
	FramingNDJSON = "ndjson" // one event object per line
)

// Framings lists the HTTP batch framings.
var Framings = []string{FramingArray, FramingObject, FramingNDJSON}

// MaxGenerated bounds the events one traffic entry may generate, so that a typo
// (rate: 50000/s for: 24h) cannot exhaust memory.
const MaxGenerated = 10_000_000

// MaxMessages bounds the distinct messages one traffic entry draws its events from
// (generate.messages): each is made up front and kept while the entry plays.
const MaxMessages = 100_000
