package emulator_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/scenarios"
)

func TestAbsurdValuesAreRefusedWithClearErrors(t *testing.T) {
	stream := func(extra string) string {
		return "name: x\nstreams:\n  - endpoint: http://127.0.0.1:9/x\n    events: [Push Sent]\n    platforms: [iOS]\n" + extra
	}
	cases := []struct{ name, yaml, want string }{
		{"1ns batch interval", stream("    batch: {interval: 1ns}\n"), "batch interval must be at least 1ms"},
		{"0s retry delay", stream("    retry: {delays: [1s, 0s]}\n"), "retry.delays[1]: a retry delay must be at least 1ms"},
		{"clock 1e12 times real time", "name: x\nclock: {mode: scaled, speed: 1e12}\n", "over the maximum 1e+06"},
		{"50,000-deep brackets", "name: x\nclock: " + strings.Repeat("[", 50000) + strings.Repeat("]", 50000) + "\n", "nest more than 64 deep"},
		{"deep block nesting", "name: x\nclock:\n" + deepBlock(70), "nest more than 64 deep"},
		{"5 MiB of YAML", "name: x\n#" + strings.Repeat("x", 5<<20) + "\n", "over the maximum 4194304"},
	}
	for _, c := range cases {
		_, err := scenarios.Parse("s.yaml", []byte(c.yaml))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want an error saying %q", c.name, err, c.want)
		}
	}
	if _, err := emulator.ParseClock("1e12x"); err == nil || !strings.Contains(err.Error(), "at most 1e+06x") {
		t.Errorf("--clock 1e12x: %v", err)
	}
	if _, err := emulator.ParseClock("1000000x"); err != nil {
		t.Errorf("--clock 1000000x: %v", err)
	}

	emu := startEmu(t, emulator.Config{Clock: &emulator.ClockConfig{Mode: emulator.ClockManual}})
	code, body := send(t, "POST", emu.URL()+"/_pwemu/clock/advance", `{"by":"9223372036854775807ns"}`, jsonType)
	if code != http.StatusBadRequest || !strings.Contains(body, "over the maximum step") {
		t.Fatalf("advance by 292 years: %d %s", code, body)
	}
	if _, err := emu.Advance(2 * 366 * 24 * time.Hour); err == nil {
		t.Fatal("Emulator.Advance by two years: no error")
	}
	before := emu.Now()
	if now, err := emu.Advance(365 * 24 * time.Hour); err != nil || !now.Equal(before.Add(365*24*time.Hour)) {
		t.Fatalf("advance by a year: %v %v", now, err)
	}
}

func deepBlock(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i+1) + "a:\n")
	}
	b.WriteString(strings.Repeat(" ", n+1) + "b: 1\n")
	return b.String()
}

// A client that goes away ends its advance at the timer it had reached.
func TestAdvanceStopsWhenItsClientGoesAway(t *testing.T) {
	emu := startEmu(t, emulator.Config{Clock: &emulator.ClockConfig{Mode: emulator.ClockManual}})
	start := emu.Now()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	now, err := emu.AdvanceContext(ctx, time.Hour)
	if err != nil || now.After(start.Add(time.Hour)) || now.Equal(start.Add(time.Hour)) {
		t.Fatalf("advance with a client gone: %v %v; want it stopped before %v", now, err, start.Add(time.Hour))
	}
}
