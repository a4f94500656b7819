package stream_test

import (
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// A hanging receiver must not make the manual clock slower than real time: Advance
// waits for a request in flight once (its patience), not once per timer, and the
// request is cut by its emulator-time timeout as soon as the clock passes it. Once cut
// for a time out, the next request to the same receiver gets a short patience.
func TestHangingReceiverDoesNotHoldTheManualClockPerTimer(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) {
		s.Batch.Interval = scenarios.Duration(time.Second)
		s.Timeout = scenarios.Duration(5 * time.Second)
		s.Retry.Delays = []scenarios.Duration{scenarios.Duration(time.Second)}
	}, receiver.WithHTTPDefault(hang()))
	f.clk.SetPatience(hangPatience)
	// One event a second for 60 seconds, as traffic would publish it.
	events := pushEvents(60)
	var publish func(i int)
	publish = func(i int) {
		f.hub.Publish(events[i : i+1])
		if i+1 < len(events) {
			f.clk.AfterFunc(time.Second, func() { publish(i + 1) })
		}
	}
	f.clk.AfterFunc(time.Second, func() { publish(0) })

	start := time.Now()
	f.clk.Advance(60 * time.Second)
	t.Logf("advancing 60s with a hanging receiver took %v of wall time, %d stalls", time.Since(start), f.clk.Stalls())

	requests := map[uint64]bool{}
	for _, r := range f.led.Records(ledger.Query{}) {
		for _, a := range r.Attempts {
			requests[a.Request] = true
			if a.Error != "timeout: no answer within 5s" || a.Latency != 5*time.Second {
				t.Fatalf("attempt %+v, want a 5s timeout", a)
			}
		}
	}
	// One send slot: a request every 5s of emulator time, its retries beside it.
	if len(requests) < 60/5 {
		t.Fatalf("%d requests cut by their timeout in 60s, want at least %d", len(requests), 60/5)
	}
	// Each request held the clock at most once (those still in flight at the end, a
	// send and a retry, included); per timer it would be 60 times and more.
	if stalls := f.clk.Stalls(); stalls > len(requests)+2 {
		t.Fatalf("Advance stalled %d times for %d requests: it waited on the hanging receiver per timer", stalls, len(requests))
	}
	checkLedger(t, f.led)
}
