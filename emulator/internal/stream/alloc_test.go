package stream_test

import (
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/stream"
	"github.com/pwemu/pwemu/scenarios"
)

// Publishing costs a few allocations a call, not any per event: the recording side of
// the sender's per-event cost must not grow back (allocations, not time, so the guard
// holds on any machine).
func TestPublishAllocatesPerCallNotPerEvent(t *testing.T) {
	st := httpStream("http://127.0.0.1:9/events") // never reached: no batch fills up
	st.Batch = scenarios.Batch{Size: 1 << 20, Interval: scenarios.Duration(time.Hour)}
	led := ledger.New()
	hub, err := stream.New(stream.Options{Clock: clock.NewManual(clock.Epoch), Ledger: led, Streams: planStreams(t, st)})
	if err != nil {
		t.Fatal(err)
	}
	defer hub.Close()
	const n = 1000
	evs := pushEvents(n)
	for i := range evs {
		evs[i].UUID = "" // the hub makes them
	}
	hub.Publish(evs) // the shapes of the 10 messages are interned once
	allocs := testing.AllocsPerRun(50, func() { hub.Publish(evs) })
	// uuids, reasons, pending ids, the batcher's queue growing, a ledger chunk now
	// and then: a handful per call.
	if allocs > 12 {
		t.Fatalf("%.0f allocations to publish %d events, want at most 12", allocs, n)
	}
}
