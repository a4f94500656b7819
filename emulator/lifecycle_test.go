package emulator_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// A message created through the API becomes the events Pushwoosh streams about it:
// Push Sent to every target at once, Delivered and Opened for shares of them later,
// each carrying the message's code, application and platform.
func TestAMessageCreatedThroughTheAPIReachesTheReceiverAsEvents(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.ManualClock(), testkit.Env("RECEIVER_URL", rec.URL()), testkit.ScenarioYAML(`
name: lifecycle
seed: 3
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent, Push Delivered, Push Opened]
    platforms: [iOS, Android]
    batch: {size: 100, interval: 1h}
lifecycle: {delivered: 0.5, opened: 0.5, delay: 1s}
`))
	for i, dt := range []string{"1", "3", "1", "3"} {
		id := string(rune('a' + i))
		body := `{"request":{"application":"32E5A-9B411","hwid":"hw-` + id + `","device_type":` + dt + `,"push_token":"token-` + id + `"}}`
		if got := call(t, emu, "registerDevice", body); got != http.StatusOK {
			t.Fatalf("registerDevice: HTTP %d", got)
		}
	}
	if got := call(t, emu, "createMessage", createMessage("32E5A-9B411", "srv")); got != http.StatusOK {
		t.Fatalf("createMessage: HTTP %d", got)
	}
	code := emu.Calls()[len(emu.Calls())-1].Response
	emu.Advance(time.Hour + 2*time.Second) // the stages, then the hourly batch

	var sent, delivered, opened []catalog.Event
	for _, e := range rec.Events() {
		switch e.EventName {
		case "Push Sent":
			sent = append(sent, e)
		case "Push Delivered":
			delivered = append(delivered, e)
		case "Push Opened":
			opened = append(opened, e)
		}
	}
	// createMessage targets platforms [1] (iOS): the two iOS devices
	if len(sent) != 2 || len(delivered) != 1 || len(opened) != 1 {
		t.Fatalf("sent %d, delivered %d, opened %d; want 2, 1, 1 (shares of 0.5)", len(sent), len(delivered), len(opened))
	}
	for _, e := range append(sent, delivered...) {
		if e.Platform != "iOS" || e.ApplicationCode != "32E5A-9B411" || e.MessageCode == "" || e.Payload != "hi" ||
			!strings.Contains(string(code), e.MessageCode) {
			t.Fatalf("event %+v does not carry the message (answer %s)", e, code)
		}
	}
	if got := emu.Totals(); got.Generated != 4 || got.Delivered != 4 || !got.Balanced() {
		t.Fatalf("ledger %+v", got)
	}
}
