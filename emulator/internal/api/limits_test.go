package api

import (
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// The store's limits answer as Pushwoosh's refusals do: 200 with status_code 210.
func TestStoreLimitsAnswer210(t *testing.T) {
	f := newFixture(t, testAccounts())
	defaults := len(f.st.Tags("acme"))
	f.st.SetLimits(state.Limits{DevicesPerApp: 1, TagsPerAccount: defaults + 1, Messages: 1})

	if _, e := f.call(t, "registerDevice", req(`"application":"APPCODE-12345","hwid":"d1","push_token":"t1","device_type":3`)); e.StatusCode != 200 {
		t.Fatalf("first device: %+v", e)
	}
	if _, e := f.call(t, "registerDevice", req(`"application":"APPCODE-12345","hwid":"d2","push_token":"t2","device_type":3`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgDeviceLimit {
		t.Fatalf("device past the limit: %+v", e)
	}
	if _, e := f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"d3","tags":{"City":"Paris"}`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgDeviceLimit {
		t.Fatalf("setTags making a device past the limit: %+v", e)
	}

	if e := admin(t, f, "addTag", `"tag":{"name":"Level","type":1}`); e.StatusCode != 200 {
		t.Fatalf("first tag: %+v", e)
	}
	if e := admin(t, f, "addTag", `"tag":{"name":"Score","type":1}`); e.StatusCode != 210 || e.StatusMessage != catalog.MsgTagLimit {
		t.Fatalf("tag past the limit: %+v", e)
	}
	_, e := f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"d1","tags":{"Level":3,"Mood":"calm"}`))
	if e.StatusCode != 200 || string(e.Response) != `{"skipped":[{"tag":"Mood","reason":"`+catalog.MsgTagLimit+`"}]}` {
		t.Fatalf("setTags defining a tag past the limit: %+v %s", e, e.Response)
	}

	// Scheduled messages are kept: with one stored, a second is refused.
	msg := `"application":"APPCODE-12345","notifications":[{"send_date":"2099-01-01 00:00","content":"later"}]`
	if e := admin(t, f, "createMessage", msg); e.StatusCode != 200 {
		t.Fatalf("first message: %+v", e)
	}
	if e := admin(t, f, "createMessage", msg); e.StatusCode != 210 || e.StatusMessage != catalog.MsgMessageLimit {
		t.Fatalf("message past the limit: %+v", e)
	}
}
