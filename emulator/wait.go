package emulator

import (
	"context"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/control"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
)

// DefaultWaitTimeout bounds a Wait whose context has no deadline.
const DefaultWaitTimeout = 30 * time.Second

// StalledError is what Wait returns on a manual clock when the condition does not hold
// and cannot change unless the clock moves; it names the next timer's time.
type StalledError = control.StalledError

// Wait blocks until cond holds for the ledger totals and returns them. It gives up when
// ctx ends (after DefaultWaitTimeout when ctx has no deadline) and, on a manual clock,
// at once with *StalledError when nothing is in flight and only timers lie ahead: such
// a wait would otherwise hang, since only Advance can make anything happen.
func (e *Emulator) Wait(ctx context.Context, cond func(Totals) bool) (Totals, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultWaitTimeout)
		defer cancel()
	}
	w := e.world()
	manual, _ := w.clock.(*clock.Manual)
	for {
		// Read the clock's state before the totals: work that was over before the
		// check has written its records by then, so an idle clock and totals that do
		// not hold mean the totals will not move by themselves.
		var idle bool
		var clockChanged <-chan struct{}
		if manual != nil {
			idle, clockChanged = manual.Idle()
		}
		t, ledgerChanged, err := w.ledger.Watch()
		if err != nil {
			return t, err
		}
		if cond(t) {
			return t, nil
		}
		if idle {
			next, ok := manual.Next()
			return t, &StalledError{Now: manual.Now(), Next: next, HasNext: ok, Totals: t}
		}
		select {
		case <-ledgerChanged:
		case <-clockChanged:
		case <-ctx.Done():
			return t, ctx.Err()
		}
	}
}

func (b backend) Wait(ctx context.Context, cond func(ledger.Totals) bool) (ledger.Totals, error) {
	return b.e.Wait(ctx, cond)
}
