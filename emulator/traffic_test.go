package emulator_test

import (
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// generate: without platforms or events makes what the stream takes: none of the 150
// events is filtered (it used to draw Push Sent on iOS and Android whatever the stream
// subscribed to).
func TestGeneratedTrafficWithoutEventsOrPlatformsIsWhatTheStreamTakes(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.ManualClock(), testkit.Env("RECEIVER_URL", rec.URL()), testkit.ScenarioYAML(`
name: generated for the stream
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Delivered, Push Opened]
    platforms: [Huawei, Chrome]
traffic:
  - at: 0s
    generate: {count: 150}
`))
	emu.Advance(time.Hour) // the entry at 0s, then the hourly batch of the last 50
	if got, want := emu.Totals(), (emulator.Totals{Generated: 150, Delivered: 150}); got != want {
		t.Fatalf("ledger %+v, want %+v: nothing filtered", got, want)
	}
	for _, e := range rec.Events() {
		if e.EventName != "Push Delivered" && e.EventName != "Push Opened" || e.Platform != "Huawei" && e.Platform != "Chrome" {
			t.Fatalf("received %s on %s", e.EventName, e.Platform)
		}
	}
}
