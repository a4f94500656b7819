package lifecycle

import "github.com/pwemu/pwemu/emulator/catalog"

// The stages of a message on one target, in order.
const (
	Sent = iota
	Delivered
	Opened
)

// Stages names the events of the three stages of a message on platform: sent,
// delivered, opened; "" where the platform has no such stage.
//
// ▶ Pushwoosh publishes no per-platform list. pwemu uses Email Sent / Email Delivered /
// Email Opened on Email, SMS Sent / SMS Delivered on SMS (a text message reports no
// opening), and Push Sent / Push Delivered / Push Opened on every other platform.
func Stages(platform string) [3]string {
	switch platform {
	case "Email":
		return [3]string{catalog.EventEmailSent, catalog.EventEmailDelivered, catalog.EventEmailOpened}
	case "SMS":
		return [3]string{catalog.EventSMSSent, catalog.EventSMSDelivered, ""}
	default:
		return [3]string{catalog.EventPushSent, catalog.EventPushDelivered, catalog.EventPushOpened}
	}
}
