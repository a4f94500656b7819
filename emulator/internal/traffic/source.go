package traffic

import (
	"slices"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/fixtures"
	"github.com/pwemu/pwemu/scenarios"
)

// source draws the events of one generate spec from its own seeded Faker. Messages
// are made once, so the events of a message share the very same strings; only the
// device (hwid, user id) is new for every event.
type source struct {
	f         *fixtures.Faker
	messages  []fixtures.Message
	names     []string
	platforms [][]string // per name: the platforms events of that name are drawn on
	live      float64    // share of live-activity events
}

// newSource builds the source of a valid spec. Events are spread over the messages;
// each message belongs to the spec's application, else to one of apps in turn, else to
// a made-up one, and to one of the spec's campaigns in turn, else to one of a third
// as many made-up campaigns as there are messages.
func newSource(g scenarios.Generate, seed uint64, apps []string) *source {
	f := fixtures.New(int64(seed))
	names := g.Events
	if len(names) == 0 {
		names = scenarios.DefaultTrafficEvents
	}
	platforms := g.Platforms
	if len(platforms) == 0 {
		platforms = scenarios.DefaultTrafficPlatforms
	}
	n := g.Messages
	if n == 0 {
		n = scenarios.DefaultTrafficMessages
	}
	switch {
	case g.Application != "":
		apps = []string{g.Application}
	case len(apps) == 0:
		apps = []string{f.ApplicationCode()}
	}
	campaigns := g.Campaigns
	if len(campaigns) == 0 {
		campaigns = make([]uint64, (n+2)/3)
		for i := range campaigns {
			campaigns[i] = f.CampaignID()
		}
	}
	s := &source{f: f, messages: make([]fixtures.Message, n), live: g.LiveActivity}
	for i := range s.messages {
		s.messages[i] = f.Message(apps[i%len(apps)], campaigns[i%len(campaigns)])
	}
	for _, name := range names {
		name = strings.TrimSpace(name)
		s.names = append(s.names, name)
		s.platforms = append(s.platforms, platformsFor(name, platforms))
	}
	return s
}

// platformsFor narrows platforms to those an event name happens on: Email events on
// Email, SMS events on SMS, other (push) events on the rest. When none of the listed
// platforms fits, the event is drawn on all of them: the scenario asked for it.
func platformsFor(name string, platforms []string) []string {
	fits := func(p string) bool { return p != "Email" && p != "SMS" }
	switch {
	case strings.HasPrefix(name, "Email "):
		fits = func(p string) bool { return p == "Email" }
	case strings.HasPrefix(name, "SMS "):
		fits = func(p string) bool { return p == "SMS" }
	}
	var out []string
	for _, p := range platforms {
		if fits(p) && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return platforms
	}
	return out
}

// fill overwrites dst with new events stamped ts (unix seconds). A live-activity event
// goes to iOS when its name may happen there (Live Activities are an iOS feature).
func (s *source) fill(dst []catalog.Event, ts int64) {
	f := s.f
	for i := range dst {
		m := &s.messages[pick(f, len(s.messages))]
		k := pick(f, len(s.names))
		ps := s.platforms[k]
		p := ps[pick(f, len(ps))]
		live := s.live > 0 && f.Float64() < s.live
		if live && p != "iOS" && slices.Contains(ps, "iOS") {
			p = "iOS"
		}
		d := f.Device(p, m.ApplicationCode)
		if live {
			dst[i] = m.LiveActivityEvent(s.names[k], d, ts)
		} else {
			dst[i] = m.Event(s.names[k], d, ts)
		}
	}
}

// pick draws an index below n, without a draw when there is one choice.
func pick(f *fixtures.Faker, n int) int {
	if n == 1 {
		return 0
	}
	return f.IntN(n)
}
