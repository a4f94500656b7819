// Package lifecycle turns messages created through the API into the events Pushwoosh
// would stream about them: Push Sent (Email Sent, SMS Sent) for every target, then
// Delivered and Opened for seeded shares of them, on the emulator clock.
package lifecycle

// Message is a message the API accepted (createMessage, createTargetedMessage,
// messaging v2 notify), with the devices it goes to.
type Message struct {
	Code            string // XXXX-XXXXXXXX-XXXXXXXX
	ID              uint64
	CampaignID      uint64
	ApplicationCode string
	Content         string // the default-language text: the events' payload
	LiveActivityID  string // set on live-activity messages: their events carry it and no payload
	Targets         []Target
	// A message of a Customer Journey point carries the journey's and the point's
	// titles into its events.
	JourneyTitle, JourneyPointTitle string
	// Links are the links of an email message (its content's and its preset's), the
	// ones a recipient may click.
	Links []string
}

// Target is one device a message goes to.
type Target struct {
	HWID     string
	UserID   string
	Platform string // as in catalog.Platforms: "iOS", "Android", "Email", …
}
