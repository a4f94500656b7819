package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// What real client libraries send, and pwemu must take: bodies parsed as JSON whatever
// the Content-Type, unknown and null fields tolerated.
func TestWireTolerance(t *testing.T) {
	const create = `"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"now","content":"x"}]`
	cases := []struct {
		name    string
		path    string
		body    string
		headers []string
	}{
		{"no Content-Type", "createMessage", req(create), nil},
		{"text/plain (web SDK)", "createMessage", req(create), []string{"Content-Type: text/plain;charset=UTF-8"}},
		{"form Content-Type", "createMessage", req(create), []string{"Content-Type: application/x-www-form-urlencoded"}},
		{"trailing newline", "createMessage", req(create) + "\n", nil},
		{"trailing CRLF and spaces", "createMessage", req(create) + " \r\n", nil},
		{"null fields", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","applications_group":null,"notifications":[{"send_date":null,"content":null,"platforms":null,"devices":null,"users":null,"data":null,"campaign":null,"android_root_params":null}]`), nil},
		{"unknown fields", "createMessage", req(create + `,"unknown":{"deep":[1,2]},"x_other":true`), nil},
		{"unknown notification fields", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"content":"x","ios_badges":"+1","android_slient":0,"ignore_user_timezone":true,"frobnicate":{"a":null}}]`), nil},
		{"platforms as strings", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"content":"x","platforms":["1","3"]}]`), nil},
		{"send_date with seconds", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"content":"x","send_date":"2025-12-31 23:59:59"}]`), nil},
		{"per-language content", "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"content":{"de":"Hallo","en":"Hello"}}]`), nil},
		{"server token in the Authorization header", "createMessage", req(`"application":"APPCODE-12345","notifications":[{"content":"x"}]`), []string{"Authorization: Token TESTAUTHTOKEN"}},
		{"auth on a device call", "registerDevice", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","hwid":"h","device_type":3`), nil},
		{"device_type and timezone as strings", "registerDevice", req(`"application":"APPCODE-12345","hwid":"h","device_type":"3","timezone":"3600"`), nil},
		{"numeric userId", "registerUser", req(`"application":"APPCODE-12345","hwid":"h","userId":1894410`), nil},
		{"coordinates as strings", "getNearestZone", req(`"application":"APPCODE-12345","hwid":"h","lat":"53.42513","lng":"83.92817"`), nil},
		{"empty tags as PHP sends them", "setTags", req(`"application":"APPCODE-12345","hwid":"h","tags":[]`), nil},
		{"getTags without auth", "getTags", req(`"application":"APPCODE-12345","hwid":"h"`), nil},
		{"getTags with auth", "getTags", req(`"application":"APPCODE-12345","auth":"TESTAUTHTOKEN","hwid":"h"`), nil},
		{"doubled slash", "//json/1.3/createMessage", req(create), nil},
		{"trailing slash", "/json/1.3/createMessage/", req(create), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, testAccounts())
			status, e := f.call(t, tc.path, tc.body, tc.headers...)
			if status != 200 || e.StatusCode != 200 || e.StatusMessage != "OK" {
				t.Fatalf("got %d %d %q, want 200 200 OK", status, e.StatusCode, e.StatusMessage)
			}
		})
	}
}

func TestSetBadgeTakesBadgeAndBadges(t *testing.T) {
	f := newFixture(t, testAccounts())
	f.call(t, "registerDevice", req(`"application":"APPCODE-12345","hwid":"ios","push_token":"p","device_type":1`))
	for _, tc := range []struct {
		field string
		want  int
	}{{`"badge":5`, 5}, {`"badges":7`, 7}, {`"badge":"3"`, 3}} {
		if _, e := f.call(t, "setBadge", req(`"application":"APPCODE-12345","hwid":"ios",`+tc.field)); e.StatusCode != 200 {
			t.Fatalf("setBadge %s: %d %q", tc.field, e.StatusCode, e.StatusMessage)
		}
		if d, _ := f.st.Device(appCode, "ios"); d.Badge != tc.want {
			t.Fatalf("after setBadge %s the badge is %d, want %d", tc.field, d.Badge, tc.want)
		}
	}
	if _, e := f.call(t, "setBadge", req(`"application":"APPCODE-12345","hwid":"ios"`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgNoBadge {
		t.Fatalf("setBadge without a badge: %d %q", e.StatusCode, e.StatusMessage)
	}
}

func TestAnyHostHeader(t *testing.T) {
	f := newFixture(t, testAccounts())
	for _, host := range []string{"api.pushwoosh.com", "cp.pushwoosh.com", "APPCODE-12345.api.pushwoosh.com", "127.0.0.1:8080", "pwemu"} {
		r := httptest.NewRequest(http.MethodPost, PrefixV13+"listTags", strings.NewReader(req(`"auth":"TESTAUTHTOKEN"`)))
		r.Host = host
		rec := httptest.NewRecorder()
		f.srv.ServeHTTP(rec, r)
		if e := mustEnvelope(t, rec.Body.Bytes()); rec.Code != 200 || e.StatusCode != 200 {
			t.Fatalf("Host %s: %d %d %q", host, rec.Code, e.StatusCode, e.StatusMessage)
		}
	}
}

func TestCORSForTheWebSDK(t *testing.T) {
	f := newFixture(t, testAccounts())
	const origin = "https://shop.example.com"
	pre := httptest.NewRequest(http.MethodOptions, PrefixV13+"registerDevice", nil)
	pre.Header.Set("Origin", origin)
	pre.Header.Set("Access-Control-Request-Method", "POST")
	pre.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, pre)
	h := rec.Header()
	if rec.Code != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != origin ||
		h.Get("Access-Control-Allow-Credentials") != "true" || h.Get("Access-Control-Allow-Headers") != "authorization,content-type" ||
		!strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", rec.Code, h)
	}
	if f.jr.Len() != 0 {
		t.Fatal("a preflight was journaled as an API call")
	}
	post := httptest.NewRequest(http.MethodPost, PrefixV13+"registerDevice",
		strings.NewReader(req(`"application":"APPCODE-12345","hwid":"web-1","device_type":11`)))
	post.Header.Set("Origin", origin)
	post.Header.Set("Content-Type", "text/plain;charset=UTF-8")
	post.Header.Set("Authorization", "Token DEVICE-TOKEN")
	rec = httptest.NewRecorder()
	f.srv.ServeHTTP(rec, post)
	if e := mustEnvelope(t, rec.Body.Bytes()); rec.Code != 200 || e.StatusCode != 200 {
		t.Fatalf("web SDK registerDevice: %d %d %q", rec.Code, e.StatusCode, e.StatusMessage)
	}
	if rec.Header().Get("Access-Control-Allow-Origin") != origin || rec.Header().Get("Access-Control-Allow-Credentials") != "true" {
		t.Fatalf("POST lacks CORS headers: %v", rec.Header())
	}
}

func TestOnlyPOST(t *testing.T) {
	f := newFixture(t, testAccounts())
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, PrefixV13+"listTags", nil))
	if e := mustEnvelope(t, rec.Body.Bytes()); rec.Code != 405 || e.StatusCode != 405 || e.StatusMessage != catalog.MsgNotPost {
		t.Fatalf("GET: %d %d %q", rec.Code, e.StatusCode, e.StatusMessage)
	}
}
