package api

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// TestStatusMappings checks every refusal the API must map exactly (the code table of
// https://docs.pushwoosh.com/developer/api-reference/):
// HTTP status, status_code and status_message.
func TestStatusMappings(t *testing.T) {
	const msg = `"notifications":[{"send_date":"now","content":"hi"}]`
	cases := []struct {
		name    string
		method  string
		body    string
		headers []string
		http    int
		code    int
		message string
	}{
		// API token or application not set.
		{"createMessage without auth", "createMessage", req(`"application":"APPCODE-12345",` + msg), nil, 200, 210, catalog.MsgTokenOrAppNotSet},
		{"createMessage with empty auth", "createMessage", req(`"auth":"","application":"APPCODE-12345",` + msg), nil, 200, 210, catalog.MsgTokenOrAppNotSet},
		{"createMessage without application", "createMessage", req(`"auth":"TESTAUTHTOKEN",` + msg), nil, 200, 210, catalog.MsgTokenOrAppNotSet},
		{"getApplication without application", "getApplication", req(`"auth":"TESTAUTHTOKEN"`), nil, 200, 210, catalog.MsgTokenOrAppNotSet},
		{"listTags without auth", "listTags", req(``), nil, 200, 210, catalog.MsgTokenOrAppNotSet},
		// Unknown server token.
		{"unknown server token", "createMessage", req(`"auth":"NO-SUCH-TOKEN","application":"APPCODE-12345",` + msg), nil, 200, 210, catalog.MsgInvalidToken},
		{"unknown server token, account method", "listTags", req(`"auth":"NO-SUCH-TOKEN"`), nil, 200, 210, catalog.MsgInvalidToken},
		{"unknown server token without application", "createMessage", req(`"auth":"NO-SUCH-TOKEN",` + msg), nil, 200, 210, catalog.MsgInvalidToken},
		{"device token as request.auth without application", "createMessage", req(`"auth":"DEVICE-TOKEN",` + msg), nil, 401, 401, catalog.MsgUnauthorized},
		{"device token in the header of a server method without application", "getApplication", req(``), []string{"Authorization: Token DEVICE-TOKEN"}, 401, 401, catalog.MsgUnauthorized},
		// Applications.
		{"unknown application", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"00000-00000",` + msg), nil, 200, 210, catalog.MsgAppNotFound},
		{"unknown application, device call", "registerDevice", req(`"application":"00000-00000","hwid":"h","device_type":3`), nil, 200, 210, catalog.MsgAppNotFound},
		{"suspended application", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"DEAD0-00001",` + msg), nil, 200, 210, catalog.MsgAppSuspended},
		{"suspended application, device call", "registerDevice", req(`"application":"DEAD0-00001","hwid":"h","device_type":3`), nil, 200, 210, catalog.MsgAppSuspended},
		{"suspended account", "createMessage", req(`"auth":"FROZEN-TOKEN","application":"F0000-00001",` + msg), nil, 200, 210, catalog.MsgAccountSuspended},
		{"suspended account, device call", "registerDevice", req(`"application":"F0000-00001","hwid":"h","device_type":3`), nil, 200, 210, catalog.MsgAccountSuspended},
		{"application of another account", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"5A11-00001",` + msg), nil, 200, 210, catalog.MsgAccessDenied},
		{"token restricted to other applications", "createMessage", req(`"auth":"ONLY-OTHER-APP","application":"APPCODE-12345",` + msg), nil, 200, 210, catalog.MsgAccessDenied},
		{"device token of another account", "registerDevice", req(`"application":"5A11-00001","hwid":"h","device_type":3`), []string{"Authorization: Token DEVICE-TOKEN"}, 200, 210, catalog.MsgAccessDenied},
		// createMessage content.
		{"empty platforms", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"now","content":"x","platforms":[]}]`), nil, 200, 210, catalog.MsgSelectPlatform},
		{"only unknown platforms", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"now","content":"x","platforms":[99]}]`), nil, 200, 210, catalog.MsgSelectPlatform},
		{"no notifications field", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345"`), nil, 200, 210, catalog.MsgNoNotifications},
		{"empty notifications", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[]`), nil, 200, 210, catalog.MsgNoNotifications},
		{"null notifications", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":null`), nil, 200, 210, catalog.MsgNoNotifications},
		{"bad send_date", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"tomorrow","content":"x"}]`), nil, 200, 210, catalog.MsgCannotParseDate},
		{"send_date in an unknown zone", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"2026-01-02 10:00","timezone":"Mars/Olympus","content":"x"}]`), nil, 200, 210, catalog.MsgCannotParseDate},
		{"android_root_params not an object", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"now","content":"x","android_root_params":[]}]`), nil, 200, 210, catalog.MsgAndroidRootParams},
		// Tokens of the wrong kind, unknown device tokens.
		{"server token in the device header", "registerDevice", req(`"application":"APPCODE-12345","hwid":"h","device_type":3`), []string{"Authorization: Token TESTAUTHTOKEN"}, 401, 401, catalog.MsgUnauthorized},
		{"device token as request.auth", "createMessage", req(`"auth":"DEVICE-TOKEN","application":"APPCODE-12345",` + msg), nil, 401, 401, catalog.MsgUnauthorized},
		{"unknown device token", "setTags", req(`"application":"APPCODE-12345","hwid":"h","tags":{"a":1}`), []string{"Authorization: Token NO-SUCH-TOKEN"}, 401, 401, catalog.MsgUnauthorized},
		{"device header of another scheme", "setTags", req(`"application":"APPCODE-12345","hwid":"h","tags":{"a":1}`), []string{"Authorization: Bearer DEVICE-TOKEN"}, 401, 401, catalog.MsgUnauthorized},
		// Device calls without a token.
		{"device call without Authorization", "registerDevice", req(`"application":"APPCODE-12345","hwid":"h","device_type":3`), nil, 200, 200, "OK"},
		{"device call with a device token", "registerDevice", req(`"application":"APPCODE-12345","hwid":"h","device_type":3`), []string{"Authorization: Token DEVICE-TOKEN"}, 200, 200, "OK"},
		{"application requiring device tokens, none sent", "registerDevice", req(`"application":"5EC0E-00002","hwid":"h","device_type":3`), nil, 401, 401, catalog.MsgUnauthorized},
		{"application requiring device tokens, one sent", "registerDevice", req(`"application":"5EC0E-00002","hwid":"h","device_type":3`), []string{"Authorization: token DEVICE-TOKEN"}, 200, 200, "OK"},
		// Token restrictions.
		{"server token without the method", "createMessage", req(`"auth":"READ-ONLY","application":"APPCODE-12345",` + msg), nil, 403, 403, catalog.MsgForbidden},
		{"device token without the method", "registerDevice", req(`"application":"APPCODE-12345","hwid":"h","device_type":3`), []string{"Authorization: Token DEVICE-SETTAGS-ONLY"}, 403, 403, catalog.MsgForbidden},
		{"device token with the method", "setTags", req(`"application":"APPCODE-12345","hwid":"h","tags":{"a":1}`), []string{"Authorization: Token DEVICE-SETTAGS-ONLY"}, 200, 200, "OK"},
		// Broken requests.
		{"malformed JSON", "createMessage", `{"request":{"auth":"TESTAUTHTOKEN",`, nil, 400, 400, catalog.MsgBadRequest},
		{"empty body", "createMessage", ``, nil, 400, 400, catalog.MsgBadRequest},
		{"no request object", "createMessage", `{"auth":"TESTAUTHTOKEN"}`, nil, 400, 400, catalog.MsgBadRequest},
		{"request of the wrong type", "createMessage", `{"request":[1,2]}`, nil, 400, 400, catalog.MsgBadRequest},
		{"known field of a type no client sends", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":{"a":1}`), nil, 400, 400, catalog.MsgBadRequest},
		{"unknown method", "createMesage", req(`"auth":"TESTAUTHTOKEN"`), nil, 404, 404, catalog.MsgNotFound},
		{"unknown path", "/json/1.2/createMessage", req(`"auth":"TESTAUTHTOKEN"`), nil, 404, 404, catalog.MsgNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, testAccounts())
			status, e := f.call(t, tc.method, tc.body, tc.headers...)
			if status != tc.http || e.StatusCode != tc.code || e.StatusMessage != tc.message {
				t.Fatalf("got %d %d %q, want %d %d %q", status, e.StatusCode, e.StatusMessage, tc.http, tc.code, tc.message)
			}
			if tc.code != 200 && string(e.Response) != "null" {
				t.Errorf("refusal carries a response: %s", e.Response)
			}
		})
	}
}

func TestBodyOver10MiBIs413(t *testing.T) {
	f := newFixture(t, testAccounts())
	big := req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"now","content":"` +
		strings.Repeat("x", MaxBodyBytes) + `"}]`)
	status, e := f.call(t, "createMessage", big)
	if status != 413 || e.StatusCode != 413 || e.StatusMessage != catalog.MsgTooLarge {
		t.Fatalf("got %d %d %q, want 413 413 %q", status, e.StatusCode, e.StatusMessage, catalog.MsgTooLarge)
	}
	// Without a Content-Length (chunked) the bound holds as well.
	r := httptest.NewRequest(http.MethodPost, PrefixV13+"createMessage", strings.NewReader(big))
	r.ContentLength = -1
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	if e := mustEnvelope(t, rec.Body.Bytes()); rec.Code != 413 || e.StatusCode != 413 {
		t.Fatalf("chunked: got %d %d, want 413", rec.Code, e.StatusCode)
	}
	// Exactly 10 MiB is still read.
	exact := req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"now","content":"`)
	exact += strings.Repeat("x", MaxBodyBytes-len(exact)-len(`"}]}}`)) + `"}]}}`
	if status, e := f.call(t, "createMessage", exact); status != 200 || e.StatusCode != 200 {
		t.Fatalf("a body of exactly 10 MiB: got %d %d %q", status, e.StatusCode, e.StatusMessage)
	}
	if got := f.jr.Entries(); got[0].HTTPStatus != 413 || got[2].HTTPStatus != 200 {
		t.Fatalf("journal statuses %d, %d; want 413 first and 200 last", got[0].HTTPStatus, got[2].HTTPStatus)
	}
}

func TestCreateMessageRateLimit(t *testing.T) {
	f := newFixture(t, testAccounts())
	body := req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"now","content":"x"}]`)
	for i := range 600 {
		f.clk.Advance(50 * time.Millisecond) // 600 calls within 30 s, under one minute
		if status, e := f.call(t, "createMessage", body); status != 200 || e.StatusCode != 200 {
			t.Fatalf("call %d: %d %d %q", i+1, status, e.StatusCode, e.StatusMessage)
		}
	}
	// From the first call to the last, 29.95 s passed, which refilled 299.5 calls at
	// ten a second: spend those, then the limit bites.
	for i := range 299 {
		if status, _ := f.call(t, "createMessage", body); status != 200 {
			t.Fatalf("refilled call %d: HTTP %d", i+1, status)
		}
	}
	status, e := f.call(t, "createMessage", body)
	if status != 429 || e.StatusCode != 429 || e.StatusMessage != catalog.MsgRateLimited {
		t.Fatalf("over the limit: got %d %d %q, want 429 429 %q", status, e.StatusCode, e.StatusMessage, catalog.MsgRateLimited)
	}
	// Other methods and other accounts are not limited.
	if _, e := f.call(t, "listTags", req(`"auth":"TESTAUTHTOKEN"`)); e.StatusCode != 200 {
		t.Fatalf("listTags while createMessage is limited: %d %q", e.StatusCode, e.StatusMessage)
	}
	if _, e := f.call(t, "createMessage", req(`"auth":"SMALL-TOKEN","application":"5A11-00001","notifications":[{"content":"x"}]`)); e.StatusCode != 200 {
		t.Fatalf("another account: %d %q", e.StatusCode, e.StatusMessage)
	}
	f.clk.Advance(time.Second) // ten a second come back
	for i := range 10 {
		if status, _ := f.call(t, "createMessage", body); status != 200 {
			t.Fatalf("after a second, call %d: HTTP %d", i+1, status)
		}
	}
	if status, _ := f.call(t, "createMessage", body); status != 429 {
		t.Fatalf("the 11th call after a second: HTTP %d, want 429", status)
	}
}

func TestRateLimitIs601stWithinAMinute(t *testing.T) {
	f := newFixture(t, testAccounts())
	body := req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"content":"x"}]`)
	for i := range 600 {
		if status, _ := f.call(t, "createMessage", body); status != 200 {
			t.Fatalf("call %d: HTTP %d", i+1, status)
		}
	}
	if status, _ := f.call(t, "createMessage", body); status != 429 {
		t.Fatalf("601st call: HTTP %d, want 429", status)
	}
	f.clk.Advance(time.Minute)
	for i := range 600 {
		if status, _ := f.call(t, "createMessage", body); status != 200 {
			t.Fatalf("next minute, call %d: HTTP %d", i+1, status)
		}
	}
}

func TestLimitWarnings(t *testing.T) {
	f := newFixture(t, testAccounts())
	register := func(app, hwid string) {
		t.Helper()
		if _, e := f.call(t, "registerDevice", req(`"application":"`+app+`","hwid":"`+hwid+`","push_token":"t-`+hwid+`","device_type":1`)); e.StatusCode != 200 {
			t.Fatalf("registerDevice: %d %q", e.StatusCode, e.StatusMessage)
		}
	}
	create := func(token, app string) envelope {
		t.Helper()
		status, e := f.call(t, "createMessage", req(`"auth":"`+token+`","application":"`+app+`","notifications":[{"content":"x"}]`))
		if status != 200 || e.StatusCode != 200 {
			t.Fatalf("createMessage: %d %d %q", status, e.StatusCode, e.StatusMessage)
		}
		return e
	}

	// subscriber_limit: 2 — below it, OK; at it, the warning and one random device.
	register("5A11-00001", "a")
	if e := create("SMALL-TOKEN", "5A11-00001"); e.StatusMessage != "OK" {
		t.Fatalf("below the subscriber limit: %q", e.StatusMessage)
	}
	register("5A11-00001", "b")
	register("5A11-00001", "c")
	e := create("SMALL-TOKEN", "5A11-00001")
	if e.StatusMessage != catalog.MsgSubscriberLimit {
		t.Fatalf("at the subscriber limit: %q, want %q", e.StatusMessage, catalog.MsgSubscriberLimit)
	}
	var r struct{ Messages []string }
	if json.Unmarshal(e.Response, &r) != nil || len(r.Messages) != 1 {
		t.Fatalf("warned createMessage lost its response: %s", e.Response)
	}
	sent := f.messages()
	if last := sent[len(sent)-1]; last.Code != r.Messages[0] || len(last.Targets) != 1 {
		t.Fatalf("limited message went to %d devices, want 1 (%+v)", len(last.Targets), last)
	}
	if n := len(sent[0].Targets); n != 1 {
		t.Fatalf("first message went to %d devices, want 1 (the only one)", n)
	}

	// active_devices_limit: 1 — at it, the warning, and the message goes to all.
	if e := create("BUSY-TOKEN", "B05Y-00001"); e.StatusMessage != "OK" {
		t.Fatalf("below the active devices limit: %q", e.StatusMessage)
	}
	register("B05Y-00001", "x")
	register("B05Y-00001", "y")
	if e := create("BUSY-TOKEN", "B05Y-00001"); e.StatusCode != 200 || e.StatusMessage != catalog.MsgActiveDevices {
		t.Fatalf("over the active devices limit: %d %q, want 200 %q", e.StatusCode, e.StatusMessage, catalog.MsgActiveDevices)
	}
	sent = f.messages()
	if n := len(sent[len(sent)-1].Targets); n != 2 {
		t.Fatalf("message with the active-devices warning went to %d devices, want 2", n)
	}
}

func TestRateLimitOfTheScenario(t *testing.T) {
	accounts := testAccounts()
	accounts[2].CreateMessageRate = 2 // account "small"
	f := newFixture(t, accounts)
	body := req(`"auth":"SMALL-TOKEN","application":"5A11-00001","notifications":[{"content":"x"}]`)
	for i := range 2 {
		if status, _ := f.call(t, "createMessage", body); status != 200 {
			t.Fatalf("call %d: HTTP %d", i+1, status)
		}
	}
	status, e := f.call(t, "createMessage", body)
	if want := "Too many requests: createMessage is limited to 2 calls a minute per account"; status != 429 || e.StatusCode != 429 || e.StatusMessage != want {
		t.Fatalf("3rd call: %d %d %q, want 429 %q", status, e.StatusCode, e.StatusMessage, want)
	}
	f.clk.Advance(30 * time.Second) // one call a half minute comes back
	if status, _ := f.call(t, "createMessage", body); status != 200 {
		t.Fatalf("after 30 s: HTTP %d", status)
	}
}

// firstReadProbe is a request body that records how much room its first Read was
// given, then ends early.
type firstReadProbe struct{ room int }

func (p *firstReadProbe) Read(b []byte) (int, error) {
	if p.room == 0 {
		p.room = len(b)
	}
	return copy(b, `{"request":`), io.ErrUnexpectedEOF
}

// A Content-Length alone does not make the server allocate it: the body is read
// into a buffer of at most bodyPresize that grows as the bytes arrive.
func TestDeclaredLengthIsNotPreallocated(t *testing.T) {
	f := newFixture(t, testAccounts())
	probe := &firstReadProbe{}
	r := httptest.NewRequest(http.MethodPost, PrefixV13+"createMessage", probe)
	r.ContentLength = MaxBodyBytes
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	if e := mustEnvelope(t, rec.Body.Bytes()); rec.Code != 400 || e.StatusCode != 400 {
		t.Fatalf("a body that ended early: got %d %d, want 400", rec.Code, e.StatusCode)
	}
	if probe.room == 0 || probe.room > 64<<10 {
		t.Fatalf("first read was given %d bytes of room, want at most 64 KiB", probe.room)
	}
	// A body shorter than its Content-Length is cut short: 400.
	body := req(`"application":"APPCODE-12345","hwid":"h"`)
	r = httptest.NewRequest(http.MethodPost, PrefixV13+"getTags", strings.NewReader(body))
	r.ContentLength = int64(len(body)) + 1
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	if rec.Code != 400 {
		t.Fatalf("a body shorter than its Content-Length: got %d, want 400", rec.Code)
	}
	// Bytes past the Content-Length are not part of the body.
	r = httptest.NewRequest(http.MethodPost, PrefixV13+"getTags", strings.NewReader(body+"garbage"))
	r.ContentLength = int64(len(body))
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	if e := mustEnvelope(t, rec.Body.Bytes()); rec.Code != 200 || e.StatusCode != 200 {
		t.Fatalf("a body followed by extra bytes: got %d %d %q, want 200", rec.Code, e.StatusCode, e.StatusMessage)
	}
}
