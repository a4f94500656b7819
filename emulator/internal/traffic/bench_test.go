package traffic_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/traffic"
	"github.com/pwemu/pwemu/fixtures"
	"github.com/pwemu/pwemu/scenarios"
)

var published int

func sink(evs []catalog.Event) { published += len(evs) }

// BenchmarkMillionEvents measures making 1,000,000 events per op. The baseline only
// allocates the published chunks and copies one fixed event into them: the floor any
// generator pays. ns/event and B/event are per generated event.
func BenchmarkMillionEvents(b *testing.B) {
	const n = 1_000_000
	b.Run("baseline=copy-one-event", func(b *testing.B) {
		proto := fixtures.DocsEvent()
		perEvent(b, n, func() {
			for left := n; left > 0; left -= traffic.ChunkSize {
				evs := make([]catalog.Event, min(left, traffic.ChunkSize))
				for i := range evs {
					evs[i] = proto
				}
				sink(evs)
			}
		})
	})
	b.Run("count=1M", func(b *testing.B) {
		perEvent(b, n, func() {
			playOnce(b, scenarios.Generate{Count: n})
		})
	})
	b.Run("rate=10000/s-for-100s", func(b *testing.B) {
		perEvent(b, n, func() {
			playOnce(b, scenarios.Generate{Rate: scenarios.Rate{N: 10000, Per: time.Second}, For: scenarios.Duration(100 * time.Second)})
		})
	})
	b.Run("count=1M-mixed", func(b *testing.B) {
		perEvent(b, n, func() {
			playOnce(b, scenarios.Generate{Count: n, Messages: 100, LiveActivity: 0.05,
				Events:    []string{"Push Sent", "Push Delivered", "Push Opened", "Email Sent", "Email Opened"},
				Platforms: []string{"iOS", "Android", "Chrome", "Email", "SMS"}})
		})
	})
}

func playOnce(b *testing.B, spec scenarios.Generate) {
	clk := clock.NewManual(clock.Epoch)
	g := traffic.NewGenerator(clk, 1, sink, []string{"32E5A-9B411"})
	entries := plans(b, scenarios.Traffic{Generate: spec})
	g.Schedule(entries, clk.Now())
	clk.Advance(entries[0].Generate.For)
	if g.Remaining() != 0 {
		b.Fatalf("%d events not generated", g.Remaining())
	}
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
	events := float64(ops * n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/events, "ns/event")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/events, "B/event")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/events, "allocs/event")
}
