package expect_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/scenarios/expect"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// Every bundled scenario is played here the way its header comment says, on a manual
// clock (instant), and its own expect: block must hold.

// start serves a bundled scenario on a manual clock; vars fill its ${VAR}s.
func start(t *testing.T, name string, vars map[string]string, patience time.Duration) *emulator.Emulator {
	t.Helper()
	sc, err := scenarios.LoadWith(name, scenarios.Options{Vars: vars})
	if err != nil {
		t.Fatal(err)
	}
	emu, err := emulator.New(emulator.Config{Scenario: sc, Addr: "127.0.0.1:0",
		Clock: &emulator.ClockConfig{Mode: emulator.ClockManual, Patience: patience}})
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

func playBundled(t *testing.T, name string, vars map[string]string, patience time.Duration) *emulator.Emulator {
	t.Helper()
	emu := start(t, name, vars, patience)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := expect.Play(ctx, emu, nil); err != nil {
		t.Fatalf("%s: Play: %v", name, err)
	}
	return emu
}

func requireExpectations(t *testing.T, emu *emulator.Emulator) expect.Report {
	t.Helper()
	r := expect.Judge(emu, 0)
	if len(r.Checks) < 2 {
		t.Fatalf("%s: only %d checks: the scenario expects nothing", r.Scenario, len(r.Checks))
	}
	for _, c := range r.Checks {
		if !c.OK {
			t.Errorf("%s: %s: want %s, got %s", r.Scenario, c.Name, c.Want, c.Got)
		}
	}
	return r
}

func TestBundledReceiverScenarios(t *testing.T) {
	cases := []struct {
		name     string
		script   []receiver.HTTPResponse // the first answers; 200 afterwards
		patience time.Duration           // for receivers that hang: each hang costs this much
	}{
		{"happy-path", nil, 0},
		{"burst-10k", nil, 0},
		{"hourly-trickle", nil, 0},
		// 503 three times in a row: the first batch gets through at its third retry
		{"http-5xx-storm", receiver.HTTPRepeat(receiver.HTTPStatus(http.StatusServiceUnavailable), 3), 0},
		// the receiver is down (connections reset) for four requests
		{"receiver-outage-recovery", receiver.HTTPRepeat(receiver.HTTPReset(), 4), 0},
		// two requests stall beyond the 2 s timeout
		{"receiver-timeouts", receiver.HTTPRepeat(receiver.HTTPHang(), 2), 100 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := receiver.StartHTTP(t, receiver.WithHTTPResponses(c.script...))
			emu := playBundled(t, c.name, map[string]string{"RECEIVER_URL": rec.URL()}, c.patience)
			r := requireExpectations(t, emu)
			if st := rec.Stats(); st.Unique != r.Outcome.Delivered {
				t.Errorf("receiver saw %d distinct events, ledger says %d delivered", st.Unique, r.Outcome.Delivered)
			}
		})
	}
}

func TestBundledScenarioFailsAgainstAReceiverThatMisbehaves(t *testing.T) {
	rec := receiver.StartHTTP(t, receiver.WithHTTPDefault(receiver.HTTPStatus(http.StatusBadRequest)))
	emu := playBundled(t, "happy-path", map[string]string{"RECEIVER_URL": rec.URL()}, 0)
	failed := map[string]bool{}
	for _, c := range expect.Judge(emu, 0).Checks {
		if !c.OK {
			failed[c.Name] = true
		}
	}
	if !failed["no_4xx"] {
		t.Fatalf("a receiver answering 400 passed happy-path's no_4xx: %v", expect.Judge(emu, 0).Checks)
	}
}

func TestBundledGRPCNacks(t *testing.T) {
	// the first stream breaks at its 500th event: the 501 events after it are retried
	rec := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{BreakAfter: 500, BreakStreams: 1}))
	emu := playBundled(t, "grpc-nacks", map[string]string{"RECEIVER_GRPC": rec.Endpoint()}, 0)
	r := requireExpectations(t, emu)
	if r.Outcome.MaxAttempts != 2 || r.Outcome.Delivered != 3000 {
		t.Fatalf("outcome %+v; want 3000 delivered, some after a second attempt", r.Outcome)
	}
}

// call posts one v1.3 API request and returns the HTTP status.
func call(t *testing.T, emu *emulator.Emulator, method, body string, header ...string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, emu.URL()+"/json/1.3/"+method, strings.NewReader(body))
	if len(header) == 2 {
		req.Header.Set(header[0], header[1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func createMessage(app, token string) string {
	return fmt.Sprintf(`{"request":{"application":%q,"auth":%q,"notifications":[{"send_date":"now","content":"hi","platforms":[1]}]}}`, app, token)
}

func TestBundledAPIScenarios(t *testing.T) {
	cases := map[string]func(t *testing.T, emu *emulator.Emulator){
		"api-5xx-storm": func(t *testing.T, emu *emulator.Emulator) {
			for i, want := range []int{503, 503, 503, 200} {
				if got := call(t, emu, "createMessage", createMessage("32E5A-9B411", "storm-api-server-token")); got != want {
					t.Fatalf("call %d: HTTP %d, want %d", i+1, got, want)
				}
			}
		},
		"rate-limit": func(t *testing.T, emu *emulator.Emulator) {
			for i := 0; i < 10; i++ {
				call(t, emu, "createMessage", createMessage("32E5A-9B411", "rate-server-token"))
			}
			if got := call(t, emu, "createMessage", createMessage("32E5A-9B411", "rate-server-token")); got != 429 {
				t.Fatalf("11th call in a minute: HTTP %d, want 429", got)
			}
			emu.Advance(time.Minute)
			if got := call(t, emu, "createMessage", createMessage("32E5A-9B411", "rate-server-token")); got != 200 {
				t.Fatalf("a minute later: HTTP %d, want 200", got)
			}
		},
		"subscriber-limit-warning": func(t *testing.T, emu *emulator.Emulator) {
			for _, hwid := range []string{"a", "b"} {
				call(t, emu, "registerDevice", `{"request":{"application":"32E5A-9B411","hwid":"`+hwid+`","device_type":1,"push_token":"t"}}`)
			}
			call(t, emu, "createMessage", createMessage("32E5A-9B411", "limit-server-token"))
		},
		"suspended-app": func(t *testing.T, emu *emulator.Emulator) {
			call(t, emu, "createMessage", createMessage("DEAD0-00001", "suspended-server-token"))
		},
		"token-scopes": func(t *testing.T, emu *emulator.Emulator) {
			if got := call(t, emu, "createMessage", createMessage("32E5A-9B411", "scopes-read-only")); got != 403 {
				t.Fatalf("read-only token on createMessage: HTTP %d, want 403", got)
			}
			if got := call(t, emu, "registerDevice", `{"request":{"application":"5EC0E-00002","hwid":"h","device_type":1}}`); got != 401 {
				t.Fatalf("device call without token to a strict app: HTTP %d, want 401", got)
			}
		},
	}
	for name, drive := range cases {
		t.Run(name, func(t *testing.T) {
			emu := start(t, name, nil, 0)
			drive(t, emu)
			requireExpectations(t, emu)
		})
	}
}

func TestBundledDefaultServesTheDemoAccount(t *testing.T) {
	emu := start(t, "default", nil, 0)
	if got := call(t, emu, "createMessage", createMessage("DEMO1-00001", "demo-server-token")); got != 200 {
		t.Fatalf("createMessage with the demo token: HTTP %d", got)
	}
	body := `{"request":{"application":"DEMO2-00002","hwid":"h","device_type":3}}`
	if got := call(t, emu, "registerDevice", body, "Authorization", "Token demo-device-token"); got != 200 {
		t.Fatalf("registerDevice with the demo device token: HTTP %d", got)
	}
	if got := call(t, emu, "registerDevice", body, "Authorization", "Token demo-server-token"); got != 401 {
		t.Fatalf("registerDevice with the server token: HTTP %d, want 401", got)
	}
}

// TestEveryBundledScenarioIsPlayedHere keeps this file in step with the library.
func TestEveryBundledScenarioIsPlayedHere(t *testing.T) {
	played := map[string]bool{"default": true, "happy-path": true, "burst-10k": true, "hourly-trickle": true,
		"http-5xx-storm": true, "receiver-outage-recovery": true, "receiver-timeouts": true, "grpc-nacks": true,
		"api-5xx-storm": true, "rate-limit": true, "subscriber-limit-warning": true, "suspended-app": true, "token-scopes": true}
	for _, name := range scenarios.BundledNames() {
		if !played[name] {
			t.Errorf("bundled scenario %q has no test that plays it", name)
		}
	}
}
