package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// A journey of the scenario, started through POST /api/journey/{id}/start/external,
// sends its points' messages on the emulator clock; their events reach the receiver
// with the journey's and the point's titles, stamped at the points' times.
func TestAJourneyStartedThroughTheAPIReachesTheReceiverWithItsTitles(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.ManualClock(), testkit.Env("RECEIVER_URL", rec.URL()), testkit.ScenarioYAML(`
name: journey
seed: 5
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    batch: {size: 100, interval: 1h}
lifecycle: {delivered: 1, opened: 0, delay: 1s}
journeys:
  - id: 4f1c2a9e-0000-4000-8000-000000000001
    title: Onboarding
    application: 32E5A-9B411
    points:
      - title: Welcome
        message: {content: "Welcome aboard"}
      - title: Day 2
        after: 24h
        message: {content: "How is it going?"}
`))
	for _, hw := range []string{"a", "b"} {
		body := `{"request":{"application":"32E5A-9B411","hwid":"hw-` + hw + `","device_type":1,"push_token":"t-` + hw + `","userId":"user-` + hw + `"}}`
		if got := call(t, emu, "registerDevice", body); got != http.StatusOK {
			t.Fatalf("registerDevice: HTTP %d", got)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, emu.URL()+"/api/journey/4f1c2a9e-0000-4000-8000-000000000001/start/external",
		strings.NewReader(`{"payload":{"users":["user-a"]}}`))
	req.Header.Set("Authorization", "Api srv")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("start: HTTP %d", resp.StatusCode)
	}
	emu.Advance(48 * time.Hour) // both points, and the hourly batches after them

	evs := rec.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2 (one Push Sent per point, to user-a's device): %+v", len(evs), evs)
	}
	start := clock.Epoch.Unix()
	for i, want := range []struct {
		point, payload string
		at             int64
	}{{"Welcome", "Welcome aboard", start}, {"Day 2", "How is it going?", start + 24*3600}} {
		e := evs[i]
		if e.EventName != "Push Sent" || e.HWID != "hw-a" || e.JourneyTitle != "Onboarding" || e.JourneyPointTitle != want.point ||
			e.Payload != want.payload || e.Timestamp != want.at {
			t.Errorf("event %d: %+v, want point %q at %d", i, e, want.point, want.at)
		}
	}
}
