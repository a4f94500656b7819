package catalog

import (
	"strconv"
	"unicode/utf8"
)

// Event is one event as Pushwoosh sends it. The JSON names are the ones of the docs;
// uuid is on every event so that receivers can recognise retries.
type Event struct {
	UUID              string `json:"uuid"`
	EventName         string `json:"event_name"`
	MessageCode       string `json:"message_code"`
	MessageID         uint64 `json:"message_id,omitempty"`
	CampaignID        uint64 `json:"campaign_id,omitempty"`
	Platform          string `json:"platform"`
	Payload           string `json:"payload"`
	ApplicationCode   string `json:"application_code"`
	HWID              string `json:"hwid"`
	UserID            string `json:"user_id"`
	Timestamp         int64  `json:"timestamp"`
	JourneyTitle      string `json:"journey_title"`
	JourneyPointTitle string `json:"journey_point_title"`
	LiveActivityID    string `json:"live_activity_id,omitempty"`
	// Link is the link an Email Link Clicked event is about. The streams' event
	// object has no such field: pwemu's statistics keep it, the wire does not.
	Link string `json:"-"`
}

// Event names of the communication statistics Pushwoosh streams
// (https://docs.pushwoosh.com/product/integrations/event-streaming).
const (
	EventPushSent      = "Push Sent"
	EventPushDelivered = "Push Delivered"
	EventPushOpened    = "Push Opened"
	EventSMSSent       = "SMS Sent"
	EventSMSDelivered  = "SMS Delivered"

	EventEmailSent         = "Email Sent"
	EventEmailDelivered    = "Email Delivered"
	EventEmailBounced      = "Email Bounced"
	EventEmailOpened       = "Email Opened"
	EventEmailLinkClicked  = "Email Link Clicked"
	EventEmailUnsubscribed = "Email Unsubscribed"
	EventEmailComplained   = "Email Complained"
	EventEmailRejected     = "Email Rejected"
)

// EmailStatusEvents are the events the email-status webhook integration posts
// (https://docs.pushwoosh.com/product/integrations/webhook-integration).
var EmailStatusEvents = []string{EventEmailSent, EventEmailDelivered, EventEmailBounced, EventEmailOpened,
	EventEmailLinkClicked, EventEmailUnsubscribed, EventEmailComplained, EventEmailRejected}

// KnownEvents are the event names the documentation shows. Streams accept other names
// too (Pushwoosh says the list grows); the scenario validator hints at a name that
// differs from one of these only slightly, because matching is exact.
var KnownEvents = append([]string{EventPushSent, EventPushDelivered, EventPushOpened,
	EventSMSSent, EventSMSDelivered}, EmailStatusEvents...)

// AppendJSON appends e as a JSON object, byte for byte what encoding/json produces for
// the struct (HTML characters escaped, invalid UTF-8 replaced) but without reflection:
// delivery encodes every event it sends.
func (e *Event) AppendJSON(b []byte) []byte {
	b = append(b, `{"uuid":`...)
	b = appendString(b, e.UUID)
	b = append(b, `,"event_name":`...)
	b = appendString(b, e.EventName)
	b = append(b, `,"message_code":`...)
	b = appendString(b, e.MessageCode)
	if e.MessageID != 0 {
		b = append(b, `,"message_id":`...)
		b = strconv.AppendUint(b, e.MessageID, 10)
	}
	if e.CampaignID != 0 {
		b = append(b, `,"campaign_id":`...)
		b = strconv.AppendUint(b, e.CampaignID, 10)
	}
	b = append(b, `,"platform":`...)
	b = appendString(b, e.Platform)
	b = append(b, `,"payload":`...)
	b = appendString(b, e.Payload)
	b = append(b, `,"application_code":`...)
	b = appendString(b, e.ApplicationCode)
	b = append(b, `,"hwid":`...)
	b = appendString(b, e.HWID)
	b = append(b, `,"user_id":`...)
	b = appendString(b, e.UserID)
	b = append(b, `,"timestamp":`...)
	b = strconv.AppendInt(b, e.Timestamp, 10)
	b = append(b, `,"journey_title":`...)
	b = appendString(b, e.JourneyTitle)
	b = append(b, `,"journey_point_title":`...)
	b = appendString(b, e.JourneyPointTitle)
	if e.LiveActivityID != "" {
		b = append(b, `,"live_activity_id":`...)
		b = appendString(b, e.LiveActivityID)
	}
	return append(b, '}')
}

// AppendJSONArray appends evs as a JSON array: the body of one HTTP batch.
func AppendJSONArray(b []byte, evs []Event) []byte {
	b = append(b, '[')
	for i := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		b = evs[i].AppendJSON(b)
	}
	return append(b, ']')
}

const hex = "0123456789abcdef"

// plain marks the bytes a JSON string carries as they are: ASCII from space up, but
// for the quote, the backslash and the HTML characters encoding/json escapes.
var plain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// appendString writes s as a JSON string the way encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
