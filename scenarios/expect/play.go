package expect

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pwemu/pwemu/emulator"
)

// maxSteps bounds Play on a manual clock: every step fires at least one timer.
const maxSteps = 10_000_000

// Play runs emu's scenario to its end (see finished). On a manual clock it jumps from
// timer to timer — the scenario plays as fast as the receivers answer; on other clocks
// it waits in wall time. progress, when not nil, is called at every step.
func Play(ctx context.Context, emu *emulator.Emulator, progress func(elapsed time.Duration, t emulator.Totals)) error {
	show := func(elapsed time.Duration) {
		if progress != nil {
			progress(elapsed, emu.Totals())
		}
	}
	if emu.ClockInfo().Mode != string(emulator.ClockManual) {
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			elapsed := emu.Elapsed()
			show(elapsed)
			if finished(emu, elapsed) {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("stopped at +%s: %w", elapsed.Truncate(time.Second), ctx.Err())
			case <-tick.C:
			}
		}
	}
	end := emu.Scenario().Duration.D()
	if _, err := emu.Advance(0); err != nil {
		return err
	}
	for step := 0; step < maxSteps; step++ {
		elapsed := emu.Elapsed()
		show(elapsed)
		if finished(emu, elapsed) {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("stopped at +%s: %w", elapsed, err)
		}
		after, ok := emu.NextTimer()
		if end > 0 && (!ok || elapsed+after > end) {
			emu.Advance(end - elapsed)
			continue
		}
		if !ok {
			return fmt.Errorf("nothing left to play at +%s but %d event(s) pending", elapsed, emu.Totals().Pending)
		}
		emu.Advance(after)
	}
	return fmt.Errorf("stopped after %d steps", maxSteps)
}

// finished reports whether the running scenario is over, elapsed emulator time after
// its start: its duration has passed, or nothing is left to generate, publish or
// deliver. A scenario that generates nothing (one for API clients) lasts its whole
// duration.
func finished(emu *emulator.Emulator, elapsed time.Duration) bool {
	sc := emu.Scenario()
	if d := sc.Duration.D(); d > 0 && elapsed >= d {
		return true
	}
	if len(sc.Traffic) == 0 && sc.Duration > 0 {
		return false
	}
	return !emu.Busy()
}

// Observe is what emu's run has shown so far, as its ledger and API journal count it.
func Observe(emu *emulator.Emulator) Outcome {
	t := emu.Totals()
	sum := emu.Summary()
	o := Outcome{Generated: t.Generated, Delivered: t.Delivered, Dropped: t.Dropped,
		Filtered: t.Filtered, Pending: t.Pending, MaxLatency: sum.MaxLatency, MaxDelay: sum.MaxDelay,
		MaxAttempts: sum.MaxAttempts, Duplicates: sum.Duplicates, StatusCounts: sum.StatusCounts,
		APIStatusCounts: map[int]int{}, APICodeCounts: map[int]int{}}
	for _, c := range emu.Causes() {
		ic := Causes{Integration: c.Integration, Attempts: c.Requests}
		for _, g := range c.Groups {
			ic.Causes = append(ic.Causes, Cause{What: g.What, Count: g.Count, First: g.First, Last: g.Last})
		}
		o.Causes = append(o.Causes, ic)
	}
	for _, call := range emu.Calls() {
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

// Judge checks the running scenario's expectations against what emu's run has shown;
// wall is how long the run took.
func Judge(emu *emulator.Emulator, wall time.Duration) Report {
	return NewReport(emu.Scenario(), wall, Observe(emu))
}

// JudgeJSON is Judge written as `pwemu run --json` writes it: what an emulator serves
// at GET /_pwemu/report (emulator.Config.Judge).
func JudgeJSON(emu *emulator.Emulator, wall time.Duration) ([]byte, error) {
	var buf bytes.Buffer
	if err := WriteJSON(&buf, Judge(emu, wall)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
