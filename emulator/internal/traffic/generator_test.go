package traffic_test

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/traffic"
	"github.com/pwemu/pwemu/scenarios"
)

// recorder is a publish function that keeps every call.
type recorder struct {
	clk   clock.Clock
	mu    sync.Mutex
	calls []call
}

type call struct {
	at  time.Duration // since clock.Epoch
	evs []catalog.Event
}

func (r *recorder) publish(evs []catalog.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{at: r.clk.Now().Sub(clock.Epoch), evs: evs})
}

func (r *recorder) events() []catalog.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []catalog.Event
	for _, c := range r.calls {
		out = append(out, c.evs...)
	}
	return out
}

func (r *recorder) count() int { return len(r.events()) }

func (r *recorder) sizes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []int
	for _, c := range r.calls {
		out = append(out, len(c.evs))
	}
	return out
}

// newGen is a Generator on a manual clock at clock.Epoch, recording what it publishes.
func newGen(seed int64, apps ...string) (*traffic.Generator, *clock.Manual, *recorder) {
	clk := clock.NewManual(clock.Epoch)
	rec := &recorder{clk: clk}
	return traffic.NewGenerator(clk, seed, rec.publish, apps), clk, rec
}

// testScenario is a scenario with no integrations and the applications the tests
// name, against which their specs are checked.
var testScenario = &scenarios.Scenario{Name: "traffic", Accounts: []scenarios.Account{{ID: "acme",
	Tokens:       []scenarios.Token{{Value: "server-token", Kind: scenarios.TokenServer}},
	Applications: []scenarios.Application{{Code: "32E5A-9B411"}, {Code: "AAAAA-00001"}, {Code: "BBBBB-00002"}}}}}

// plans checks and resolves traffic entries as a scenario's are (Scenario.Plan).
func plans(tb testing.TB, entries ...scenarios.Traffic) []scenarios.TrafficPlan {
	tb.Helper()
	sc := *testScenario
	sc.Traffic = entries
	p, err := sc.Plan()
	if err != nil {
		tb.Fatal(err)
	}
	return p.Traffic
}

// spec checks and resolves a one-shot spec as POST /_pwemu/events does
// (Scenario.CheckGenerate).
func spec(tb testing.TB, g scenarios.Generate) scenarios.GeneratePlan {
	tb.Helper()
	p, err := testScenario.CheckGenerate(g)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func dur(s string) scenarios.Duration {
	d, err := scenarios.ParseDuration(s)
	if err != nil {
		panic(err)
	}
	return d
}

func rate(s string) scenarios.Rate {
	r, err := scenarios.ParseRate(s)
	if err != nil {
		panic(err)
	}
	return r
}

func TestCountAtZeroPublishesAllAtOnce(t *testing.T) {
	t.Parallel()
	g, clk, rec := newGen(42)
	g.Schedule(plans(t, scenarios.Traffic{At: 0, Generate: scenarios.Generate{Count: 1000}}), clk.Now())
	clk.Advance(0)
	evs := rec.events()
	if len(evs) != 1000 || !slices.Equal(rec.sizes(), []int{1000}) {
		t.Fatalf("published %d events in calls %v, want 1000 in one call", len(evs), rec.sizes())
	}
	for _, e := range evs {
		if e.EventName != "Push Sent" || (e.Platform != "iOS" && e.Platform != "Android") {
			t.Fatalf("default spec made %q on %q, want Push Sent on iOS or Android", e.EventName, e.Platform)
		}
		if e.Timestamp != clock.Epoch.Unix() || e.UUID != "" || e.LiveActivityID != "" {
			t.Fatalf("event %+v: want timestamp %d, no uuid, no live activity", e, clock.Epoch.Unix())
		}
	}
	if g.Remaining() != 0 || clk.Pending() != 0 {
		t.Fatalf("after the count: %d events remaining, %d timers pending; want 0, 0", g.Remaining(), clk.Pending())
	}
}

func TestCountIsChunked(t *testing.T) {
	t.Parallel()
	g, clk, rec := newGen(1)
	g.Schedule(plans(t, scenarios.Traffic{At: dur("10s"), Generate: scenarios.Generate{Count: 2500}}), clk.Now())
	clk.Advance(9 * time.Second)
	if n := rec.count(); n != 0 || g.Remaining() != 2500 {
		t.Fatalf("before at: %d published, %d remaining; want 0, 2500", n, g.Remaining())
	}
	clk.Advance(time.Second)
	if got := rec.sizes(); !slices.Equal(got, []int{1000, 1000, 500}) {
		t.Fatalf("publish calls carried %v, want [1000 1000 500]", got)
	}
	for _, c := range rec.calls {
		if c.at != 10*time.Second {
			t.Fatalf("published at %v, want 10s", c.at)
		}
	}
}

func TestRatePublishesExactlyOnTheClock(t *testing.T) {
	t.Parallel()
	g, clk, rec := newGen(42)
	entries := plans(t, scenarios.Traffic{At: dur("2m"), Generate: scenarios.Generate{Rate: rate("50/s"), For: dur("5m")}})
	g.Schedule(entries, clk.Now())
	clk.Advance(2 * time.Minute)
	if n := rec.count(); n != 0 {
		t.Fatalf("%d events before at: 2m, want 0", n)
	}
	clk.Advance(time.Second)
	if n := rec.count(); n != 50 {
		t.Fatalf("%d events one second in, want 50", n)
	}
	clk.Advance(59 * time.Second)
	if n := rec.count(); n != 3000 {
		t.Fatalf("%d events one minute in, want 3000", n)
	}
	clk.Advance(4*time.Minute - time.Second)
	if n := rec.count(); n != 14950 {
		t.Fatalf("%d events a second before the end, want 14950", n)
	}
	clk.Advance(time.Second)
	if n := rec.count(); n != 15000 {
		t.Fatalf("%d events at 2m+5m, want 15000", n)
	}
	clk.Advance(time.Hour)
	if n := rec.count(); n != 15000 || g.Remaining() != 0 || clk.Pending() != 0 {
		t.Fatalf("after the span: %d events, %d remaining, %d timers; want 15000, 0, 0", n, g.Remaining(), clk.Pending())
	}
	// one publish a second, 50 events each, stamped with the tick's time
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.calls) != 300 {
		t.Fatalf("%d publish calls, want 300 (one a second)", len(rec.calls))
	}
	for i, c := range rec.calls {
		at := 2*time.Minute + time.Duration(i+1)*time.Second
		if c.at != at || len(c.evs) != 50 || c.evs[0].Timestamp != clock.Epoch.Add(at).Unix() {
			t.Fatalf("call %d: %d events at %v stamped %d; want 50 at %v", i, len(c.evs), c.at, c.evs[0].Timestamp, at)
		}
	}
}

func TestSlowAndUnevenRatesComeOutExact(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rate, span string
		total      int
		ticks      int
	}{
		{"10/h", "1h", 10, 10},    // a tick every 6m, one event each
		{"7/m", "90s", 11, 11},    // 10.5 rounds to 11; a tick every 60s/7
		{"1/3s", "10s", 3, 3},     // ticks at 3s (none due yet), 6s, 9s and 10s
		{"2.5/s", "3s", 8, 3},     // 7.5 rounds to 8: 2, 3, 3 a second
		{"1500/s", "2s", 3000, 4}, // 1000 + 500 a second
		{"1/h", "1m", 0, 0},       // 1/60 of an event rounds to none
	}
	for _, c := range cases {
		t.Run(c.rate+" for "+c.span, func(t *testing.T) {
			t.Parallel()
			g, clk, rec := newGen(3)
			entries := plans(t, scenarios.Traffic{At: dur("1m"), Generate: scenarios.Generate{Rate: rate(c.rate), For: dur(c.span)}})
			if got := entries[0].Generate.Count; got != int64(c.total) {
				t.Fatalf("Count = %d, want %d", got, c.total)
			}
			g.Schedule(entries, clk.Now())
			clk.Advance(time.Minute)
			prev := 0
			span := dur(c.span).D()
			for s := time.Second; s <= span+time.Second; s += time.Second {
				clk.Advance(time.Second)
				n := rec.count()
				// never ahead of the rate, never a tick behind it
				due := int(float64(c.total) * float64(min(s, span)) / float64(span))
				if n > due || n < prev {
					t.Fatalf("at %v: %d events published (was %d), %d due", s, n, prev, due)
				}
				prev = n
			}
			clk.Advance(time.Hour)
			if n := rec.count(); n != c.total {
				t.Fatalf("%d events in all, want %d", n, c.total)
			}
			if got := len(rec.sizes()); got != c.ticks {
				t.Fatalf("%d publish calls, want %d", got, c.ticks)
			}
		})
	}
}

// play schedules a small timeline and returns every event it publishes, encoded, with
// timestamps counted from the timeline's start.
func play(t *testing.T, g *traffic.Generator, clk *clock.Manual, rec *recorder) []string {
	t.Helper()
	entries := plans(t,
		scenarios.Traffic{At: 0, Generate: scenarios.Generate{Count: 300, Events: []string{"Push Sent", "Push Delivered"},
			Platforms: []string{"iOS", "Android", "Chrome", "Email"}, LiveActivity: 0.1}},
		scenarios.Traffic{At: dur("30s"), Generate: scenarios.Generate{Rate: rate("20/s"), For: dur("10s"),
			Events: []string{"Email Sent", "Email Opened"}, Platforms: []string{"Email", "SMS"}}},
	)
	start := clk.Now()
	g.Schedule(entries, start)
	clk.Advance(time.Minute)
	var out []string
	for _, e := range rec.events() {
		e.Timestamp -= start.Unix()
		out = append(out, string(e.AppendJSON(nil)))
	}
	if len(out) != 500 {
		t.Fatalf("the timeline made %d events, want 500", len(out))
	}
	return out
}

func TestSameSeedSameEvents(t *testing.T) {
	t.Parallel()
	g1, clk1, rec1 := newGen(7, "32E5A-9B411")
	g2, clk2, rec2 := newGen(7, "32E5A-9B411")
	a, b := play(t, g1, clk1, rec1), play(t, g2, clk2, rec2)
	if !slices.Equal(a, b) {
		t.Fatal("two generators with seed 7 made different events")
	}
	g3, clk3, rec3 := newGen(8, "32E5A-9B411")
	if slices.Equal(a, play(t, g3, clk3, rec3)) {
		t.Fatal("seeds 7 and 8 made the same events")
	}
	// one-shot generation is seeded the same way
	oneShot := spec(t, scenarios.Generate{Count: 50, Platforms: []string{"Huawei", "Safari"}})
	x := traffic.NewGenerator(clock.NewManual(clock.Epoch), 99, func([]catalog.Event) {}, nil).Generate(oneShot)
	y := traffic.NewGenerator(clock.NewManual(clock.Epoch), 99, func([]catalog.Event) {}, nil).Generate(oneShot)
	if !slices.Equal(x, y) {
		t.Fatal("Generate with seed 99 made different events")
	}
}

var (
	messageCodeRE = regexp.MustCompile(`^[0-9A-F]{4}-[0-9A-F]{8}-[0-9A-F]{8}$`)
	appCodeRE     = regexp.MustCompile(`^[0-9A-F]{5}-[0-9A-F]{5}$`)
)

func TestEventsComeFromAPoolOfMessages(t *testing.T) {
	t.Parallel()
	g, clk, _ := newGen(5, "AAAAA-00001", "BBBBB-00002")
	evs := g.Generate(spec(t, scenarios.Generate{Count: 2000, Messages: 4, Campaigns: []uint64{961048, 960000}}))
	byCode := map[string]catalog.Event{}
	for _, e := range evs {
		if e.Timestamp != clk.Now().Unix() {
			t.Fatalf("timestamp %d, want the clock's %d", e.Timestamp, clk.Now().Unix())
		}
		if !messageCodeRE.MatchString(e.MessageCode) {
			t.Fatalf("message code %q", e.MessageCode)
		}
		first, seen := byCode[e.MessageCode]
		if !seen {
			byCode[e.MessageCode] = e
			continue
		}
		// events of one message share its fields, down to the very same strings
		if first.MessageID != e.MessageID || first.CampaignID != e.CampaignID ||
			!same(first.ApplicationCode, e.ApplicationCode) || !same(first.Payload, e.Payload) ||
			!same(first.MessageCode, e.MessageCode) || !same(first.JourneyTitle, e.JourneyTitle) ||
			!same(first.JourneyPointTitle, e.JourneyPointTitle) {
			t.Fatalf("two events of message %s differ in shared fields:\n%+v\n%+v", e.MessageCode, first, e)
		}
		if first.HWID == e.HWID {
			t.Fatalf("two events of message %s share hwid %s", e.MessageCode, e.HWID)
		}
	}
	if len(byCode) != 4 {
		t.Fatalf("events drawn from %d messages, want 4", len(byCode))
	}
	apps, campaigns := map[string]int{}, map[uint64]int{}
	for _, e := range byCode {
		apps[e.ApplicationCode]++
		campaigns[e.CampaignID]++
	}
	if apps["AAAAA-00001"] != 2 || apps["BBBBB-00002"] != 2 || campaigns[961048] != 2 || campaigns[960000] != 2 {
		t.Fatalf("messages spread over apps %v and campaigns %v; want two each", apps, campaigns)
	}
}

// same reports whether two strings share their bytes (not just their value).
func same(a, b string) bool {
	return len(a) == len(b) && (len(a) == 0 || unsafe.StringData(a) == unsafe.StringData(b))
}

func TestDefaultsAndApplication(t *testing.T) {
	t.Parallel()
	g, _, _ := newGen(9)
	evs := g.Generate(spec(t, scenarios.Generate{Count: 1000}))
	codes, apps := map[string]bool{}, map[string]bool{}
	for _, e := range evs {
		codes[e.MessageCode] = true
		apps[e.ApplicationCode] = true
		if !appCodeRE.MatchString(e.ApplicationCode) {
			t.Fatalf("made-up application code %q", e.ApplicationCode)
		}
	}
	if len(codes) != scenarios.DefaultTrafficMessages || len(apps) != 1 {
		t.Fatalf("default spec: %d messages, %d applications; want %d, 1", len(codes), len(apps), scenarios.DefaultTrafficMessages)
	}
	evs = g.Generate(spec(t, scenarios.Generate{Count: 100, Application: "32E5A-9B411"}))
	for _, e := range evs {
		if e.ApplicationCode != "32E5A-9B411" {
			t.Fatalf("application %q, want the spec's 32E5A-9B411", e.ApplicationCode)
		}
	}
}

func TestEventsGoToTheirPlatforms(t *testing.T) {
	t.Parallel()
	g, _, _ := newGen(11)
	evs := g.Generate(spec(t, scenarios.Generate{Count: 1000,
		Events:    []string{"Push Sent", "Email Opened", "SMS Delivered"},
		Platforms: []string{"iOS", "Android", "Email", "SMS"}}))
	seen := map[string]map[string]int{}
	for _, e := range evs {
		if seen[e.EventName] == nil {
			seen[e.EventName] = map[string]int{}
		}
		seen[e.EventName][e.Platform]++
	}
	want := map[string][]string{"Push Sent": {"Android", "iOS"}, "Email Opened": {"Email"}, "SMS Delivered": {"SMS"}}
	for name, platforms := range want {
		var got []string
		for p := range seen[name] {
			got = append(got, p)
		}
		slices.Sort(got)
		if !slices.Equal(got, platforms) {
			t.Fatalf("%s drawn on %v, want %v", name, got, platforms)
		}
	}
	// a push event asked for on Email only is made there: the scenario said so
	evs = g.Generate(spec(t, scenarios.Generate{Count: 10, Platforms: []string{"Email"}}))
	for _, e := range evs {
		if e.Platform != "Email" || !strings.Contains(e.HWID, "@") {
			t.Fatalf("Push Sent on Email only: got platform %q hwid %q", e.Platform, e.HWID)
		}
	}
}

func TestLiveActivityShare(t *testing.T) {
	t.Parallel()
	g, _, _ := newGen(13)
	evs := g.Generate(spec(t, scenarios.Generate{Count: 4000, LiveActivity: 0.25, Messages: 2}))
	live := 0
	for _, e := range evs {
		if e.LiveActivityID == "" {
			if e.Payload == "" {
				t.Fatalf("a plain event without payload: %+v", e)
			}
			continue
		}
		live++
		if e.Platform != "iOS" || e.Payload != "" {
			t.Fatalf("live-activity event on %q with payload %q; want iOS, metadata only", e.Platform, e.Payload)
		}
	}
	if live < 900 || live > 1100 {
		t.Fatalf("%d of 4000 events are live-activity events, want about 1000", live)
	}
}

func TestStopCancelsTheTimeline(t *testing.T) {
	t.Parallel()
	g, clk, rec := newGen(1)
	g.Schedule(plans(t, scenarios.Traffic{At: dur("1m"), Generate: scenarios.Generate{Count: 10}},
		scenarios.Traffic{At: 0, Generate: scenarios.Generate{Rate: rate("10/s"), For: dur("1m")}}), clk.Now())
	if got := g.Remaining(); got != 610 {
		t.Fatalf("Remaining = %d, want 610", got)
	}
	clk.Advance(5 * time.Second)
	g.Stop()
	clk.Advance(time.Hour)
	if n := rec.count(); n != 50 || clk.Pending() != 0 || g.Remaining() != 0 {
		t.Fatalf("after Stop at 5s: %d events, %d timers, %d remaining; want 50, 0, 0", n, clk.Pending(), g.Remaining())
	}
}

func TestStopEndsACountBetweenChunks(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(clock.Epoch)
	var g *traffic.Generator
	var sizes []int
	// the world stops while the first chunk of a large count is being published
	g = traffic.NewGenerator(clk, 1, func(evs []catalog.Event) {
		sizes = append(sizes, len(evs))
		g.Stop()
	}, nil)
	g.Schedule(plans(t, scenarios.Traffic{Generate: scenarios.Generate{Count: 5 * traffic.ChunkSize}}), clk.Now())
	clk.Advance(time.Minute)
	if !slices.Equal(sizes, []int{traffic.ChunkSize}) || g.Remaining() != 0 || clk.Pending() != 0 {
		t.Fatalf("after Stop in the first chunk: published %v, %d remaining, %d timers; want [%d], 0, 0",
			sizes, g.Remaining(), clk.Pending(), traffic.ChunkSize)
	}
	// a stopped generator arms nothing more
	g.Schedule(plans(t, scenarios.Traffic{Generate: scenarios.Generate{Count: 3}}), clk.Now())
	clk.Advance(time.Minute)
	if len(sizes) != 1 || g.Remaining() != 0 || clk.Pending() != 0 {
		t.Fatalf("Schedule after Stop: published %v, %d remaining, %d timers; want nothing", sizes, g.Remaining(), clk.Pending())
	}
}

func TestEntriesPastTheirStartCatchUp(t *testing.T) {
	t.Parallel()
	g, clk, rec := newGen(2)
	clk.Advance(time.Hour)
	// the timeline started 90s ago: the count is due, and 30s of the rate
	g.Schedule(plans(t, scenarios.Traffic{At: 0, Generate: scenarios.Generate{Count: 7}},
		scenarios.Traffic{At: dur("1m"), Generate: scenarios.Generate{Rate: rate("2/s"), For: dur("1m")}}), clk.Now().Add(-90*time.Second))
	clk.Advance(0)
	if n := rec.count(); n != 7+60 {
		t.Fatalf("%d events caught up, want 67", n)
	}
	clk.Advance(30 * time.Second)
	if n := rec.count(); n != 7+120 {
		t.Fatalf("%d events at the end, want 127", n)
	}
}
