package clock_test

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
)

func TestManualFiresInOrderAndWaitsForWork(t *testing.T) {
	m := clock.NewManual(clock.Epoch)
	var mu sync.Mutex
	var got []time.Duration
	record := func() {
		mu.Lock()
		got = append(got, m.Now().Sub(clock.Epoch))
		mu.Unlock()
	}
	m.AfterFunc(3*time.Second, record)
	m.AfterFunc(time.Second, func() {
		record()
		// work started by a timer may set further timers inside the span
		m.AfterFunc(time.Second, record)
	})
	stopped := m.AfterFunc(2500*time.Millisecond, record)
	if !stopped.Stop() {
		t.Fatal("Stop of a pending timer reported false")
	}
	m.AfterFunc(time.Hour, record)

	now := m.Advance(10 * time.Second)
	if want := clock.Epoch.Add(10 * time.Second); !now.Equal(want) {
		t.Fatalf("Advance returned %v, want %v", now, want)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	if len(got) != len(want) {
		t.Fatalf("fired at %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("fired at %v, want %v", got, want)
		}
	}
	if m.Pending() != 1 {
		t.Fatalf("pending timers = %d, want 1 (the one-hour timer)", m.Pending())
	}
}

func TestManualStalledWorkLetsTimeMoveToItsTimeout(t *testing.T) {
	m := clock.NewManual(clock.Epoch)
	m.SetPatience(20 * time.Millisecond)
	release := make(chan struct{})
	var cutAt time.Time
	m.Go(func() {
		// a request that hangs until a 30 s emulator-time timeout cancels it
		m.AfterFunc(30*time.Second, func() { close(release) })
		<-release
		cutAt = m.Now()
	})
	m.Advance(time.Minute)
	if want := clock.Epoch.Add(30 * time.Second); !cutAt.Equal(want) {
		t.Fatalf("hanging work cut at %v, want %v", cutAt, want)
	}
}

func TestParseFlag(t *testing.T) {
	cases := map[string]clock.Config{
		"real":   {Mode: clock.ModeReal},
		"manual": {Mode: clock.ModeManual},
		"3600x":  {Mode: clock.ModeScaled, Speed: 3600},
		"60":     {Mode: clock.ModeScaled, Speed: 60},
	}
	for in, want := range cases {
		got, err := clock.ParseFlag(in)
		if err != nil || got != want {
			t.Errorf("ParseFlag(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"fast", "0x", "-5x", "nan", "inf", "NaNx", "+Infx"} {
		if _, err := clock.ParseFlag(bad); err == nil {
			t.Errorf("ParseFlag(%q) gave no error", bad)
		}
	}
	if _, err := clock.New(clock.Config{Mode: clock.ModeScaled, Speed: math.Inf(1)}); err == nil {
		t.Error("an infinite speed was accepted")
	}
}
