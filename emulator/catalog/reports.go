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
	EventInboxOpened  = "Inbox Opened"   // inboxStatus with status 2 (opened) or 3 (action performed)
)
