package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/pwemu/pwemu/emulator"
)

// progress shows a one-line status on a terminal, and nothing elsewhere (CI logs).
type progress struct {
	w     io.Writer
	last  time.Time
	shown bool
}

func progressWriter(w io.Writer) *progress {
	f, ok := w.(*os.File)
	if !ok {
		return &progress{}
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return &progress{}
	}
	return &progress{w: w}
}

func (p *progress) show(elapsed time.Duration, t emulator.Totals) {
	if p.w == nil || time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.shown = time.Now(), true
	fmt.Fprintf(p.w, "\r  +%-10s generated %d  delivered %d  dropped %d  filtered %d  pending %d   ",
		elapsed.Truncate(time.Second), t.Generated, t.Delivered, t.Dropped, t.Filtered, t.Pending)
}

func (p *progress) done() {
	if p.w != nil && p.shown {
		fmt.Fprintln(p.w)
	}
}
