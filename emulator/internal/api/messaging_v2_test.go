package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func (f *fixture) callV2(t *testing.T, method, body, auth string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, PrefixV2+method, strings.NewReader(body))
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	if !json.Valid(rec.Body.Bytes()) {
		t.Fatalf("v2 %s answered non-JSON: %s", method, rec.Body.Bytes())
	}
	return rec.Code, rec.Body.String()
}

func TestMessagingV2(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	status, body := f.callV2(t, "notify", `{"transactional":{"application":"APPCODE-12345","platforms":["IOS"],"content":{"ios":{"body":"Hi from v2"}}}}`, "Token TESTAUTHTOKEN")
	var r struct {
		Result struct {
			MessageCode string `json:"message_code"`
		}
	}
	if status != 200 || json.Unmarshal([]byte(body), &r) != nil || !messageCodeRE.MatchString(r.Result.MessageCode) {
		t.Fatalf("notify: %d %s", status, body)
	}
	sent := f.messages()
	if len(sent) != 1 || sent[0].Content != "Hi from v2" || !slices.Equal(hwids(sent[0].Targets), []string{"ios-1/iOS", "ios-2/iOS"}) {
		t.Fatalf("notify passed on %+v", sent)
	}
	status, body = f.callV2(t, "notify", `{"transactional":{"application":"APPCODE-12345","hwids":["and-1"],"content":"x","schedule":{"at":"2026-01-01T01:00:00Z"}}}`, "Token TESTAUTHTOKEN")
	json.Unmarshal([]byte(body), &r)
	if status != 200 {
		t.Fatalf("scheduled notify: %d %s", status, body)
	}
	if status, body := f.callV2(t, "cancel", `{"message_code":"`+r.Result.MessageCode+`"}`, "Token TESTAUTHTOKEN"); status != 200 || body != "{}" {
		t.Fatalf("cancel: %d %s, want 200 {}", status, body)
	}
	f.clk.Advance(2 * time.Hour)
	if n := len(f.messages()); n != 1 {
		t.Fatalf("cancelled v2 message was sent (%d messages)", n)
	}

	for _, tc := range []struct {
		name, method, body, auth string
		status                   int
		want                     string
	}{
		{"no token", "notify", `{"transactional":{"application":"APPCODE-12345"}}`, "", 401, `{"code":16,"message":"` + catalog.MsgUnauthorized + `","details":[]}`},
		{"device token", "notify", `{"transactional":{"application":"APPCODE-12345"}}`, "Token DEVICE-TOKEN", 401, `{"code":16,"message":"` + catalog.MsgUnauthorized + `","details":[]}`},
		{"restricted token", "notify", `{"transactional":{"application":"APPCODE-12345"}}`, "Token READ-ONLY", 403, `{"code":7,"message":"` + catalog.MsgForbidden + `","details":[]}`},
		{"unknown application", "notify", `{"transactional":{"application":"00000-00000"}}`, "Token TESTAUTHTOKEN", 404, `{"code":5,"message":"Application not found","details":[]}`},
		{"no application", "notify", `{"transactional":{"content":"x"}}`, "Token TESTAUTHTOKEN", 400, `{"code":3,"message":"notify: application is required","details":[]}`},
		{"empty platforms", "notify", `{"transactional":{"application":"APPCODE-12345","platforms":[]}}`, "Token TESTAUTHTOKEN", 400, `{"code":3,"message":"` + catalog.MsgSelectPlatform + `","details":[]}`},
		{"not JSON", "notify", `{"transactional":`, "Token TESTAUTHTOKEN", 400, `{"code":3,"message":"the body is not a JSON object","details":[]}`},
		{"unknown method", "send", `{}`, "Token TESTAUTHTOKEN", 404, `{"code":5,"message":"unknown method /messaging/v2/send (want notify or cancel)","details":[]}`},
		{"cancel of a sent message", "cancel", `{"message_code":"` + sent[0].Code + `"}`, "Token TESTAUTHTOKEN", 400, `{"code":9,"message":"` + catalog.MsgNotCancellable + `","details":[]}`},
		{"cancel of an unknown message", "cancel", `{"message_code":"0000-00000000-00000000"}`, "Token TESTAUTHTOKEN", 404, `{"code":5,"message":"message not found","details":[]}`},
	} {
		if status, body := f.callV2(t, tc.method, tc.body, tc.auth); status != tc.status || body != tc.want {
			t.Errorf("%s: %d %s, want %d %s", tc.name, status, body, tc.status, tc.want)
		}
	}
	if got := f.jr.Entries(); got[len(got)-1].Method != "cancel" || got[len(got)-1].Path != "/messaging/v2/cancel" {
		t.Errorf("journal: %+v", got[len(got)-1])
	}
}
