package catalog

// Names the statistics endpoints use for platforms and message sources. They differ
// by API generation: the v2 statistics spell platforms in capitals
// (https://docs.pushwoosh.com/developer/api-reference/statistics-api/message-statistics-api),
// getMessageLog in lower case
// (https://docs.pushwoosh.com/platform-docs/api-reference/statistics-api/statistics-api-v2),
// and getPushHistory names sources its own way
// (https://docs.pushwoosh.com/platform-docs/api-reference/messages#getpushhistory).

// StatsPlatforms maps the v2 statistics' platform names (messages:list) to device
// types.
var StatsPlatforms = map[string]int{
	"IOS": DeviceIOS, "ANDROID": DeviceAndroid, "OSX": DeviceMacOS, "WINDOWS": DeviceWindows,
	"AMAZON": DeviceAmazon, "SAFARI": DeviceSafari, "CHROME": DeviceChrome, "FIREFOX": DeviceFirefox,
	"IE": DeviceInternetExplorer, "EMAIL": DeviceEmail, "HUAWEI_ANDROID": DeviceHuawei, "SMS": DeviceSMS,
}

// LogPlatforms maps device types to getMessageLog's platform names.
var LogPlatforms = map[int]string{
	DeviceIOS: "ios", 2: "blackberry", DeviceAndroid: "android", 5: "windows phone", DeviceMacOS: "osx",
	DeviceWindows: "windows", DeviceAmazon: "amazon", DeviceSafari: "safari", DeviceChrome: "chrome",
	DeviceFirefox: "firefox", DeviceInternetExplorer: "ie", DeviceEmail: "email", 16: "baidu android",
	DeviceHuawei: "huawei android",
}

// LogActions are the message actions getMessageLog filters by.
var LogActions = []string{"sent", "delivered", "opened", "inbox_delivered", "inbox_read", "inbox_opened", "inbox_deleted"}

// Message sources, as messages:list names them.
const (
	SourceAPI             = "API"
	SourceCustomerJourney = "CUSTOMER_JOURNEY"
	SourceEmailAPI        = "EMAIL_API"
	SourceGeoZone         = "GEO_ZONE"
)

// MessageSources are the sources messages:list filters by.
var MessageSources = []string{"AB_TEST", SourceAPI, "AUTO_PUSH", "CP", "CSV", SourceCustomerJourney,
	SourceEmailAPI, "EMAIL_CP", SourceGeoZone, "PUSH_ON_EVENT", "RSS"}

// HistorySources maps getPushHistory's source names to messages:list's.
var HistorySources = map[string]string{
	"CP": "CP", "API": SourceAPI, "GeoZone": SourceGeoZone, "RSS": "RSS", "AutoPush": "AUTO_PUSH",
	"A/B Test": "AB_TEST",
}

// HistorySearches are getPushHistory's searchBy values.
var HistorySearches = []string{"notificationID", "notificationCode", "applicationCode", "campaignCode"}

// Error messages of the v2 statistics; the interval one is documented, the others
// are pwemu's.
const (
	MsgNoFilters        = "filters is required"
	MsgNoFiltersApp     = "filters.application is required"
	MsgPerPage          = "per_page must be between 0 and 1000"
	MsgPage             = "page must not be negative"
	MsgNoMessageCode    = "message_code is required"
	MsgV2MessageMissing = "message not found"
	MsgLogSelector      = "one of message_id, message_code, campaign_code, hwid, user_id, or date_from and date_to is required"
	MsgLogInterval      = "exceeded the maximum date interval. Max interval: 30 days"
	MsgLogLimit         = "limit must be between 0 and 100000"
	MsgLogAccount       = "account not found"
	MsgLogToken         = "invalid pagination_token"
)

// getPushHistory's refusals (pwemu's words).
const (
	MsgUnknownHistorySource = "Unknown source"
	MsgUnknownHistorySearch = "Unknown searchBy"
	MsgNoHistoryValue       = "value is not set"
)

// HistoryPage is how many rows getPushHistory answers at most.
const HistoryPage = 1000

// Messages of the email link statistics (pwemu's own texts: the endpoints are not
// documented).
const (
	MsgNoDateRange    = "filters.date_range is required"
	MsgDateRangeOrder = "filters.date_range.date_to is before date_from"
)
