package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/journal"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
)

// Test fixture: the wire file's application, token and group, plus applications,
// tokens and accounts for every refusal.
const (
	appCode      = "APPCODE-12345"
	otherApp     = "0THER-00003"
	suspendedApp = "DEAD0-00001"
	strictApp    = "5EC0E-00002"
	serverToken  = "TESTAUTHTOKEN"
	deviceToken  = "DEVICE-TOKEN"
	groupCode    = "GROUP-CODE"
)

func testAccounts() []scenarios.Account {
	return []scenarios.Account{
		{
			ID: "acme",
			Tokens: []scenarios.Token{
				{Value: serverToken, Kind: scenarios.TokenServer},
				{Value: deviceToken, Kind: scenarios.TokenDevice},
				{Value: "READ-ONLY", Kind: scenarios.TokenServer, Allow: []string{"getMsgStats", "getResults"}},
				{Value: "DEVICE-SETTAGS-ONLY", Kind: scenarios.TokenDevice, Allow: []string{"setTags"}},
				{Value: "ONLY-OTHER-APP", Kind: scenarios.TokenServer, Applications: []string{otherApp}},
			},
			Applications: []scenarios.Application{
				{Code: appCode, Name: "Wire"},
				{Code: otherApp, Name: "Other"},
				{Code: suspendedApp, Name: "Old", Suspended: true},
				{Code: strictApp, Name: "Strict", DeviceTokenRequired: true},
			},
			Groups: []scenarios.Group{{Code: groupCode, Name: "Both", Applications: []string{appCode, otherApp}}},
		},
		{
			ID: "frozen", Suspended: true,
			Tokens:       []scenarios.Token{{Value: "FROZEN-TOKEN", Kind: scenarios.TokenServer}},
			Applications: []scenarios.Application{{Code: "F0000-00001"}},
		},
		{
			ID: "small", SubscriberLimit: 2,
			Tokens:       []scenarios.Token{{Value: "SMALL-TOKEN", Kind: scenarios.TokenServer}},
			Applications: []scenarios.Application{{Code: "5A11-00001"}},
		},
		{
			ID: "busy", ActiveDevicesLimit: 1,
			Tokens:       []scenarios.Token{{Value: "BUSY-TOKEN", Kind: scenarios.TokenServer}},
			Applications: []scenarios.Application{{Code: "B05Y-00001"}},
		},
	}
}

// fixture is a Server on a manual clock with what it passed on to the lifecycle.
type fixture struct {
	srv *Server
	clk *clock.Manual
	st  *state.Store
	jr  *journal.Journal

	mu   sync.Mutex
	sent []lifecycle.Message
}

// planOf checks and resolves a scenario as the emulator does.
func planOf(t testing.TB, sc *scenarios.Scenario) *scenarios.Plan {
	t.Helper()
	p, err := sc.Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newFixture(t testing.TB, accounts []scenarios.Account, rules ...scenarios.APIRule) *fixture {
	t.Helper()
	p := planOf(t, &scenarios.Scenario{Accounts: accounts, API: rules})
	st := state.New(p.Accounts)
	f := &fixture{clk: clock.NewManual(clock.Epoch), st: st, jr: journal.New(0)}
	f.srv = New(Options{Clock: f.clk, State: st, Journal: f.jr, Rules: p.Rules, Seed: 42, Start: clock.Epoch,
		OnMessage: func(m lifecycle.Message) {
			f.mu.Lock()
			f.sent = append(f.sent, m)
			f.mu.Unlock()
		}})
	return f
}

func (f *fixture) messages() []lifecycle.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]lifecycle.Message(nil), f.sent...)
}

// envelope is the answer of a v1.3 call.
type envelope struct {
	StatusCode    int             `json:"status_code"`
	StatusMessage string          `json:"status_message"`
	Response      json.RawMessage `json:"response"`
}

// call posts body to path with headers ("Name: value") in process and decodes the
// envelope, failing the test when the answer is not one.
func (f *fixture) call(t testing.TB, path, body string, headers ...string) (int, envelope) {
	t.Helper()
	if !strings.HasPrefix(path, "/") {
		path = PrefixV13 + path
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec.Code, mustEnvelope(t, rec.Body.Bytes())
}

// mustEnvelope checks an answer is exactly the envelope: an object with status_code,
// status_message and response (null or an object), nothing else.
func mustEnvelope(t testing.TB, b []byte) envelope {
	t.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(b, &fields); err != nil {
		t.Fatalf("answer is not a JSON object: %v: %s", err, b)
	}
	for _, k := range []string{"status_code", "status_message", "response"} {
		if _, ok := fields[k]; !ok {
			t.Fatalf("answer has no %s: %s", k, b)
		}
	}
	if len(fields) != 3 {
		t.Fatalf("answer has fields besides the envelope: %s", b)
	}
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("envelope: %v: %s", err, b)
	}
	if r := strings.TrimSpace(string(e.Response)); r != "null" && !strings.HasPrefix(r, "{") {
		t.Fatalf("response is neither null nor an object: %s", b)
	}
	return e
}

// req builds a v1.3 body from the fields of the request object.
func req(fields string) string { return `{"request":{` + fields + `}}` }
