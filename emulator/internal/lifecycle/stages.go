package lifecycle

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
		return [3]string{"Email Sent", "Email Delivered", "Email Opened"}
	case "SMS":
		return [3]string{"SMS Sent", "SMS Delivered", ""}
	default:
		return [3]string{"Push Sent", "Push Delivered", "Push Opened"}
	}
}
