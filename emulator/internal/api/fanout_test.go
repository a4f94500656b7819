package api

import (
	"fmt"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// A message to an account with many devices is answered before its fan-out runs;
// the fan-out is tracked clock work (Advance waits for it) and later messages are
// passed on after it, in the order they were accepted.
func TestManyDevicesFanOutAfterTheAnswer(t *testing.T) {
	f := newFixture(t, testAccounts())
	for i := range fanOutAfter {
		r := state.Registration{Application: appCode, HWID: fmt.Sprintf("dev-%05d", i), Type: catalog.DeviceAndroid}
		if _, _, err := f.st.RegisterDevice(r, f.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	hold := make(chan struct{})
	var passed []lifecycle.Message
	f.srv.onMessage = func(m lifecycle.Message) {
		<-hold
		passed = append(passed, m) // one fan-out at a time: no lock needed
	}
	app := `"application":"APPCODE-12345"`
	e, codes := createMessage(t, f, app, `{"content":"everyone"}`)
	if e.StatusCode != 200 || len(codes) != 1 {
		t.Fatalf("createMessage: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
	}
	// Answered while the fan-out is held: the answer did not wait for it. A second
	// message, listing its device, is answered too and queued behind the first.
	e, second := createMessage(t, f, app, `{"content":"one","devices":["dev-00007"]}`)
	if e.StatusCode != 200 || len(second) != 1 {
		t.Fatalf("createMessage: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
	}
	close(hold)
	f.clk.Advance(0)
	if len(passed) != 2 || passed[0].Code != codes[0] || passed[1].Code != second[0] {
		t.Fatalf("passed on %d messages, want %s then %s", len(passed), codes[0], second[0])
	}
	if n := len(passed[0].Targets); n != fanOutAfter {
		t.Fatalf("fan-out to %d devices, want %d", n, fanOutAfter)
	}
	if h := passed[0].Targets; h[0].HWID != "dev-00000" || h[len(h)-1].HWID != fmt.Sprintf("dev-%05d", fanOutAfter-1) {
		t.Errorf("targets from %s to %s, want them in hwid order", h[0].HWID, h[len(h)-1].HWID)
	}
	m, ok := f.st.Message("acme", codes[0])
	if !ok || m.Targets != fanOutAfter {
		t.Errorf("stored message targets %d (found %v), want %d", m.Targets, ok, fanOutAfter)
	}
}
