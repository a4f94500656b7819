package api

import (
	"encoding/json"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestDeviceLifecycle(t *testing.T) {
	f := newFixture(t, testAccounts())
	check := func(want string) {
		t.Helper()
		_, e := f.call(t, "checkDevice", req(`"application":"APPCODE-12345","hwid":"h1"`))
		if string(e.Response) != want {
			t.Fatalf("checkDevice: %s, want %s", e.Response, want)
		}
	}
	check(`{"exist":false,"push_token_exist":false}`)
	if _, e := f.call(t, "registerDevice", req(`"application":"APPCODE-12345","hwid":"h1","push_token":"tok1","device_type":1,"language":"de","timezone":3600,"userId":"u1"`)); e.StatusCode != 200 || string(e.Response) != "null" {
		t.Fatalf("registerDevice: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
	}
	check(`{"exist":true,"push_token_exist":true}`)
	d, _ := f.st.Device(appCode, "h1")
	if d.PushToken != "tok1" || d.Type != 1 || d.Language != "de" || d.Timezone != 3600 || d.UserID != "u1" {
		t.Fatalf("device as stored: %+v", d)
	}
	if n := f.st.RegisteredDevices("acme"); n != 1 {
		t.Fatalf("registered devices = %d, want 1", n)
	}

	// Tags: new names take the type of their value; a value of another type is skipped.
	_, e := f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"h1","tags":{"score":7,"name":"Ann","colours":["red","blue"],"vip":true}`))
	if e.StatusCode != 200 || string(e.Response) != "null" {
		t.Fatalf("setTags: %d %s", e.StatusCode, e.Response)
	}
	_, e = f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"h1","tags":{"score":"many","colours":{"operation":"append","value":["green"]},"name":null}`))
	if want := `{"skipped":[{"tag":"score","reason":"Value does not match the tag type (integer)"}]}`; string(e.Response) != want {
		t.Fatalf("setTags with a mismatch: %s, want %s", e.Response, want)
	}
	_, e = f.call(t, "getTags", req(`"application":"APPCODE-12345","hwid":"h1"`))
	if want := `{"result":{"Language":"de","colours":["red","blue","green"],"score":7,"vip":true}}`; string(e.Response) != want {
		t.Fatalf("getTags: %s, want %s", e.Response, want)
	}

	// Unregistering keeps the device but stops its messages.
	f.call(t, "unregisterDevice", req(`"application":"APPCODE-12345","hwid":"h1"`))
	check(`{"exist":true,"push_token_exist":false}`)
	if n := f.st.RegisteredDevices("acme"); n != 0 {
		t.Fatalf("registered devices after unregister = %d, want 0", n)
	}
	f.call(t, "deleteDevice", req(`"application":"APPCODE-12345","hwid":"h1"`))
	check(`{"exist":false,"push_token_exist":false}`)

	for _, tc := range []struct{ method, body, msg string }{
		{"registerDevice", req(`"application":"APPCODE-12345","device_type":1`), catalog.MsgNoHWID},
		{"registerDevice", req(`"application":"APPCODE-12345","hwid":"h","device_type":2`), catalog.MsgBadDeviceType},
		{"setTags", req(`"application":"APPCODE-12345","hwid":"h","tags":"x"`), catalog.MsgBadTags},
		{"postEvent", req(`"application":"APPCODE-12345","hwid":"h"`), catalog.MsgNoEvent},
		{"registerEmail", req(`"application":"APPCODE-12345"`), catalog.MsgNoEmail},
		{"getNearestZone", req(`"application":"APPCODE-12345","hwid":"h"`), catalog.MsgNoCoordinates},
		{"registerDevice", req(`"hwid":"h","device_type":1`), catalog.MsgTokenOrAppNotSet},
	} {
		if _, e := f.call(t, tc.method, tc.body); e.StatusCode != 210 || e.StatusMessage != tc.msg {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.body, e.StatusCode, e.StatusMessage, tc.msg)
		}
	}
}

func TestDeviceCallsThatCount(t *testing.T) {
	f := newFixture(t, testAccounts())
	f.call(t, "createEvent", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","name":"Purchase"`))
	calls := []struct{ method, fields string }{
		{"applicationOpen", `"hwid":"h","device_type":3,"userId":"u9"`},
		{"pushStat", `"hwid":"h","hash":"abc"`},
		{"messageDeliveryEvent", `"hwid":"h","hash":"abc"`},
		{"postEvent", `"hwid":"h","event":"Purchase","attributes":{"sum":5}`},
		{"postEvent", `"userId":"u9","event":"Purchase","attributes":{}`},
		{"registerUser", `"hwid":"h","userId":"u10"`},
		{"registerEmail", `"email":"a@example.com","userId":"u10","tz_offset":7200`},
		{"registerEmailUser", `"email":"a@example.com","userId":"u11"`},
		{"setEmailTags", `"email":"a@example.com","tags":{"plan":"gold"}`},
	}
	for _, c := range calls {
		if _, e := f.call(t, c.method, req(`"application":"APPCODE-12345",`+c.fields)); e.StatusCode != 200 {
			t.Fatalf("%s: %d %q", c.method, e.StatusCode, e.StatusMessage)
		}
	}
	got := f.st.Counters(appCode)
	want := map[string]int{"open": 1, "push_stat": 1, "delivery": 1, "event:Purchase": 2}
	if len(got) != len(want) {
		t.Fatalf("counters %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("counters %v, want %v", got, want)
		}
	}
	if d, _ := f.st.Device(appCode, "h"); d.UserID != "u10" || d.Type != 3 || d.Subscribed {
		t.Fatalf("touched device: %+v", d)
	}
	email, found := f.st.Device(appCode, "a@example.com")
	if !found || email.Type != 14 || email.UserID != "u11" || email.Timezone != 7200 || email.Tags["plan"] != "gold" || !email.Subscribed {
		t.Fatalf("email device: %+v", email)
	}
	_, e := f.call(t, "getInboxMessages", req(`"application":"APPCODE-12345","hwid":"h"`))
	var inbox struct {
		Messages []any `json:"messages"`
		Next     string
	}
	if json.Unmarshal(e.Response, &inbox) != nil || inbox.Messages == nil {
		t.Fatalf("getInboxMessages: %s", e.Response)
	}
	_, e = f.call(t, "getConfig", req(`"application":"APPCODE-12345","hwid":"h","features":["page_visit"]`))
	var cfg struct{ Features map[string]json.RawMessage }
	if json.Unmarshal(e.Response, &cfg) != nil || cfg.Features["page_visit"] == nil {
		t.Fatalf("getConfig: %s", e.Response)
	}
}

// Coordinates that are not finite numbers are malformed, as 1e400 is: strconv
// would read "NaN" and "Inf", which the answer cannot encode.
func TestNearestZoneRejectsNonFiniteCoordinates(t *testing.T) {
	f := newFixture(t, testAccounts())
	for _, coords := range []string{`"lat":"NaN","lng":1`, `"lat":1,"lng":"Inf"`, `"lat":"-infinity","lng":1`, `"lat":1e400,"lng":1`} {
		status, e := f.call(t, "getNearestZone", req(`"application":"APPCODE-12345","hwid":"h",`+coords))
		if status != 400 || e.StatusCode != 400 {
			t.Errorf("getNearestZone %s: %d %d %q, want 400 400", coords, status, e.StatusCode, e.StatusMessage)
		}
	}
	if status, _ := f.call(t, "getNearestZone", req(`"application":"APPCODE-12345","hwid":"h","lat":"1.5","lng":-2`)); status != 200 {
		t.Fatalf("finite coordinates: %d, want 200", status)
	}
}
