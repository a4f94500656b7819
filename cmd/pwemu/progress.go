package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pwemu/pwemu/emulator"
)

// progress shows how a run goes: a line redrawn in place on a terminal, and on
// anything else (a CI log) a line every logEvery of wall time, so that a long run is
// seen to be alive without flooding the log.
type progress struct {
	w     io.Writer
	tty   bool
	last  time.Time
	start time.Time
	shown bool
}

const (
	ttyEvery = 100 * time.Millisecond
	logEvery = 5 * time.Second
)

func progressWriter(w io.Writer) *progress {
	p := &progress{w: w, start: time.Now(), last: time.Now()}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) show(elapsed time.Duration, t emulator.Totals) {
	every := logEvery
	if p.tty {
		every = ttyEvery
	}
	if time.Since(p.last) < every {
		return
	}
	p.last, p.shown = time.Now(), true
	line := fmt.Sprintf("+%-10s generated %d  delivered %d  dropped %d  filtered %d  pending %d",
		elapsed.Truncate(time.Second), t.Generated, t.Delivered, t.Dropped, t.Filtered, t.Pending)
	if p.tty {
		fmt.Fprintf(p.w, "\r  %s   ", line)
		return
	}
	fmt.Fprintf(p.w, "pwemu run: %s (wall %s)\n", line, time.Since(p.start).Truncate(time.Second))
}

func (p *progress) done() {
	if p.tty && p.shown {
		fmt.Fprintln(p.w)
	}
}
