package streampb

import (
	"strings"
	"unicode/utf8"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// FromEvent copies e into m field by field (m may be reused: proto messages must not
// be copied whole). Proto strings must be UTF-8: each invalid byte becomes U+FFFD, as
// in the JSON the HTTP transport sends.
func FromEvent(m *Event, e *catalog.Event) {
	m.Uuid = validUTF8(e.UUID)
	m.EventName = validUTF8(e.EventName)
	m.MessageCode = validUTF8(e.MessageCode)
	m.MessageId = e.MessageID
	m.CampaignId = e.CampaignID
	m.Platform = validUTF8(e.Platform)
	m.Payload = validUTF8(e.Payload)
	m.ApplicationCode = validUTF8(e.ApplicationCode)
	m.Hwid = validUTF8(e.HWID)
	m.UserId = validUTF8(e.UserID)
	m.Timestamp = e.Timestamp
	m.JourneyTitle = validUTF8(e.JourneyTitle)
	m.JourneyPointTitle = validUTF8(e.JourneyPointTitle)
	m.LiveActivityId = validUTF8(e.LiveActivityID)
}

// ToEvent is the event m carries: the inverse of FromEvent.
func ToEvent(m *Event) catalog.Event {
	return catalog.Event{
		UUID:              m.GetUuid(),
		EventName:         m.GetEventName(),
		MessageCode:       m.GetMessageCode(),
		MessageID:         m.GetMessageId(),
		CampaignID:        m.GetCampaignId(),
		Platform:          m.GetPlatform(),
		Payload:           m.GetPayload(),
		ApplicationCode:   m.GetApplicationCode(),
		HWID:              m.GetHwid(),
		UserID:            m.GetUserId(),
		Timestamp:         m.GetTimestamp(),
		JourneyTitle:      m.GetJourneyTitle(),
		JourneyPointTitle: m.GetJourneyPointTitle(),
		LiveActivityID:    m.GetLiveActivityId(),
	}
}

// validUTF8 returns s with each invalid byte replaced by U+FFFD (encoding/json's rule;
// strings.ToValidUTF8 would replace a whole run of them by one).
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
