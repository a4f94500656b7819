package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
)

// callPath posts body to a non-envelope path and answers the HTTP status and body,
// failing the test when the body is not JSON.
func (f *fixture) callPath(t *testing.T, path, body, auth string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("%s answered non-JSON: %s", path, rec.Body.Bytes())
	}
	return rec.Code, rec.Body.String()
}

// eventsFixture has an in-app shown by the event activityCompleted and the
// documented createEvent example defined.
func eventsFixture(t *testing.T) *fixture {
	t.Helper()
	accounts := testAccounts()
	accounts[0].Applications[0].InApps = []scenarios.InApp{{Code: "61BC9-84DD0", Event: "activityCompleted"}}
	f := newFixture(t, accounts)
	registerFleet(t, f)
	for _, body := range []string{
		`"name":"BasketOpen","description":"Open basket page","eventAttributes":[{"type":3,"name":"products"},{"type":5,"name":"delivery"}],"trackRevenue":false`,
		`"name":"activityCompleted","eventAttributes":[{"type":2,"name":"login"},{"type":1,"name":"count"},{"type":4,"name":"when"},{"type":6,"name":"price"}]`,
	} {
		if _, e := f.call(t, "createEvent", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345",`+body)); e.StatusCode != 200 {
			t.Fatalf("createEvent %s: %d %q", body, e.StatusCode, e.StatusMessage)
		}
	}
	return f
}

func TestCreateEvent(t *testing.T) {
	f := eventsFixture(t)
	srv := `"auth":"TESTAUTHTOKEN","application":"APPCODE-12345",`
	_, e := f.call(t, "createEvent", req(srv+`"name":"Signup","description":"first visit"`))
	var created struct{ Event uint64 }
	if e.StatusCode != 200 || json.Unmarshal(e.Response, &created) != nil || created.Event == 0 {
		t.Fatalf("createEvent: %d %q %s, want 200 {\"event\": id}", e.StatusCode, e.StatusMessage, e.Response)
	}
	def, found := f.st.Event("acme", appCode, "BasketOpen")
	if !found || def.Description != "Open basket page" || len(def.Attributes) != 2 || def.Attributes[0].Name != "products" || def.Attributes[1].Type != 5 {
		t.Errorf("BasketOpen kept as %+v", def)
	}
	// the same name in another application is another event
	if _, e := f.call(t, "createEvent", req(`"auth":"TESTAUTHTOKEN","application":"0THER-00003","name":"BasketOpen"`)); e.StatusCode != 200 {
		t.Errorf("BasketOpen in another application: %d %q", e.StatusCode, e.StatusMessage)
	}
	for _, tc := range []struct {
		fields string
		code   int
		msg    string
	}{
		{srv + `"name":"BasketOpen"`, 210, catalog.MsgEventExists},
		{srv + `"description":"nameless"`, 210, catalog.MsgNoEventName},
		{srv + `"name":"` + strings.Repeat("n", 33) + `"`, 210, catalog.MsgEventNameTooLong},
		{srv + `"name":"Long","description":"` + strings.Repeat("d", 65) + `"`, 210, catalog.MsgEventDescTooLong},
		{srv + `"name":"Typed","eventAttributes":[{"type":7,"name":"x"}]`, 210, catalog.MsgBadAttributeType},
		{srv + `"name":"Typed","eventAttributes":[{"type":1,"name":""}]`, 210, catalog.MsgBadAttributeName},
		{`"auth":"TESTAUTHTOKEN","name":"NoApp"`, 210, catalog.MsgTokenOrAppNotSet},
		{`"auth":"TESTAUTHTOKEN","application":"NOPE0-00000","name":"X"`, 210, catalog.MsgAppNotFound},
	} {
		if _, e := f.call(t, "createEvent", req(tc.fields)); e.StatusCode != tc.code || e.StatusMessage != tc.msg {
			t.Errorf("createEvent %s: %d %q, want %d %q", tc.fields, e.StatusCode, e.StatusMessage, tc.code, tc.msg)
		}
	}
}

func TestCreateEventLimit(t *testing.T) {
	f := newFixture(t, testAccounts())
	for i := range 1000 {
		f.st.CreateEvent("acme", eventDef(i)) //nolint:errcheck
	}
	_, e := f.call(t, "createEvent", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","name":"OneTooMany"`))
	if e.StatusCode != 403 || e.StatusMessage != catalog.MsgEventsLimit {
		t.Fatalf("createEvent past the limit: %d %q, want 403 %q", e.StatusCode, e.StatusMessage, catalog.MsgEventsLimit)
	}
}

func TestPostEvent(t *testing.T) {
	f := eventsFixture(t)
	app := `"application":"APPCODE-12345",`
	for _, tc := range []struct {
		name, fields string
		code         int
		msg, resp    string
	}{
		{"documented example, in-app shown", `"hwid":"ios-1","event":"activityCompleted","attributes":{"login":"facebook","success":"yes","internet":"wifi"},"timestampUTC":1435228403,"timestampCurrent":1435253603,"userId":"alice","device_type":1`,
			200, "OK", `{"code":"61BC9-84DD0"}`},
		{"no in-app", `"hwid":"ios-1","userId":"alice","event":"BasketOpen","attributes":{"products":["a","b"],"delivery":true}`, 200, "OK", `null`},
		{"userId instead of hwid", `"userId":"alice","event":"BasketOpen","attributes":{}`, 200, "OK", `null`},
		{"typed attributes", `"hwid":"ios-1","event":"activityCompleted","attributes":{"count":"3","when":"2026-01-02 10:00","price":9.99,"undefined":{"x":1}}`, 200, "OK", `{"code":"61BC9-84DD0"}`},
		{"unix date, boolean as 1", `"hwid":"ios-1","event":"BasketOpen","attributes":{"delivery":1}`, 200, "OK", `null`},
		{"no event", `"hwid":"ios-1","attributes":{}`, 210, catalog.MsgNoEvent, `null`},
		{"nobody", `"event":"BasketOpen","attributes":{}`, 210, catalog.MsgNoEventUser, `null`},
		{"attributes omitted", `"hwid":"ios-1","event":"BasketOpen"`, 210, catalog.MsgNoEventAttributes, `null`},
		{"attributes not an object", `"hwid":"ios-1","event":"BasketOpen","attributes":"x"`, 210, catalog.MsgBadEventAttributes, `null`},
		{"undefined event", `"hwid":"ios-1","event":"basketopen","attributes":{}`, 210, catalog.MsgEventNotFound + ": basketopen", `null`},
		{"integer", `"hwid":"ios-1","event":"activityCompleted","attributes":{"count":1.5}`, 210, `Attribute "count" must be an integer`, `null`},
		{"string", `"hwid":"ios-1","event":"activityCompleted","attributes":{"login":5}`, 210, `Attribute "login" must be a string`, `null`},
		{"list", `"hwid":"ios-1","event":"BasketOpen","attributes":{"products":[1]}`, 210, `Attribute "products" must be a list of strings`, `null`},
		{"date", `"hwid":"ios-1","event":"activityCompleted","attributes":{"when":"yesterday"}`, 210, `Attribute "when" must be a date: "YYYY-MM-DD HH:mm" or a unix timestamp`, `null`},
		{"boolean", `"hwid":"ios-1","event":"BasketOpen","attributes":{"delivery":"maybe"}`, 210, `Attribute "delivery" must be a boolean`, `null`},
		{"price", `"hwid":"ios-1","event":"activityCompleted","attributes":{"price":-1}`, 210, `Attribute "price" must be a price: a number not below 0`, `null`},
	} {
		_, e := f.call(t, "postEvent", req(app+tc.fields))
		if e.StatusCode != tc.code || e.StatusMessage != tc.msg || string(e.Response) != tc.resp {
			t.Errorf("%s: %d %q %s, want %d %q %s", tc.name, e.StatusCode, e.StatusMessage, e.Response, tc.code, tc.msg, tc.resp)
		}
	}
	if n := f.st.Counters(appCode)["event:activityCompleted"]; n != 2 {
		t.Errorf("activityCompleted counted %d times, want 2", n)
	}
}

func TestUsers(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	app := `"application":"APPCODE-12345",`
	// getUsersDetails: a request id, then the users and their devices.
	_, e := f.call(t, "getUsersDetails", req(`"auth":"TESTAUTHTOKEN",`+app+`"users":["alice","nobody"]`))
	var id struct {
		RequestID string `json:"request_id"`
	}
	if e.StatusCode != 200 || json.Unmarshal(e.Response, &id) != nil || id.RequestID == "" {
		t.Fatalf("getUsersDetails: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
	}
	_, e = f.call(t, "getResults", req(`"auth":"TESTAUTHTOKEN","request_id":"`+id.RequestID+`"`))
	want := `{"users":[{"userId":"alice","devices":[` +
		`{"hwid":"and-1","platform":"Android","device_type":3,"push_token":"tok-and-1","timezone":0,"subscribed":true,"tags":{}},` +
		`{"hwid":"ios-1","platform":"iOS","device_type":1,"push_token":"tok-ios-1","timezone":0,"subscribed":true,"tags":{}}]}]}`
	if e.StatusCode != 200 || string(e.Response) != want {
		t.Fatalf("getResults: %d %s\nwant %s", e.StatusCode, e.Response, want)
	}
	if _, e := f.call(t, "getUsersDetails", req(`"auth":"TESTAUTHTOKEN"`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgTokenOrAppNotSet {
		t.Errorf("getUsersDetails without application: %d %q", e.StatusCode, e.StatusMessage)
	}
	// unregisterUser unties the device, which stays registered.
	for _, tc := range []struct {
		fields string
		code   int
		msg    string
	}{
		{`"hwid":"ios-1"`, 200, "OK"},
		{`"userId":"bob"`, 200, "OK"},
		{`"device_type":1`, 210, catalog.MsgNoUnregisterTarget},
	} {
		if _, e := f.call(t, "unregisterUser", req(app+tc.fields)); e.StatusCode != tc.code || e.StatusMessage != tc.msg {
			t.Errorf("unregisterUser %s: %d %q, want %d %q", tc.fields, e.StatusCode, e.StatusMessage, tc.code, tc.msg)
		}
	}
	for _, h := range []string{"ios-1", "ios-2"} {
		if d, _ := f.st.Device(appCode, h); d.UserID != "" || !d.Subscribed {
			t.Errorf("%s after unregisterUser: %+v", h, d)
		}
	}
	if d, _ := f.st.Device(appCode, "and-1"); d.UserID != "alice" {
		t.Errorf("and-1 lost its user: %+v", d)
	}
}

func TestDeleteUserV2(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	f.call(t, "registerEmail", req(`"application":"APPCODE-12345","email":"alice@example.com","userId":"alice"`))
	path := PrefixDeviceAPI + "deleteUser"
	status, body := f.callPath(t, path, `{"application":"APPCODE-12345","user_id":"alice"}`, "Token DEVICE-TOKEN")
	if status != 200 || body != `{}` {
		t.Fatalf("deleteUser: %d %s, want 200 {}", status, body)
	}
	for _, h := range []string{"ios-1", "and-1", "alice@example.com"} {
		if _, found := f.st.Device(appCode, h); found {
			t.Errorf("%s survived deleteUser", h)
		}
	}
	if _, found := f.st.Device(appCode, "ios-2"); !found {
		t.Error("bob's device went with alice")
	}
	if n := f.st.RegisteredDevices("acme"); n != 3 { // ios-2, web-1, oth-1
		t.Errorf("registered devices after deleteUser: %d, want 3", n)
	}
	for _, tc := range []struct {
		body, auth string
		status     int
		want       string
	}{
		{`{"application":"APPCODE-12345"}`, "", 400, `{"code":3,"message":"` + catalog.MsgNoDeleteUserID + `","details":[]}`},
		{`{"user_id":"bob"}`, "", 400, `{"code":3,"message":"` + catalog.MsgNoDeleteUserApp + `","details":[]}`},
		{`{"application":"NOPE0-00000","user_id":"bob"}`, "", 400, `{"code":9,"message":"` + catalog.MsgAppNotFound + `","details":[]}`},
		{`{"application":"APPCODE-12345","user_id":"bob"}`, "Token NOT-A-TOKEN", 401, `{"code":16,"message":"` + catalog.MsgUnauthorized + `","details":[]}`},
		{`not json`, "", 400, `{"code":3,"message":"` + catalog.MsgBadJSON + `","details":[]}`},
	} {
		if status, body := f.callPath(t, path, tc.body, tc.auth); status != tc.status || body != tc.want {
			t.Errorf("deleteUser %s: %d %s, want %d %s", tc.body, status, body, tc.status, tc.want)
		}
	}
}

func eventDef(i int) state.EventDef {
	return state.EventDef{Name: "E" + strconv.Itoa(i), Application: appCode}
}
