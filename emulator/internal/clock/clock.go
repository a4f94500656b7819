// Package clock is the one source of time inside pwemu.
//
// Every duration the emulator honours — batch intervals, retry delays, request
// timeouts, rate-limit windows, the scenario timeline, event timestamps — is measured
// on a Clock, so that a test can play an hour of Pushwoosh behaviour in milliseconds.
//
// Three modes exist: Real (wall time), Scaled (wall time sped up N times) and Manual
// (time moves only through Advance). Work that timers start is run with Go so that the
// manual clock knows when it has finished.
package clock

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Mode names how a Clock relates to wall time.
type Mode string

// The clock modes a scenario or the command line can select.
const (
	ModeReal   Mode = "real"
	ModeScaled Mode = "scaled"
	ModeManual Mode = "manual"
)

// Clock is the time source every timed behaviour of pwemu uses.
type Clock interface {
	// Now is the current emulator time.
	Now() time.Time
	// AfterFunc runs f as tracked work once d of emulator time has passed.
	AfterFunc(d time.Duration, f func()) Timer
	// Go runs f in a new goroutine as tracked work: a manual Advance waits for it.
	Go(f func())
	// Mode reports which kind of clock this is.
	Mode() Mode
}

// Timer is a pending AfterFunc.
type Timer interface {
	// Stop prevents the timer from firing; it reports whether it did so.
	Stop() bool
}

// MaxSpeed bounds a scaled clock (a year of emulator time in about 32 s): past it
// emulator time overflows within hours. It equals scenarios.MaxClockSpeed.
const MaxSpeed = 1_000_000

// MaxAdvance bounds one Advance of a manual clock.
const MaxAdvance = 366 * 24 * time.Hour

// Epoch is where manual clocks start unless told otherwise: a fixed instant, so that
// timestamps in a manual-time test are the same on every run.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Config selects a clock. The zero value is a real clock.
type Config struct {
	Mode  Mode    `json:"mode"`
	Speed float64 `json:"speed,omitempty"` // for ModeScaled: emulator seconds per wall second
	// Start is the initial emulator time of a manual clock (Epoch when zero).
	Start time.Time `json:"start,omitzero"`
	// Patience is how long, in wall time, a manual Advance waits for running work
	// before it concludes that the work waits on the emulator clock (a hanging
	// receiver) and moves time on to the next timer. Zero means DefaultPatience.
	Patience time.Duration `json:"patience,omitempty"`
}

// New builds the clock a Config describes.
func New(c Config) (Clock, error) {
	switch c.Mode {
	case "", ModeReal:
		return NewReal(), nil
	case ModeScaled:
		if !(c.Speed > 0) || c.Speed > MaxSpeed {
			return nil, fmt.Errorf("clock: scaled mode needs a speed above 0 and at most %v, got %v", float64(MaxSpeed), c.Speed)
		}
		return NewScaled(c.Speed), nil
	case ModeManual:
		start := c.Start
		if start.IsZero() {
			start = Epoch
		}
		m := NewManual(start)
		if c.Patience > 0 {
			m.SetPatience(c.Patience)
		}
		return m, nil
	default:
		return nil, fmt.Errorf("clock: unknown mode %q (want real, scaled or manual)", c.Mode)
	}
}

// ParseFlag reads the command-line form of a clock: "real", "manual", or a speed such
// as "3600x" (or "3600").
func ParseFlag(s string) (Config, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "", "real":
		return Config{Mode: ModeReal}, nil
	case "manual":
		return Config{Mode: ModeManual}, nil
	}
	f, err := strconv.ParseFloat(strings.TrimSuffix(s, "x"), 64)
	if err != nil || !(f > 0) || math.IsInf(f, 0) {
		return Config{}, fmt.Errorf("clock %q: want real, manual or a speed such as 3600x", s)
	}
	if f > MaxSpeed {
		return Config{}, fmt.Errorf("clock %q: a speed of at most %vx (for more, use manual and advance it)", s, float64(MaxSpeed))
	}
	if f == 1 {
		return Config{Mode: ModeReal}, nil
	}
	return Config{Mode: ModeScaled, Speed: f}, nil
}
