package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/scenarios/expect"
)

// Finished reports whether the running scenario is over, elapsed emulator time after its
// start: its duration has passed, or nothing is left to generate, publish or deliver.
// A scenario that generates nothing (one for API clients) lasts its whole duration.
func (e *Emulator) Finished(elapsed time.Duration) bool {
	sc := e.Scenario()
	if d := sc.Duration.D(); d > 0 && elapsed >= d {
		return true
	}
	if len(sc.Traffic) == 0 && sc.Duration > 0 {
		return false
	}
	return !e.Busy()
}

// maxSteps bounds Play on a manual clock: every step fires at least one timer.
const maxSteps = 10_000_000

// Play runs the scenario to its end (see Finished). On a manual clock it jumps from
// timer to timer — the scenario plays as fast as the receivers answer; on other clocks
// it waits in wall time. progress, when not nil, is called at every step.
func (e *Emulator) Play(ctx context.Context, progress func(elapsed time.Duration, t ledger.Totals)) error {
	w := e.world()
	show := func(elapsed time.Duration) {
		if progress != nil {
			progress(elapsed, w.ledger.Totals())
		}
	}
	m, manual := w.clock.(*clock.Manual)
	if !manual {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			elapsed := w.clock.Now().Sub(w.start)
			show(elapsed)
			if e.Finished(elapsed) {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("stopped at +%s: %w", elapsed.Truncate(time.Second), ctx.Err())
			case <-tick.C:
			}
		}
	}
	end := w.scenario.Duration.D()
	m.Advance(0)
	for step := 0; step < maxSteps; step++ {
		elapsed := m.Now().Sub(w.start)
		show(elapsed)
		if e.Finished(elapsed) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped at +%s: %w", elapsed, err)
		}
		next, ok := m.Next()
		if end > 0 && (!ok || next.Sub(w.start) > end) {
			m.Advance(w.start.Add(end).Sub(m.Now()))
			continue
		}
		if !ok {
			return fmt.Errorf("nothing left to play at +%s but %d event(s) pending", elapsed, w.ledger.Totals().Pending)
		}
		m.Advance(next.Sub(m.Now()))
	}
	return fmt.Errorf("stopped after %d steps", maxSteps)
}

// Outcome is what the run has shown so far, for checking a scenario's expectations.
func (e *Emulator) Outcome() expect.Outcome {
	w := e.world()
	t := w.ledger.Totals()
	sum := w.ledger.Summarize()
	o := expect.Outcome{Generated: t.Generated, Delivered: t.Delivered, Dropped: t.Dropped,
		Filtered: t.Filtered, Pending: t.Pending, MaxLatency: sum.MaxLatency, MaxDelay: sum.MaxDelay,
		MaxAttempts: sum.MaxAttempts, Duplicates: sum.Duplicates, StatusCounts: sum.StatusCounts,
		APIStatusCounts: map[int]int{}, APICodeCounts: map[int]int{}}
	for _, c := range w.ledger.Causes() {
		ic := expect.Causes{Integration: c.Integration, Attempts: c.Requests}
		for _, g := range c.Groups {
			ic.Causes = append(ic.Causes, expect.Cause{What: g.What, Count: g.Count, First: g.First, Last: g.Last})
		}
		o.Causes = append(o.Causes, ic)
	}
	for _, call := range w.journal.Entries() {
		o.APICalls++
		o.APIStatusCounts[call.HTTPStatus]++
		var env struct {
			StatusCode int `json:"status_code"`
		}
		if json.Unmarshal(call.Response, &env) == nil {
			o.APICodeCounts[env.StatusCode]++
		}
	}
	return o
}

// Report checks the scenario's expectations against the outcome.
func (e *Emulator) Report(wall time.Duration) expect.Report {
	return expect.NewReport(e.Scenario(), wall, e.Outcome())
}
