package catalog

// Events of what a device reports itself through the device API, besides the
// delivered and opened stages of a push (which keep the lifecycle's names: Push
// Delivered, Push Opened, Email …).
//
// ▶ Pushwoosh publishes no names for in-app and inbox statistics events; pwemu uses
// these.
const (
	EventInAppShown   = "In-App Shown"   // triggerInAppAction with action "show"
	EventInAppClicked = "In-App Clicked" // triggerInAppAction with another action, richMediaAction
	EventInboxRead    = "Inbox Read"     // inboxStatus with status 2 (read: the message was seen)
	EventInboxOpened  = "Inbox Opened"   // inboxStatus with status 3 (opened: its action was performed)
)

// ReportEvents are the events pwemu names itself for what devices report: a
// scenario's stream and webhook filters may name them as they name KnownEvents.
var ReportEvents = []string{EventInAppShown, EventInAppClicked, EventInboxRead, EventInboxOpened}

// EventInAppPurchase is the default event Pushwoosh records for a purchase the SDK
// reports with setPurchase.
const EventInAppPurchase = "PW_InAppPurchase"

// Statuses of a Message Inbox message, as getInboxMessages answers them and
// inboxStatus sets them (the SDKs set 2 to 4).
const (
	InboxDelivered   = 1
	InboxRead        = 2
	InboxOpened      = 3
	InboxDeleted     = 4 // deleted by the user
	InboxDeletedByCP = 5 // deleted from the Control Panel (deleteMessage)
)

// Action types of a Message Inbox message (the SDKs' InboxMessageType codes).
const (
	InboxActionPlain     = 0
	InboxActionRichMedia = 1
	InboxActionURL       = 2
	InboxActionDeepLink  = 3
)
