package traffic

import (
	"slices"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/fixtures"
	"github.com/pwemu/pwemu/scenarios"
)

// source draws the events of one generate plan from its own seeded Faker. Messages
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

// newSource builds the source of a plan. Events are spread over the plan's messages;
// each message belongs to the plan's application, else to one of apps in turn, else
// to a made-up one, and to one of the plan's campaigns in turn, else to one of a third
// as many made-up campaigns as there are messages.
func newSource(g scenarios.GeneratePlan, seed uint64, apps []string) *source {
	f := fixtures.New(int64(seed))
	n := g.Messages
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
	s.names, s.platforms = g.Events, g.Platforms
	return s
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
