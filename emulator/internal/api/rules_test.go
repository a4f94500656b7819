package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/scenarios"
)

const createBody = `{"request":{"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"content":"x"}]}}`

func dur(d time.Duration) scenarios.Duration { return scenarios.Duration(d) }

// waitPending spins until the manual clock has n timers set: a call waiting on
// emulator time has reached its wait.
func waitPending(t *testing.T, clk *clock.Manual, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for clk.Pending() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d timers pending, want %d", clk.Pending(), n)
		}
		runtime.Gosched()
	}
}

// waitJournal waits until the journal holds n entries: a handler journals a call a
// moment after its client has seen the connection end.
func waitJournal(t *testing.T, jr interface{ Len() int }, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for jr.Len() != n {
		if time.Now().After(deadline) {
			t.Fatalf("journal has %d entries, want %d", jr.Len(), n)
		}
		runtime.Gosched()
	}
}

func TestRuleTimesThenNormal(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "createMessage", Times: 3, Respond: scenarios.Respond{HTTP: 503}})
	for i := range 3 {
		status, e := f.call(t, "createMessage", createBody)
		if status != 503 || e.StatusCode != 503 || e.StatusMessage != "Service Unavailable" {
			t.Fatalf("call %d: %d %d %q", i+1, status, e.StatusCode, e.StatusMessage)
		}
	}
	if status, e := f.call(t, "createMessage", createBody); status != 200 || e.StatusCode != 200 {
		t.Fatalf("4th call: %d %d %q, want normal", status, e.StatusCode, e.StatusMessage)
	}
	if n := len(f.messages()); n != 1 {
		t.Fatalf("%d messages accepted, want 1 (the rule's answers accept none)", n)
	}
}

func TestRuleFirstMatchWinsAndMethodsAndStar(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "createMessage", Times: 1, Respond: scenarios.Respond{HTTP: 500}},
		scenarios.APIRule{Method: "createMessage", Respond: scenarios.Respond{Code: "app_suspended"}},
		scenarios.APIRule{Method: "*", Respond: scenarios.Respond{HTTP: 502}},
	)
	want := []struct{ status, code int }{{500, 500}, {200, 210}, {200, 210}}
	for i, w := range want {
		if status, e := f.call(t, "createMessage", createBody); status != w.status || e.StatusCode != w.code {
			t.Fatalf("createMessage %d: %d %d %q", i+1, status, e.StatusCode, e.StatusMessage)
		}
	}
	if status, _ := f.call(t, "listTags", req(`"auth":"TESTAUTHTOKEN"`)); status != 502 {
		t.Fatalf("listTags under *: %d", status)
	}
	// A rule for an unknown method also answers: the scenario decides.
	if status, _ := f.call(t, "noSuchMethod", req(``)); status != 502 {
		t.Fatalf("unknown method under *: %d", status)
	}
}

func TestRuleMatchesRequestFields(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "*", Match: map[string]any{"application": otherApp}, Respond: scenarios.Respond{Code: "app_not_found"}},
		scenarios.APIRule{Method: "registerDevice", Match: map[string]any{"device_type": 1, "hwid": "vip"}, Respond: scenarios.Respond{HTTP: 500}},
	)
	if _, e := f.call(t, "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"0THER-00003","notifications":[{"content":"x"}]`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgAppNotFound {
		t.Fatalf("matching call: %d %q", e.StatusCode, e.StatusMessage)
	}
	if _, e := f.call(t, "createMessage", createBody); e.StatusCode != 200 {
		t.Fatalf("other application: %d %q", e.StatusCode, e.StatusMessage)
	}
	if status, _ := f.call(t, "registerDevice", req(`"application":"APPCODE-12345","hwid":"vip","device_type":1`)); status != 500 {
		t.Fatalf("registerDevice matching number and string: %d", status)
	}
	if status, _ := f.call(t, "registerDevice", req(`"application":"APPCODE-12345","hwid":"vip","device_type":3`)); status != 200 {
		t.Fatalf("registerDevice with another device_type: %d", status)
	}
}

func TestRuleDuringWindow(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "*", During: []scenarios.Duration{dur(10 * time.Minute), dur(12 * time.Minute)}, Respond: scenarios.Respond{HTTP: 500}})
	at := func(want int) {
		t.Helper()
		if status, e := f.call(t, "listTags", req(`"auth":"TESTAUTHTOKEN"`)); status != want || e.StatusCode != want {
			t.Fatalf("at %v: %d %d, want %d", f.clk.Now().Sub(clock.Epoch), status, e.StatusCode, want)
		}
	}
	at(200)
	f.clk.Advance(10*time.Minute - time.Nanosecond)
	at(200)
	f.clk.Advance(time.Nanosecond)
	at(500)
	_, e := f.call(t, "listTags", req(`"auth":"TESTAUTHTOKEN"`))
	if e.StatusMessage != catalog.MsgInternal {
		t.Fatalf("500 message %q", e.StatusMessage)
	}
	f.clk.Advance(2*time.Minute - time.Nanosecond)
	at(500)
	f.clk.Advance(time.Nanosecond)
	at(200)
}

func TestRuleProbabilityIsSeeded(t *testing.T) {
	outcomes := func(seed int64) string {
		st := newFixture(t, testAccounts()).st
		srv := New(Options{Clock: clock.NewManual(clock.Epoch), State: st, Seed: seed,
			Rules: planOf(t, &scenarios.Scenario{API: []scenarios.APIRule{{Method: "listTags", Probability: 0.3,
				Respond: scenarios.Respond{HTTP: 500}}}}).Rules})
		var b strings.Builder
		for range 400 {
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, PrefixV13+"listTags", strings.NewReader(req(`"auth":"TESTAUTHTOKEN"`))))
			if rec.Code == 500 {
				b.WriteByte('x')
			} else {
				b.WriteByte('.')
			}
		}
		return b.String()
	}
	a, again, other := outcomes(7), outcomes(7), outcomes(8)
	if a != again {
		t.Fatal("the same seed gave other outcomes")
	}
	if a == other {
		t.Fatal("another seed gave the same outcomes")
	}
	if n := strings.Count(a, "x"); n < 80 || n > 160 {
		t.Fatalf("%d of 400 calls failed at probability 0.3", n)
	}
}

func TestRuleLatencyWaitsOnTheEmulatorClock(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "registerDevice", Latency: scenarios.Latency{Min: 250 * time.Millisecond, Max: 250 * time.Millisecond}})
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, PrefixV13+"registerDevice",
			strings.NewReader(req(`"application":"APPCODE-12345","hwid":"slow","device_type":1`))))
		done <- rec
	}()
	waitPending(t, f.clk, 1)
	if next, _ := f.clk.Next(); next != clock.Epoch.Add(250*time.Millisecond) {
		t.Fatalf("answer due at %v, want 250ms", next.Sub(clock.Epoch))
	}
	f.clk.Advance(249 * time.Millisecond)
	// The call still waits on its timer: had it fired early, nothing would be pending.
	if next, ok := f.clk.Next(); !ok || f.clk.Pending() != 1 || next != clock.Epoch.Add(250*time.Millisecond) {
		t.Fatalf("after 249ms: %d timers pending, next at %v; want the answer still due at 250ms", f.clk.Pending(), next.Sub(clock.Epoch))
	}
	if n := len(f.jr.Entries()); n != 0 {
		t.Fatalf("journal has %d entries before the latency passed", n)
	}
	if _, ok := f.st.Device(appCode, "slow"); ok {
		t.Fatal("the call had its effect before the latency passed")
	}
	f.clk.Advance(time.Millisecond)
	rec := <-done
	if e := mustEnvelope(t, rec.Body.Bytes()); rec.Code != 200 || e.StatusCode != 200 {
		t.Fatalf("after the latency: %d %d %q", rec.Code, e.StatusCode, e.StatusMessage)
	}
	if _, ok := f.st.Device(appCode, "slow"); !ok {
		t.Fatal("a latency-only rule skipped normal behaviour")
	}
	if got := f.jr.Entries(); got[0].Latency != 250*time.Millisecond {
		t.Fatalf("journal latency %v, want 250ms", got[0].Latency)
	}
}

func TestRuleLatencyRangeAndCancel(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "listTags", Latency: scenarios.Latency{Min: 100 * time.Millisecond, Max: 2 * time.Second}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, PrefixV13+"listTags", strings.NewReader(req(`"auth":"TESTAUTHTOKEN"`))).WithContext(ctx)
		f.srv.ServeHTTP(rec, r)
		done <- rec
	}()
	waitPending(t, f.clk, 1)
	next, _ := f.clk.Next()
	if d := next.Sub(clock.Epoch); d < 100*time.Millisecond || d > 2*time.Second {
		t.Fatalf("latency %v outside 100ms-2s", d)
	}
	cancel() // the client gives up: the call ends without an answer, the timer goes
	rec := <-done
	if rec.Body.Len() != 0 {
		t.Fatalf("answered a client that went away: %s", rec.Body.Bytes())
	}
	if f.clk.Pending() != 0 {
		t.Fatal("the latency timer outlived the call")
	}
	if got := f.jr.Entries(); len(got) != 1 || got[0].HTTPStatus != 0 || string(got[0].Response) != "null" {
		t.Fatalf("journal of an abandoned call: %+v", got)
	}
}

func TestRuleWarningsKeepNormalBehaviour(t *testing.T) {
	for _, rp := range []scenarios.Respond{{Warning: "subscriber_limit"}, {Code: "subscriber_limit"}} {
		f := newFixture(t, testAccounts(), scenarios.APIRule{Method: "createMessage", Respond: rp})
		status, e := f.call(t, "createMessage", createBody)
		var r struct{ Messages []string }
		if status != 200 || e.StatusCode != 200 || e.StatusMessage != catalog.MsgSubscriberLimit || json.Unmarshal(e.Response, &r) != nil || len(r.Messages) != 1 {
			t.Fatalf("%+v: %d %d %q %s", rp, status, e.StatusCode, e.StatusMessage, e.Response)
		}
		if len(f.messages()) != 1 {
			t.Fatalf("%+v: the message was not accepted", rp)
		}
	}
	f := newFixture(t, testAccounts(), scenarios.APIRule{Method: "*", Respond: scenarios.Respond{Warning: "active_devices_exceeded"}})
	if _, e := f.call(t, "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[]`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgNoNotifications {
		t.Fatalf("a warning does not cover a refusal: %d %q", e.StatusCode, e.StatusMessage)
	}
	if _, e := f.call(t, "createMessage", createBody); e.StatusMessage != catalog.MsgActiveDevices {
		t.Fatalf("active devices warning: %q", e.StatusMessage)
	}
}

func TestRuleNamedResponses(t *testing.T) {
	for _, named := range catalog.Responses {
		name := named.Name
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, testAccounts(), scenarios.APIRule{Method: "createMessage", Respond: scenarios.Respond{Code: name}})
			status, e := f.call(t, "createMessage", createBody)
			if status != named.HTTP || e.StatusCode != named.StatusCode || e.StatusMessage != named.StatusMessage {
				t.Fatalf("got %d %d %q, want %d %d %q", status, e.StatusCode, e.StatusMessage, named.HTTP, named.StatusCode, named.StatusMessage)
			}
			if accepted := len(f.messages()) == 1; accepted != named.Warning {
				t.Fatalf("message accepted = %v, want %v", accepted, named.Warning)
			}
		})
	}
	for _, name := range []string{"app_not_found", "app_suspended", "account_suspended", "invalid_token", "token_not_set",
		"select_platform", "no_app_or_group", "subscriber_limit", "active_devices_exceeded", "bad_request",
		"unauthorized", "forbidden", "not_found", "internal", "rate_limited"} {
		if _, ok := catalog.ResponseNamed(name); !ok {
			t.Errorf("named response %q missing", name)
		}
	}
}

func TestRuleCustomEnvelope(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "getTags", Respond: scenarios.Respond{StatusCode: 210, StatusMessage: "Device not found",
			Response: map[string]any{"result": map[string]any{"a": 1}}}},
		scenarios.APIRule{Method: "listTags", Respond: scenarios.Respond{HTTP: 202, StatusMessage: "Accepted later"}},
	)
	status, e := f.call(t, "getTags", req(`"application":"APPCODE-12345","hwid":"h"`))
	if status != 200 || e.StatusCode != 210 || e.StatusMessage != "Device not found" || string(e.Response) != `{"result":{"a":1}}` {
		t.Fatalf("custom envelope: %d %d %q %s", status, e.StatusCode, e.StatusMessage, e.Response)
	}
	status, e = f.call(t, "listTags", req(`"auth":"TESTAUTHTOKEN"`))
	if status != 202 || e.StatusCode != 202 || e.StatusMessage != "Accepted later" || string(e.Response) != "null" {
		t.Fatalf("custom envelope with http: %d %d %q %s", status, e.StatusCode, e.StatusMessage, e.Response)
	}
}

func TestRuleOnMessagingV2(t *testing.T) {
	f := newFixture(t, testAccounts(), scenarios.APIRule{Method: "notify", Respond: scenarios.Respond{HTTP: 503}})
	status, body := f.callV2(t, "notify", `{"transactional":{"application":"APPCODE-12345","content":"x"}}`, "Token TESTAUTHTOKEN")
	if status != 503 || body != `{"code":14,"message":"Service Unavailable","details":[]}` {
		t.Fatalf("v2 under a 503 rule: %d %s", status, body)
	}
}

// Faults need a real connection.
func TestRuleFaults(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "registerDevice", Respond: scenarios.Respond{Fault: "reset"}},
		scenarios.APIRule{Method: "getTags", Respond: scenarios.Respond{Fault: "malformed"}},
		scenarios.APIRule{Method: "setTags", Respond: scenarios.Respond{Fault: "hang"}},
	)
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	post := func(ctx context.Context, method, body string) (*http.Response, []byte, error) {
		r, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+PrefixV13+method, strings.NewReader(body))
		resp, err := ts.Client().Do(r)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	ctx := context.Background()

	if _, _, err := post(ctx, "registerDevice", req(`"application":"APPCODE-12345","hwid":"h","device_type":1`)); err == nil {
		t.Fatal("reset: the call got an answer")
	}
	if _, ok := f.st.Device(appCode, "h"); ok {
		t.Fatal("reset: the call had its effect")
	}

	resp, body, err := post(ctx, "getTags", req(`"application":"APPCODE-12345","hwid":"h"`))
	if err != nil || resp.StatusCode != 200 || json.Valid(body) || !strings.Contains(string(body), "Bad Gateway") {
		t.Fatalf("malformed: %v %v %s", err, resp, body)
	}

	// hang: nothing comes until the client gives up…
	cctx, cancel := context.WithCancel(ctx)
	errc := make(chan error, 1)
	go func() {
		_, _, err := post(cctx, "setTags", req(`"application":"APPCODE-12345","hwid":"h","tags":{"a":1}`))
		errc <- err
	}()
	waitPending(t, f.clk, 1)
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("hang, client cancelled: %v", err)
	}
	waitPending(t, f.clk, 0)
	waitJournal(t, f.jr, 3) // the cancelled call is journaled before the next one starts
	// … or HangLimit of emulator time passes and the connection is closed.
	hangStart := f.clk.Now()
	go func() {
		_, _, err := post(ctx, "setTags", req(`"application":"APPCODE-12345","hwid":"h","tags":{"a":1}`))
		errc <- err
	}()
	waitPending(t, f.clk, 1)
	f.clk.Advance(HangLimit - time.Millisecond)
	// The call still holds its timer, due at the limit: had it ended early, nothing
	// would be pending and the journal would have an entry that waited.
	if next, ok := f.clk.Next(); !ok || f.clk.Pending() != 1 || next != hangStart.Add(HangLimit) {
		t.Fatalf("before the limit: %d timers pending, next at %v; want the hang still due at %v", f.clk.Pending(), next.Sub(hangStart), HangLimit)
	}
	for _, e := range f.jr.Entries() {
		if e.Latency != 0 {
			t.Fatalf("hang ended early: journal has %s after %v", e.Method, e.Latency)
		}
	}
	f.clk.Advance(time.Millisecond)
	if err := <-errc; err == nil {
		t.Fatal("hang: an answer came after the limit")
	}

	waitJournal(t, f.jr, 4)
	got := f.jr.Entries()
	if got[0].Method != "registerDevice" || got[0].HTTPStatus != 0 || string(got[0].Response) != "null" {
		t.Errorf("reset entry: %+v", got[0])
	}
	var s string
	if got[1].HTTPStatus != 200 || json.Unmarshal(got[1].Response, &s) != nil || !strings.Contains(s, "Bad Gateway") {
		t.Errorf("malformed entry: %+v", got[1])
	}
	if got[3].HTTPStatus != 0 || got[3].Latency != HangLimit {
		t.Errorf("hang entry: %+v", got[3])
	}
}

// The emulator closes a server when it replaces the scenario; a call waiting on the old
// clock, which nobody will move again, gets a 503 envelope instead of hanging.
func TestCloseReleasesCallsWaitingOnTheClock(t *testing.T) {
	f := newFixture(t, testAccounts(),
		scenarios.APIRule{Method: "registerDevice", Latency: scenarios.Latency{Min: time.Hour, Max: time.Hour}})
	done := make(chan *httptest.ResponseRecorder)
	go func() {
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, PrefixV13+"registerDevice",
			strings.NewReader(req(`"application":"APPCODE-12345","hwid":"h","device_type":1`))))
		done <- rec
	}()
	waitPending(t, f.clk, 1)
	f.srv.Close()
	rec := <-done
	e := mustEnvelope(t, rec.Body.Bytes())
	if rec.Code != 503 || e.StatusCode != 503 || !strings.Contains(e.StatusMessage, "replaced or reset") {
		t.Fatalf("a call cut by Close: %d %d %q", rec.Code, e.StatusCode, e.StatusMessage)
	}
}
