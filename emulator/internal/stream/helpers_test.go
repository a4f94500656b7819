package stream_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/stream"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// fixture is a hub on a manual clock delivering to a recording receiver.
type fixture struct {
	clk *clock.Manual
	led *ledger.Ledger
	hub *stream.Hub
	rcv *receiver.HTTP
}

// newFixture builds a hub with one HTTP stream to a fresh receiver; edit adjusts the
// stream before the hub is built.
func newFixture(t testing.TB, edit func(*scenarios.Stream), ropts ...receiver.HTTPOption) *fixture {
	t.Helper()
	rcv := receiver.StartHTTP(t, ropts...)
	st := httpStream(rcv.URL() + "/events")
	if edit != nil {
		edit(&st)
	}
	return newFixtureWith(t, rcv, stream.Options{Streams: planStreams(t, st)})
}

func newFixtureWith(t testing.TB, rcv *receiver.HTTP, o stream.Options) *fixture {
	t.Helper()
	clk := clock.NewManual(clock.Epoch)
	// Advance treats work that shows no progress for the patience span as waiting on
	// emulator time. Nothing hangs in most tests, so a long span costs nothing and
	// keeps a loaded machine's slow request from being taken for a hang; tests with
	// hanging receivers set a short one.
	clk.SetPatience(2 * time.Second)
	led := ledger.New()
	o.Clock, o.Ledger = clk, led
	if o.Seed == 0 {
		o.Seed = 7
	}
	hub, err := stream.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hub.Close() })
	return &fixture{clk: clk, led: led, hub: hub, rcv: rcv}
}

// httpStream is an HTTP stream to url taking Push Sent and Email Opened on iOS,
// Android and Email, docs defaults otherwise.
func httpStream(url string) scenarios.Stream {
	return scenarios.Stream{Endpoint: url, Transport: "http", Authorization: "Bearer t0k3n",
		Events: []string{"Push Sent", "Email Opened"}, Platforms: []string{"iOS", "Android", "Email"}}
}

// planStreams checks and resolves streams as the emulator does a scenario's.
func planStreams(t testing.TB, sts ...scenarios.Stream) []scenarios.StreamPlan {
	t.Helper()
	p, err := (&scenarios.Scenario{Streams: sts}).Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p.Streams
}

// planWebhooks checks and resolves webhooks as the emulator does a scenario's.
func planWebhooks(t testing.TB, ws ...scenarios.Webhook) []scenarios.WebhookPlan {
	t.Helper()
	p, err := (&scenarios.Scenario{Webhooks: ws}).Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p.Webhooks
}

// pushEvents makes n events as a generator would: a few messages shared by many
// devices, unique uuid, hwid and user id.
func pushEvents(n int) []catalog.Event { return pushEventsFrom(0, n) }

// pushEventsFrom is pushEvents numbered from `from`: uuids do not repeat across calls
// with disjoint ranges.
func pushEventsFrom(from, n int) []catalog.Event {
	evs := make([]catalog.Event, n)
	for k := range evs {
		i := from + k
		m := i % 10
		evs[k] = catalog.Event{
			UUID:            fmt.Sprintf("00000000-0000-4000-8000-%012d", i),
			EventName:       "Push Sent",
			MessageCode:     messageCodes[m],
			MessageID:       uint64(2000000000 + m),
			CampaignID:      uint64(960000 + m),
			Platform:        "iOS",
			Payload:         "Welcome to Headway! 👋",
			ApplicationCode: "32E5A-9B411",
			HWID:            fmt.Sprintf("hwid-%08x", i),
			UserID:          fmt.Sprint(1000000 + i),
			Timestamp:       1723799271,
		}
	}
	return evs
}

var messageCodes = func() []string {
	out := make([]string, 10)
	for i := range out {
		out[i] = fmt.Sprintf("E682-E6D92B9A-5%07X", i)
	}
	return out
}()

// checkLedger fails the test when the ledger invariant does not hold, overall or for
// one integration.
func checkLedger(t testing.TB, led *ledger.Ledger) ledger.Totals {
	t.Helper()
	tot := led.Totals()
	if !tot.Balanced() {
		t.Fatalf("ledger unbalanced: %+v", tot)
	}
	var sum ledger.Totals
	for name, it := range led.IntegrationTotals() {
		if !it.Balanced() {
			t.Fatalf("ledger of %q unbalanced: %+v", name, it)
		}
		sum.Generated += it.Generated
		sum.Delivered += it.Delivered
		sum.Dropped += it.Dropped
		sum.Filtered += it.Filtered
		sum.Pending += it.Pending
	}
	if sum != tot {
		t.Fatalf("integration totals %+v do not add up to the totals %+v", sum, tot)
	}
	return tot
}

// batchSizes lists the number of events of each request the receiver got.
func batchSizes(rcv *receiver.HTTP) []int {
	var out []int
	for _, r := range rcv.Requests() {
		out = append(out, len(r.Events))
	}
	return out
}

// attemptOffsets lists the attempts of a record as emulator offsets from the epoch.
func attemptOffsets(r ledger.Record) []time.Duration {
	var out []time.Duration
	for _, a := range r.Attempts {
		out = append(out, a.At.Sub(clock.Epoch))
	}
	return out
}

func recordOf(t testing.TB, led *ledger.Ledger, uuid string) ledger.Record {
	t.Helper()
	rs := led.Records(ledger.Query{UUID: uuid})
	if len(rs) != 1 {
		t.Fatalf("ledger has %d records for uuid %s, want 1", len(rs), uuid)
	}
	return rs[0]
}

func status(code int) receiver.HTTPResponse { return receiver.HTTPStatus(code) }

func hang() receiver.HTTPResponse { return receiver.HTTPHang() }

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// waitRequests waits (wall time, bounded) until the receiver has got n requests: for
// work that runs without the clock moving.
func waitRequests(t testing.TB, f *fixture, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := f.rcv.Wait(ctx, func(s receiver.HTTPStats) bool { return s.Requests >= n }); err != nil {
		t.Fatalf("waiting for %d requests: %v (got %+v)", n, err, f.rcv.Stats())
	}
}

// waitTotals waits (wall time, bounded) until the ledger totals satisfy cond: the
// outcome of work a manual Advance may have left running.
func waitTotals(t testing.TB, led *ledger.Ledger, cond func(ledger.Totals) bool) ledger.Totals {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	tot, err := led.Wait(ctx, cond)
	if err != nil {
		t.Fatalf("waiting on the ledger: %v (totals %+v)", err, tot)
	}
	return tot
}

// hangPatience is the patience of tests whose receiver hangs: short, since each hang
// costs Advance one span of wall time.
const hangPatience = 100 * time.Millisecond
