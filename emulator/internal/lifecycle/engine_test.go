package lifecycle_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/scenarios"
)

// recorder is a publish function that keeps every event.
type recorder struct {
	mu    sync.Mutex
	evs   []catalog.Event
	calls int
}

func (r *recorder) publish(evs []catalog.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.evs = append(r.evs, evs...)
	r.calls++
}

// byName counts the events recorded so far per event name.
func (r *recorder) byName() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int{}
	for _, e := range r.evs {
		out[e.EventName]++
	}
	return out
}

func (r *recorder) all() []catalog.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.evs)
}

func newEngine(seed int64, cfg scenarios.Lifecycle) (*lifecycle.Engine, *clock.Manual, *recorder) {
	clk := clock.NewManual(clock.Epoch)
	rec := &recorder{}
	return lifecycle.NewEngine(clk, seed, rec.publish, planLifecycle(cfg)), clk, rec
}

// planLifecycle checks and resolves cfg as the emulator does a scenario's.
func planLifecycle(cfg scenarios.Lifecycle) scenarios.LifecyclePlan {
	p, err := (&scenarios.Scenario{Lifecycle: cfg}).Plan()
	if err != nil {
		panic(err) // a test's own configuration
	}
	return p.Lifecycle
}

// message is a message to n devices on platform.
func message(n int, platform string) lifecycle.Message {
	m := lifecycle.Message{Code: "C3F8-C3863ED4-334AD4F1", ID: 2000003258, CampaignID: 961048,
		ApplicationCode: "32E5A-9B411", Content: "Welcome to Headway! 👋"}
	for i := range n {
		m.Targets = append(m.Targets, lifecycle.Target{
			HWID: fmt.Sprintf("hwid-%04d", i), UserID: fmt.Sprintf("user-%04d", i), Platform: platform})
	}
	return m
}

func TestStagesOnTheClock(t *testing.T) {
	t.Parallel()
	e, clk, rec := newEngine(42, scenarios.Lifecycle{})
	e.Message(message(1000, "iOS"))
	// sent at once, before Message returns
	if got := rec.byName(); got["Push Sent"] != 1000 || len(got) != 1 {
		t.Fatalf("right after Message: %v, want 1000 Push Sent only", got)
	}
	clk.Advance(999 * time.Millisecond)
	if got := rec.byName(); len(got) != 1 {
		t.Fatalf("before the 1s delay: %v", got)
	}
	clk.Advance(time.Millisecond)
	if got := rec.byName(); got["Push Delivered"] != 900 || got["Push Opened"] != 0 {
		t.Fatalf("at 1s: %v, want 900 Push Delivered (0.9 of 1000) and no Push Opened", got)
	}
	clk.Advance(time.Second)
	if got := rec.byName(); got["Push Opened"] != 270 {
		t.Fatalf("at 2s: %v, want 270 Push Opened (0.3 of 900)", got)
	}
	clk.Advance(time.Hour)
	if got := rec.byName(); got["Push Sent"] != 1000 || got["Push Delivered"] != 900 || got["Push Opened"] != 270 {
		t.Fatalf("in the end: %v", got)
	}
	if e.Pending() != 0 || clk.Pending() != 0 {
		t.Fatalf("%d messages, %d timers still pending", e.Pending(), clk.Pending())
	}

	// every stage is stamped with its own time; opened ⊆ delivered ⊆ sent
	delivered := map[string]bool{}
	for _, ev := range rec.all() {
		want := map[string]int64{"Push Sent": 0, "Push Delivered": 1, "Push Opened": 2}[ev.EventName]
		if ev.Timestamp != clock.Epoch.Unix()+want {
			t.Fatalf("%s stamped %d, want epoch+%d", ev.EventName, ev.Timestamp, want)
		}
		switch ev.EventName {
		case "Push Delivered":
			delivered[ev.HWID] = true
		case "Push Opened":
			if !delivered[ev.HWID] {
				t.Fatalf("%s opened without being delivered", ev.HWID)
			}
		}
	}
}

func TestEventsCarryTheMessage(t *testing.T) {
	t.Parallel()
	e, clk, rec := newEngine(1, scenarios.Lifecycle{})
	m := message(3, "Android")
	m.Targets[1].UserID = "" // no user id: Pushwoosh uses the hwid
	e.Message(m)
	clk.Advance(time.Minute)
	for _, ev := range rec.all() {
		want := catalog.Event{EventName: ev.EventName, MessageCode: m.Code, MessageID: m.ID,
			CampaignID: m.CampaignID, Platform: "Android", Payload: m.Content,
			ApplicationCode: m.ApplicationCode, HWID: ev.HWID, UserID: ev.UserID, Timestamp: ev.Timestamp}
		if ev != want {
			t.Fatalf("event %+v\nwant   %+v", ev, want)
		}
		i := strings.TrimPrefix(ev.HWID, "hwid-")
		wantUser := "user-" + i
		if i == "0001" {
			wantUser = "hwid-0001"
		}
		if ev.UserID != wantUser {
			t.Fatalf("%s has user id %q, want %q", ev.HWID, ev.UserID, wantUser)
		}
	}
}

func TestPlatformStages(t *testing.T) {
	t.Parallel()
	one := 1.0
	e, clk, rec := newEngine(5, scenarios.Lifecycle{Delivered: &one, Opened: &one, Delay: scenarios.Duration(time.Minute)})
	m := message(0, "")
	for i, p := range []string{"iOS", "Email", "SMS", "Chrome"} {
		m.Targets = append(m.Targets, lifecycle.Target{HWID: fmt.Sprint("h", i), UserID: "u", Platform: p})
	}
	e.Message(m)
	clk.Advance(time.Minute)
	if got := rec.byName(); !equalCounts(got, map[string]int{"Push Sent": 2, "Email Sent": 1, "SMS Sent": 1,
		"Push Delivered": 2, "Email Delivered": 1, "SMS Delivered": 1}) {
		t.Fatalf("after one delay: %v", got)
	}
	clk.Advance(time.Minute)
	if got := rec.byName(); got["Push Opened"] != 2 || got["Email Opened"] != 1 || len(got) != 8 {
		t.Fatalf("after two delays: %v, want 2 Push Opened, 1 Email Opened, no SMS opening", got)
	}
	if got := lifecycle.Stages("WhatsApp"); got != [3]string{"Push Sent", "Push Delivered", "Push Opened"} {
		t.Fatalf("Stages(WhatsApp) = %v", got)
	}
}

func equalCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// run plays messages of the given sizes and returns the delivered and opened hwids.
func run(seed int64, sizes ...int) (delivered, opened []string) {
	e, clk, rec := newEngine(seed, scenarios.Lifecycle{})
	for i, n := range sizes {
		m := message(n, "iOS")
		for j := range m.Targets {
			m.Targets[j].HWID = fmt.Sprintf("m%d-%d", i, j)
		}
		e.Message(m)
	}
	clk.Advance(time.Minute)
	for _, ev := range rec.all() {
		switch ev.EventName {
		case "Push Delivered":
			delivered = append(delivered, ev.HWID)
		case "Push Opened":
			opened = append(opened, ev.HWID)
		}
	}
	return delivered, opened
}

func TestSameSeedSameTargets(t *testing.T) {
	t.Parallel()
	d1, o1 := run(7, 50, 3, 200)
	d2, o2 := run(7, 50, 3, 200)
	if !slices.Equal(d1, d2) || !slices.Equal(o1, o2) {
		t.Fatal("seed 7 chose different targets on two runs")
	}
	d3, _ := run(8, 50, 3, 200)
	if slices.Equal(d1, d3) {
		t.Fatal("seeds 7 and 8 chose the same targets")
	}
}

func TestSharesAddUpOverSmallMessages(t *testing.T) {
	t.Parallel()
	sizes := slices.Repeat([]int{1}, 2000)
	delivered, opened := run(3, sizes...)
	// 0.9 of 2000 one-target messages, and 0.3 of those: exact in expectation, so
	// within a few percent for any seed (the seed fixes the numbers)
	if len(delivered) < 1750 || len(delivered) > 1850 {
		t.Fatalf("%d of 2000 one-target messages delivered, want about 1800", len(delivered))
	}
	want := 0.3 * float64(len(delivered))
	if got := float64(len(opened)); got < want-80 || got > want+80 {
		t.Fatalf("%d of %d delivered opened, want about %.0f", len(opened), len(delivered), want)
	}
}

func TestConfiguredSharesAndDisabled(t *testing.T) {
	t.Parallel()
	half, none := 0.5, 0.0
	e, clk, rec := newEngine(1, scenarios.Lifecycle{Delivered: &half, Opened: &none,
		Delay: scenarios.Duration(30 * time.Second)})
	e.Message(message(10, "Android"))
	clk.Advance(29 * time.Second)
	if got := rec.byName(); len(got) != 1 {
		t.Fatalf("before the 30s delay: %v", got)
	}
	clk.Advance(time.Hour)
	if got := rec.byName(); !equalCounts(got, map[string]int{"Push Sent": 10, "Push Delivered": 5}) {
		t.Fatalf("delivered 0.5, opened 0: %v", got)
	}

	off, clk2, rec2 := newEngine(1, scenarios.Lifecycle{Disabled: true})
	off.Message(message(10, "iOS"))
	clk2.Advance(time.Hour)
	if got := rec2.byName(); len(got) != 0 {
		t.Fatalf("a disabled lifecycle published %v", got)
	}
}

func TestStop(t *testing.T) {
	t.Parallel()
	e, clk, rec := newEngine(9, scenarios.Lifecycle{})
	m := message(100, "iOS")
	e.Message(m)
	first := rec.all()
	clk.Advance(time.Second) // delivered
	e.Stop()
	clk.Advance(time.Hour)
	if got := rec.byName(); got["Push Opened"] != 0 || got["Push Delivered"] != 90 || clk.Pending() != 0 || e.Pending() != 0 {
		t.Fatalf("after Stop: %v, %d timers, %d pending messages", got, clk.Pending(), e.Pending())
	}
	if len(first) != 100 {
		t.Fatalf("%d sent events, want 100", len(first))
	}
}

func TestMessagesAfterStopAreIgnored(t *testing.T) {
	t.Parallel()
	e, clk, rec := newEngine(9, scenarios.Lifecycle{})
	e.Stop()
	e.Message(message(100, "iOS"))
	clk.Advance(time.Hour)
	if got := rec.byName(); len(got) != 0 || clk.Pending() != 0 || e.Pending() != 0 {
		t.Fatalf("a message after Stop: published %v, %d timers, %d pending messages; want nothing", got, clk.Pending(), e.Pending())
	}
}

func TestStopEndsAStageBetweenChunks(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(clock.Epoch)
	var e *lifecycle.Engine
	var sizes []int
	// the world stops while the first chunk of a large message's sent events is out
	e = lifecycle.NewEngine(clk, 3, func(evs []catalog.Event) {
		sizes = append(sizes, len(evs))
		e.Stop()
	}, planLifecycle(scenarios.Lifecycle{}))
	e.Message(message(2500, "Android"))
	clk.Advance(time.Hour)
	if !slices.Equal(sizes, []int{1000}) || clk.Pending() != 0 || e.Pending() != 0 {
		t.Fatalf("after Stop in the first chunk: published %v, %d timers, %d pending messages; want [1000], 0, 0",
			sizes, clk.Pending(), e.Pending())
	}
}

func TestLargeMessagesAreChunked(t *testing.T) {
	t.Parallel()
	e, clk, rec := newEngine(2, scenarios.Lifecycle{})
	e.Message(message(2500, "Android"))
	if rec.calls != 3 {
		t.Fatalf("2500 sent events in %d publish calls, want 3", rec.calls)
	}
	clk.Advance(2 * time.Second)
	if got := rec.byName(); got["Push Delivered"] != 2250 || got["Push Opened"] != 675 {
		t.Fatalf("%v, want 2250 delivered, 675 opened", got)
	}
}
