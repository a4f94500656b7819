package lifecycle_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/scenarios"
)

var published int

func sink(evs []catalog.Event) { published += len(evs) }

// BenchmarkMessage plays one message to 100,000 targets through its three stages
// (100,000 sent + 90,000 delivered + 27,000 opened events). The baseline copies one
// fixed event into chunks of the same total size. ns/event and B/event are per event.
func BenchmarkMessage(b *testing.B) {
	const targets, total = 100_000, 100_000 + 90_000 + 27_000
	m := message(targets, "Android")
	b.Run("baseline=copy-one-event", func(b *testing.B) {
		proto := catalog.Event{EventName: "Push Sent", MessageCode: m.Code, Platform: "Android"}
		perEvent(b, total, func() {
			for left := total; left > 0; left -= 1000 {
				evs := make([]catalog.Event, min(left, 1000))
				for i := range evs {
					evs[i] = proto
				}
				sink(evs)
			}
		})
	})
	b.Run("lifecycle", func(b *testing.B) {
		perEvent(b, total, func() {
			clk := clock.NewManual(clock.Epoch)
			e := lifecycle.NewEngine(clk, 1, sink, planLifecycle(scenarios.Lifecycle{}))
			e.Message(m)
			clk.Advance(2 * time.Second)
		})
	})
}

func perEvent(b *testing.B, n int, op func()) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	ops := 0
	for b.Loop() {
		op()
		ops++
	}
	runtime.ReadMemStats(&after)
	evs := float64(ops * n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/evs, "ns/event")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/evs, "B/event")
}
