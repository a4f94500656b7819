package control

import (
	"fmt"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/ledger"
)

// StalledError is a wait on a manual clock whose condition cannot change unless the
// clock moves: no work is in flight, only timers lie ahead. Waiting would hang until
// the timeout, so the wait ends at once and says what to do.
type StalledError struct {
	Now     time.Time // emulator time of the wait
	Next    time.Time // the next timer's emulator time, when HasNext
	HasNext bool
	Totals  ledger.Totals
}

func (e *StalledError) Error() string {
	if !e.HasNext {
		return "the condition does not hold and nothing can change it: the clock is manual, nothing is in flight and no timer is set (inject events or call the API first)"
	}
	return fmt.Sprintf("the condition does not hold and nothing is in flight on the manual clock: nothing will happen until %s (in %s); call Advance",
		clockTime(e.Now, e.Next), e.Next.Sub(e.Now))
}

// clockTime writes t as a time of day, with the date when it is not now's.
func clockTime(now, t time.Time) string {
	if y1, m1, d1 := now.Date(); true {
		if y2, m2, d2 := t.Date(); y1 == y2 && m1 == m2 && d1 == d2 {
			return t.Format("15:04:05")
		}
	}
	return t.Format("2006-01-02 15:04:05")
}
