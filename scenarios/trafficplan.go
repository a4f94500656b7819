package scenarios

import (
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// TrafficPlan is one traffic: entry, checked and resolved: its events start At after
// the scenario's start.
type TrafficPlan struct {
	At       time.Duration
	Generate GeneratePlan
}

// GeneratePlan is a generate spec (a traffic entry's, or POST /_pwemu/events
// {"generate": …}), checked and resolved: every event name comes with the platforms
// its events are drawn on, and Count is exact.
type GeneratePlan struct {
	// Count is how many events it makes in all: count, or rate × for rounded to the
	// nearest whole event (which may be none: 1/h for 1m).
	Count int64
	// PerSecond is the rate in events a second of emulator time, over For; 0 for a
	// count, whose events come at once.
	PerSecond float64
	For       time.Duration
	// Events are the event names drawn from: the spec's, else those the scenario's
	// integrations take (so nothing generated is filtered unless the spec asks for
	// it), else DefaultTrafficEvents.
	Events []string
	// Platforms holds, for each of Events, the platforms its events are drawn on: the
	// spec's, else those of the integrations taking it, else every platform they take,
	// else DefaultTrafficPlatforms; narrowed to those the event happens on (Email
	// events on Email, SMS events on SMS, others on the rest) when any fits.
	Platforms    [][]string
	Application  string   // "": the scenario's applications in turn
	Messages     int      // distinct messages drawn from, ≥ 1
	Campaigns    []uint64 // campaign ids drawn from; empty: made up
	LiveActivity float64  // share of live-activity events, 0 to 1
}

// intake is what a scenario's integrations take: the event names in the order they
// first appear, and for each the platforms of the integrations that take it.
type intake struct {
	names     []string
	platforms map[string][]string // per name
	all       []string            // every platform taken, in order
}

// intakeOf is what streams and webhooks take (webhooks: their events, all email
// status events when they list none, on Email).
func intakeOf(streams []Stream, webhooks []Webhook) intake {
	in := intake{platforms: map[string][]string{}}
	take := func(names, platforms []string) {
		for _, name := range names {
			name = strings.TrimSpace(name)
			if _, seen := in.platforms[name]; !seen {
				in.names = append(in.names, name)
				in.platforms[name] = nil
			}
			for _, p := range platforms {
				if !slices.Contains(in.platforms[name], p) {
					in.platforms[name] = append(in.platforms[name], p)
				}
				if !slices.Contains(in.all, p) {
					in.all = append(in.all, p)
				}
			}
		}
	}
	for _, st := range streams {
		take(st.Events, st.Platforms)
	}
	for _, w := range webhooks {
		events := w.Events
		if len(events) == 0 {
			events = catalog.EmailStatusEvents
		}
		take(events, []string{"Email"})
	}
	return in
}

// platformsOf are the platforms events of name are drawn on when the spec lists none:
// those of the integrations taking name, else every platform taken, else the defaults.
func (in intake) platformsOf(name string) []string {
	if ps := in.platforms[name]; len(ps) > 0 {
		return ps
	}
	if len(in.all) > 0 {
		return in.all
	}
	return DefaultTrafficPlatforms
}

// planGenerate resolves a checked generate spec against what the integrations take.
func planGenerate(g Generate, in intake) GeneratePlan {
	gp := GeneratePlan{Count: int64(g.Count), Application: g.Application, Messages: g.Messages,
		Campaigns: slices.Clone(g.Campaigns), LiveActivity: g.LiveActivity}
	if !g.Rate.IsZero() {
		gp.PerSecond, gp.For = g.Rate.PerSecond(), g.For.D()
		gp.Count = int64(math.Round(g.Rate.N * float64(g.For.D()) / float64(g.Rate.Per)))
	}
	if gp.Messages == 0 {
		gp.Messages = DefaultTrafficMessages
	}
	names := g.Events
	if len(names) == 0 {
		names = in.names
	}
	if len(names) == 0 {
		names = DefaultTrafficEvents
	}
	for _, name := range names {
		name = strings.TrimSpace(name)
		platforms := g.Platforms
		if len(platforms) == 0 {
			platforms = in.platformsOf(name)
		}
		gp.Events = append(gp.Events, name)
		gp.Platforms = append(gp.Platforms, platformsFor(name, platforms))
	}
	return gp
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
		return slices.Clone(platforms)
	}
	return out
}

// ClockPlan is the scenario's clock, checked: Mode is ClockReal, ClockScaled (with
// Speed above 0 and at most MaxClockSpeed) or ClockManual (which may have a Start and
// a Patience; 0: the emulator's default).
type ClockPlan struct {
	Mode     string
	Speed    float64
	Start    time.Time // zero: the current time
	Patience time.Duration
}

func planClock(c Clock) ClockPlan {
	cp := ClockPlan{Mode: c.Mode, Speed: c.Speed, Patience: c.Patience.D()}
	if cp.Mode == "" {
		cp.Mode = ClockReal
	}
	if c.Start != "" {
		cp.Start, _ = time.Parse(time.RFC3339, c.Start) // checked: clock
	}
	return cp
}
