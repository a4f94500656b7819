package emulator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

const oneStream = `
name: control
clock: {mode: manual}
streams:
  - endpoint: ${RECEIVER_URL}
    authorization: Basic dXNlcjpwYXNz
    events: [Push Sent]
    platforms: [iOS]
`

func do(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]any
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("%s %s answered non-JSON %q", method, url, data)
	}
	return resp.StatusCode, out
}

// call posts one v1.3 API request and returns the HTTP status.
func call(t *testing.T, emu interface{ URL() string }, method, body string) int {
	t.Helper()
	resp, err := http.Post(emu.URL()+"/json/1.3/"+method, "application/json", strings.NewReader(body))
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

// start serves sc (the bundled default when nil) on a free loopback port until the
// test ends.
func start(t *testing.T, sc *scenarios.Scenario) *emulator.Emulator {
	t.Helper()
	emu, err := emulator.New(emulator.Config{Scenario: sc, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

func TestControlAPIContract(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.ScenarioYAML(oneStream), testkit.Env("RECEIVER_URL", rec.URL()))
	base := emu.URL() + "/_pwemu"

	if code, out := do(t, "GET", base+"/health", ""); code != 200 || out["status"] != "ok" {
		t.Fatalf("health: %d %v", code, out)
	}
	// injected events keep their uuid; uuid and timestamp are filled when absent
	code, out := do(t, "POST", base+"/events", `[{"uuid":"keep-me","event_name":"Push Sent","platform":"iOS"},
		{"event_name":"Push Sent","platform":"iOS"},{"event_name":"Push Sent","platform":"Android"}]`)
	if code != 200 || out["accepted"] != float64(3) {
		t.Fatalf("events: %d %v", code, out)
	}
	if code, out := do(t, "POST", base+"/events", `{"generate":{"count":97,"events":["Push Sent"],"platforms":["iOS"]}}`); code != 200 || out["accepted"] != float64(97) {
		t.Fatalf("generate: %d %v", code, out)
	}
	// 3 + 97 = 100 events, of which 99 pass the filter: nothing is sent until the hour
	if code, out := do(t, "POST", base+"/clock/advance", `{"by":"59m"}`); code != 200 || out["now"] != "2026-01-01T00:59:00Z" {
		t.Fatalf("advance: %d %v", code, out)
	}
	if rec.Stats().Requests != 0 {
		t.Fatalf("a partial batch went out before the hour: %+v", rec.Stats())
	}
	do(t, "POST", base+"/clock/advance", `{"by":"1m"}`)
	code, out = do(t, "POST", base+"/wait", `{"delivered":99,"settled":true,"timeout":"5s"}`)
	if code != 200 {
		t.Fatalf("wait: %d %v", code, out)
	}
	want := map[string]any{"generated": float64(100), "delivered": float64(99), "dropped": float64(0), "filtered": float64(1), "pending": float64(0)}
	if got := out["totals"].(map[string]any); !equalMaps(got, want) {
		t.Fatalf("totals %v, want %v", got, want)
	}
	if req := rec.Requests(); len(req) != 1 || req[0].Header.Get("Authorization") != "Basic dXNlcjpwYXNz" || rec.Count("keep-me") != 1 {
		t.Fatalf("receiver got %d requests; keep-me seen %d times", len(req), rec.Count("keep-me"))
	}
	code, out = do(t, "GET", base+"/ledger?state=filtered", "")
	evs := out["events"].([]any)
	if code != 200 || len(evs) != 1 || evs[0].(map[string]any)["reason"] == "" {
		t.Fatalf("ledger?state=filtered: %d %v", code, out)
	}
	if code, out := do(t, "GET", base+"/ledger?uuid=keep-me", ""); code != 200 || len(out["events"].([]any)) != 1 {
		t.Fatalf("ledger?uuid: %d %v", code, out)
	}
	if code, out := do(t, "GET", base+"/ledger?events=false", ""); code != 200 || len(out["events"].([]any)) != 0 {
		t.Fatalf("ledger?events=false: %d %v", code, out)
	}
	code, out = do(t, "GET", base+"/ledger?limit=40&offset=50", "")
	if code != 200 || len(out["events"].([]any)) != 40 || out["next_offset"] != float64(90) {
		t.Fatalf("ledger?limit=40&offset=50: %d, %d events, next_offset %v", code, len(out["events"].([]any)), out["next_offset"])
	}
	if _, out := do(t, "GET", base+"/ledger?offset=90", ""); len(out["events"].([]any)) != 10 || out["next_offset"] != nil {
		t.Fatalf("ledger?offset=90: %d events, next_offset %v", len(out["events"].([]any)), out["next_offset"])
	}

	// bad input: a clear error, nothing lost
	for _, c := range []struct{ method, path, body, want string }{
		{"POST", "/events", `[{"event_name":`, "malformed JSON"},
		{"POST", "/events", `[{"platform":"iOS"}]`, "events[0]: event_name and platform are required"},
		{"POST", "/events", `{"generat":{}}`, `{"generate"`},
		{"POST", "/events", `{"generate":null}`, `{"generate"`},
		{"POST", "/events", `{"generate":{"cout":5}}`, `events: generate: not a generate spec: json: unknown field "cout"`},
		{"POST", "/events", `{"generate":{"count":5,"platforms":["ios"]}}`, `generate.platforms[0]: "ios" is not a platform; did you mean "iOS"?`},
		{"POST", "/clock/advance", `{"by":"soon"}`, `"by" must be a non-negative Go duration`},
		{"POST", "/wait", `{"deliverd":1}`, "unknown field"},
		{"GET", "/ledger?state=lost", "", `state "lost"`},
		{"GET", "/nope", "", "no control endpoint GET /_pwemu/nope"},
		{"PUT", "/scenario", "name: x\nstreams:\n  - endpoint: http://127.0.0.1:1/x\n    events: []\n    platforms: [iOS]\n", "invalid scenario"},
	} {
		code, out := do(t, c.method, base+c.path, c.body)
		msg, _ := out["error"].(string)
		if code < 400 || !strings.Contains(msg, c.want) {
			t.Errorf("%s %s: %d %s; want an error with %q", c.method, c.path, code, msg, c.want)
		}
	}
	if got := emu.Totals(); got.Generated != 100 {
		t.Fatalf("bad requests changed the ledger: %+v", got)
	}
	// A scenario's errors come with the API's own lower-case keys.
	code, out = do(t, "PUT", base+"/scenario", "name: x\nstreams:\n  - endpoint: http://127.0.0.1:1/x\n    events: []\n    platforms: [iOS]\n")
	details, _ := out["details"].([]any)
	first, _ := func() (map[string]any, bool) {
		if len(details) == 0 {
			return nil, false
		}
		m, ok := details[0].(map[string]any)
		return m, ok
	}()
	if code != 400 || first["file"] != "scenario" || first["line"] != float64(4) || first["column"] == nil ||
		first["path"] != "streams[0].events" || first["message"] == nil {
		t.Fatalf("scenario errors over the control API: %d %v; want file, line, column, path, message", code, out["details"])
	}

	// reset: back to the initial state, clock included
	if code, _ := do(t, "POST", base+"/reset", ""); code != 200 {
		t.Fatal("reset failed")
	}
	if got := emu.Totals(); got != (emulator.Totals{}) || !emu.Now().Equal(clock.Epoch) {
		t.Fatalf("after reset: %+v at %v", got, emu.Now())
	}
}

func equalMaps(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestJournalFiltersAndPages(t *testing.T) {
	emu := testkit.Start(t)
	for i := 0; i < 5; i++ {
		call(t, emu, "getApplications", `{"request":{"auth":"demo-server-token"}}`)
	}
	call(t, emu, "listTags", `{"request":{"auth":"demo-server-token"}}`)
	base := emu.URL() + "/_pwemu/journal"
	_, out := do(t, "GET", base+"?method=getApplications&limit=2&offset=2", "")
	if out["total"] != float64(5) || len(out["calls"].([]any)) != 2 || out["next_offset"] != float64(4) {
		t.Fatalf("journal page: %v", out)
	}
	_, out = do(t, "GET", base+"?offset=5", "")
	calls := out["calls"].([]any)
	if out["total"] != float64(6) || len(calls) != 1 || calls[0].(map[string]any)["method"] != "listTags" || out["next_offset"] != nil {
		t.Fatalf("journal tail: %v", out)
	}
	if code, _ := do(t, "GET", base+"?limit=-1", ""); code != 400 {
		t.Fatalf("a negative limit answered %d", code)
	}
}

func TestPutScenarioSwapsAndReportsPositions(t *testing.T) {
	emu := start(t, nil)
	base := emu.URL() + "/_pwemu"
	bad := "name: x\naccounts:\n  - id: a\n    tokens:\n      - {value: t, kind: servr}\n"
	code, out := do(t, "PUT", base+"/scenario", bad)
	details, _ := json.Marshal(out["details"])
	if code != 400 || !strings.Contains(string(details), `"line":5`) {
		t.Fatalf("PUT bad scenario: %d %v", code, out)
	}
	if emu.Scenario().Name != "default" {
		t.Fatal("a rejected scenario replaced the running one")
	}
	good := "name: swapped\nclock: {mode: manual}\naccounts:\n  - id: a\n    tokens: [{value: t, kind: server}]\n    applications: [{code: AAAAA-00001}]\n"
	if code, out := do(t, "PUT", base+"/scenario", good); code != 200 {
		t.Fatalf("PUT good scenario: %d %v", code, out)
	}
	req, _ := http.NewRequest("GET", base+"/scenario", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(body, []byte(good)) || emu.Scenario().Name != "swapped" || emu.ClockInfo().Mode != string(emulator.ClockManual) {
		t.Fatalf("GET scenario after PUT: %q (%s)", body, emu.Scenario().Name)
	}
}

func TestCloseSendsPendingBatchesOnceAndAccountsForEverything(t *testing.T) {
	rec := receiver.StartHTTP(t)
	sc, err := scenarios.ParseWith("s", []byte(oneStream), scenarios.Options{Env: func(string) (string, bool) { return rec.URL(), true }})
	if err != nil {
		t.Fatal(err)
	}
	emu := start(t, sc)
	evs := make([]catalog.Event, 142)
	for i := range evs {
		evs[i] = catalog.Event{EventName: "Push Sent", Platform: "iOS"}
	}
	emu.Inject(evs...)
	emu.Advance(0) // one full batch of 100; 42 wait for the hour
	if got := emu.Totals(); got.Delivered != 100 || got.Pending != 42 {
		t.Fatalf("before close: %+v", got)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := emu.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	got := emu.Totals()
	if got != (emulator.Totals{Generated: 142, Delivered: 142}) || rec.Stats().Batches != 2 {
		t.Fatalf("after shutdown: %+v, receiver %+v; want the 42 sent once", got, rec.Stats())
	}
}

func TestWaitAcrossAResetIsToldSo(t *testing.T) {
	emu := testkit.Start(t, testkit.ManualClock())
	base := emu.URL() + "/_pwemu"
	done := make(chan int)
	go func() {
		code, _ := do(t, "POST", base+"/wait", `{"delivered":1,"timeout":"10s"}`)
		done <- code
	}()
	// the wait is registered once the ledger has a waiter; resetting until the wait
	// answers keeps this free of timing assumptions
	for {
		emu.Reset()
		select {
		case code := <-done:
			if code != http.StatusConflict {
				t.Fatalf("wait cut by a reset answered %d, want 409", code)
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func TestAScenarioBuiltInGoIsCheckedAndCompleted(t *testing.T) {
	bad := &scenarios.Scenario{Name: "go", Streams: []scenarios.Stream{{Endpoint: "http://127.0.0.1:9/x", Platforms: []string{"iOS"}}}}
	if _, err := emulator.New(emulator.Config{Scenario: bad}); err == nil || !strings.Contains(err.Error(), "streams[0].events") {
		t.Fatalf("a stream without events was accepted: %v", err)
	}
	good := &scenarios.Scenario{Name: "go", Streams: []scenarios.Stream{{Endpoint: "http://127.0.0.1:9/x",
		Events: []string{"Push Sent"}, Platforms: []string{"iOS"}}}}
	emu, err := emulator.New(emulator.Config{Scenario: good})
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	if st := emu.Scenario().Streams[0]; st.Batch.Size != 100 || st.Timeout.D() != 30*time.Second {
		t.Fatalf("defaults not applied: %+v", st)
	}
	if !strings.Contains(string(emu.Scenario().Raw), "name: go") {
		t.Fatalf("no YAML for GET /_pwemu/scenario: %q", emu.Scenario().Raw)
	}
	if good.Streams[0].Batch.Size != 0 || good.Raw != nil {
		t.Fatalf("the caller's scenario was changed: %+v", good.Streams[0])
	}
}
