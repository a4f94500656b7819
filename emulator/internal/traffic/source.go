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
	buf       []byte     // fill's scratch, kept between calls
}

// Intake is what a scenario's integrations take: the event names in the order they
// first appear, and for each the platforms of the integrations that take it. A spec
// without events or platforms draws them from it, so that nothing generated is
// filtered unless the spec asks for it.
type Intake struct {
	Names     []string
	Platforms map[string][]string // per name
	all       []string            // every platform taken, in order
}

// IntakeOf is what sc's streams and webhooks take (webhooks: their events on Email).
func IntakeOf(sc *scenarios.Scenario) Intake {
	in := Intake{Platforms: map[string][]string{}}
	take := func(names, platforms []string) {
		for _, name := range names {
			if _, seen := in.Platforms[name]; !seen {
				in.Names = append(in.Names, name)
			}
			for _, p := range platforms {
				if !slices.Contains(in.Platforms[name], p) {
					in.Platforms[name] = append(in.Platforms[name], p)
				}
				if !slices.Contains(in.all, p) {
					in.all = append(in.all, p)
				}
			}
		}
	}
	for _, st := range sc.Streams {
		take(st.Events, st.Platforms)
	}
	for _, w := range sc.Webhooks {
		take(w.Events, []string{"Email"})
	}
	return in
}

// platformsOf are the platforms events of name are drawn on when the spec lists none:
// those of the integrations taking name, else every platform taken, else the defaults.
func (in Intake) platformsOf(name string) []string {
	if ps := in.Platforms[name]; len(ps) > 0 {
		return ps
	}
	if len(in.all) > 0 {
		return in.all
	}
	return scenarios.DefaultTrafficPlatforms
}

// newSource builds the source of a valid spec. Its events are the spec's, else those
// the integrations take (in), else the defaults; so are the platforms of each. Events
// are spread over the messages; each message belongs to the spec's application, else
// to one of apps in turn, else to a made-up one, and to one of the spec's campaigns in
// turn, else to one of a third as many made-up campaigns as there are messages.
func newSource(g scenarios.Generate, seed uint64, apps []string, in Intake) *source {
	f := fixtures.New(int64(seed))
	names := g.Events
	if len(names) == 0 {
		names = in.Names
	}
	if len(names) == 0 {
		names = scenarios.DefaultTrafficEvents
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
		platforms := g.Platforms
		if len(platforms) == 0 {
			platforms = in.platformsOf(name)
		}
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
// The devices' hwids and user ids are written into one buffer and cut from one
// string: two allocations a call, not two an event.
func (s *source) fill(dst []catalog.Event, ts int64) {
	f := s.f
	type cut struct{ hwid, user int } // where each event's hwid and user id end in buf
	cuts := make([]cut, len(dst))
	buf := s.buf[:0]
	for i := range dst {
		m := &s.messages[pick(f, len(s.messages))]
		k := pick(f, len(s.names))
		ps := s.platforms[k]
		p := ps[pick(f, len(ps))]
		live := s.live > 0 && f.Float64() < s.live
		if live && p != "iOS" && slices.Contains(ps, "iOS") {
			p = "iOS"
		}
		buf = f.AppendHWID(buf, p, m.ApplicationCode)
		cuts[i].hwid = len(buf)
		buf = f.AppendUserID(buf)
		cuts[i].user = len(buf)
		d := fixtures.Device{Platform: p}
		if live {
			dst[i] = m.LiveActivityEvent(s.names[k], d, ts)
		} else {
			dst[i] = m.Event(s.names[k], d, ts)
		}
	}
	all, at := string(buf), 0
	for i := range dst {
		dst[i].HWID, dst[i].UserID = all[at:cuts[i].hwid], all[cuts[i].hwid:cuts[i].user]
		at = cuts[i].user
	}
	s.buf = buf
}

// pick draws an index below n, without a draw when there is one choice.
func pick(f *fixtures.Faker, n int) int {
	if n == 1 {
		return 0
	}
	return f.IntN(n)
}
