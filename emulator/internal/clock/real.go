package clock

import "time"

// Scaled is wall time sped up by a constant factor; Real is the factor 1.
type Scaled struct {
	speed     float64
	wallStart time.Time
	emuStart  time.Time
}

// NewReal returns a clock that follows wall time.
func NewReal() *Scaled { return &Scaled{speed: 1, wallStart: time.Now(), emuStart: time.Now()} }

// NewScaled returns a clock on which speed emulator seconds pass per wall second.
func NewScaled(speed float64) *Scaled {
	now := time.Now()
	return &Scaled{speed: speed, wallStart: now, emuStart: now}
}

// Now implements Clock.
func (s *Scaled) Now() time.Time {
	if s.speed == 1 {
		return time.Now()
	}
	return s.emuStart.Add(time.Duration(float64(time.Since(s.wallStart)) * s.speed))
}

// AfterFunc implements Clock: d of emulator time is d/speed of wall time.
func (s *Scaled) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(s.wall(d), f)
}

// Go implements Clock.
func (s *Scaled) Go(f func()) { go f() }

// Mode implements Clock.
func (s *Scaled) Mode() Mode {
	if s.speed == 1 {
		return ModeReal
	}
	return ModeScaled
}

// Speed is the number of emulator seconds per wall second.
func (s *Scaled) Speed() float64 { return s.speed }

func (s *Scaled) wall(d time.Duration) time.Duration {
	if s.speed == 1 || d <= 0 {
		return d
	}
	return time.Duration(float64(d) / s.speed)
}
