// Package traffic plays a scenario's `traffic:` timeline: events pwemu generates by
// itself, all at once (count) or at a rate for a span, on the emulator clock, with
// realistic seeded fake data. It also generates one-shot batches on demand.
package traffic

import (
	"math"
	"math/bits"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/fixtures"
	"github.com/pwemu/pwemu/scenarios"
)

// ChunkSize is the most events one publish call carries.
const ChunkSize = 1000

// Generator turns generate plans into events and hands them to publish. Every entry
// and every Generate call draws from its own Faker, seeded from the Generator's seed
// and its rank: the same seed and the same calls give the same events, whatever the
// timing. Every published slice is new (publish may keep it);
// events have their timestamp (emulator time, unix seconds) and no uuid.
//
// A Generator is safe for concurrent use.
type Generator struct {
	clk     clock.Clock
	seed    uint64
	publish func([]catalog.Event)
	apps    []string

	mu      sync.Mutex
	stopped bool   // set by Stop: runs do nothing more
	drawn   uint64 // sources made so far: the rank of the next one
	runs    map[*run]struct{}
}

// NewGenerator returns a Generator on clk. apps are the application codes events belong to
// when a plan names none (the scenario's applications); with none, codes are made up.
func NewGenerator(clk clock.Clock, seed int64, publish func([]catalog.Event), apps []string) *Generator {
	if publish == nil {
		publish = func([]catalog.Event) {}
	}
	return &Generator{
		clk:     clk,
		seed:    uint64(seed),
		publish: publish,
		apps:    append([]string(nil), apps...),
		runs:    map[*run]struct{}{},
	}
}

// Schedule arms the timeline entries: each starts at start + at. A count entry
// publishes its events at once (in chunks of ChunkSize); a rate entry publishes, on
// every tick of its span, the events due by then, so that exactly its Count events
// are out when the span ends. Ticks are a second apart, or one event apart when the
// rate is below one a second. The entries come checked and resolved by scenarios.
// Nothing is armed after Stop.
func (g *Generator) Schedule(entries []scenarios.TrafficPlan, start time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return
	}
	now := g.clk.Now()
	for _, e := range entries {
		r := &run{
			g:     g,
			src:   g.newSource(e.Generate),
			begin: start.Add(e.At),
			total: e.Generate.Count,
		}
		first := r.begin
		if e.Generate.PerSecond > 0 {
			r.span = e.Generate.For
			r.tick = tickFor(e.Generate.PerSecond)
			first = r.begin.Add(min(r.tick, r.span))
		}
		g.runs[r] = struct{}{}
		r.timer = g.clk.AfterFunc(first.Sub(now), r.fire)
	}
}

// tickFor is the time between two publishes of a rate: a second, or the time one
// event takes when that is longer.
func tickFor(perSecond float64) time.Duration {
	if perSecond >= 1 {
		return time.Second
	}
	return time.Duration(math.Round(float64(time.Second) / perSecond))
}

// Generate returns the events of a count plan (made by Scenario.CheckGenerate) at
// once, stamped with the clock's now, without publishing them (POST /_pwemu/events
// {"generate": …}).
func (g *Generator) Generate(spec scenarios.GeneratePlan) []catalog.Event {
	g.mu.Lock()
	src := g.newSource(spec)
	g.mu.Unlock()
	evs := make([]catalog.Event, spec.Count)
	src.fill(evs, g.clk.Now().Unix())
	return evs
}

// newSource makes the source of the next rank; g.mu must be held.
func (g *Generator) newSource(spec scenarios.GeneratePlan) *source {
	seed := fixtures.SubSeed(g.seed, g.drawn)
	g.drawn++
	return newSource(spec, seed, g.apps)
}

// Stop cancels every scheduled entry for good: nothing more is published, apart from
// a chunk being published at that very moment.
func (g *Generator) Stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.stopped = true
	for r := range g.runs {
		r.timer.Stop()
	}
	clear(g.runs)
}

func (g *Generator) isStopped() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.stopped
}

// Remaining is the number of events scheduled entries have still to publish; 0 once
// the timeline has played out (or was stopped).
func (g *Generator) Remaining() int64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	var n int64
	for r := range g.runs {
		n += r.total - r.sent
	}
	return n
}

// run is one scheduled entry. Its firings form a chain (each arms the next), so only
// one runs at a time; g.mu guards timer and sent.
type run struct {
	g     *Generator
	src   *source
	begin time.Time     // start + at
	span  time.Duration // for; 0 for a count entry
	tick  time.Duration
	total int64
	sent  int64
	timer clock.Timer
}

// fire publishes the events due by now and arms the next tick.
func (r *run) fire() {
	g := r.g
	g.mu.Lock()
	if g.stopped {
		g.mu.Unlock()
		return
	}
	sent := r.sent
	g.mu.Unlock()

	now := g.clk.Now()
	due, elapsed := r.total, r.span
	if r.span > 0 {
		elapsed = min(max(now.Sub(r.begin), 0), r.span)
		due = r.dueAfter(elapsed)
	}
	g.emit(r.src, due-sent, now.Unix())

	g.mu.Lock()
	defer g.mu.Unlock()
	if g.stopped {
		return
	}
	r.sent = due
	if due >= r.total {
		delete(g.runs, r)
		return
	}
	// the next tick on the grid begin + k·tick, the last one at the end of the span
	next := min((elapsed/r.tick+1)*r.tick, r.span)
	r.timer = g.clk.AfterFunc(r.begin.Add(next).Sub(now), r.fire)
}

// dueAfter is how many events are due once elapsed of the span has passed:
// ⌊total·elapsed/span⌋ in exact integer arithmetic, so the total comes out exact.
func (r *run) dueAfter(elapsed time.Duration) int64 {
	if elapsed >= r.span {
		return r.total
	}
	hi, lo := bits.Mul64(uint64(r.total), uint64(elapsed))
	q, _ := bits.Div64(hi, lo, uint64(r.span))
	return int64(q)
}

// emit publishes n new events from src in chunks of ChunkSize, until Stop: a large
// count must not keep publishing into a world that was stopped.
func (g *Generator) emit(src *source, n, ts int64) {
	for n > 0 && !g.isStopped() {
		c := min(n, ChunkSize)
		evs := make([]catalog.Event, c)
		src.fill(evs, ts)
		g.publish(evs)
		n -= c
	}
}
