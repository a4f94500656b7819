package api

import (
	"slices"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestLiveActivities(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f) // ios-1 (alice), ios-2 (bob), and-1 (alice), web-1
	srv := `"auth":"TESTAUTHTOKEN","application":"APPCODE-12345",`
	la := `"live_activity":{"content-state":{"emoji":":wink:"},"attributes-type":"LiveActivityAttributes","attributes":{"name":"Apple"}}`
	// ios-2's SDK started one locally and reported its token.
	f.call(t, "setActivityToken", req(`"application":"APPCODE-12345","hwid":"ios-2","activity_token":"tok-la-2","activity_id":"local-7"`))
	for _, tc := range []struct {
		name, method, notification string
		want                       []string
		id                         string
	}{
		{"documented start, users", "startLiveActivity", `{` + la + `,"live_activity_id":"69153b33","users":["alice"]}`, []string{"ios-1/iOS"}, "69153b33"},
		{"start, devices", "startLiveActivity", `{"content":"Your order","title":"Food",` + la + `,"live_activity_id":"order-1","devices":["tok-ios-2","and-1"]}`, []string{"ios-2/iOS"}, "order-1"},
		{"update by id", "updateLiveActivity", `{"live_activity":{"event":"update","content-state":{"courierName":"NUMBER: 15"},"dismissal-date":12345678},"live_activity_id":"69153b33"}`, []string{"ios-1/iOS"}, "69153b33"},
		{"update by push token", "updateLiveActivity", `{"ios_live_activity":{"event":"end","content-state":{"deliveryStatus":"Done"}},"live_activity_push_tokens":["tok-la-2"]}`, []string{"ios-2/iOS"}, "local-7"},
	} {
		n := len(f.messages())
		_, e := f.call(t, tc.method, req(srv+`"notifications":[`+tc.notification+`]`))
		codes := field[[]string](t, e, "Messages")
		sent := f.messages()[n:]
		if e.StatusCode != 200 || len(codes) != 1 || len(sent) != 1 || sent[0].Code != codes[0] {
			t.Fatalf("%s: %d %q %s, %d passed on", tc.name, e.StatusCode, e.StatusMessage, e.Response, len(sent))
		}
		if got := hwids(sent[0].Targets); !slices.Equal(got, tc.want) || sent[0].LiveActivityID != tc.id {
			t.Errorf("%s: went to %v as %q, want %v as %q", tc.name, got, sent[0].LiveActivityID, tc.want, tc.id)
		}
	}
	for _, tc := range []struct{ method, notification, msg string }{
		{"startLiveActivity", `{"live_activity_id":"x"}`, catalog.MsgNoLiveActivity},
		{"startLiveActivity", `{"live_activity":{"attributes":{}},"live_activity_id":"x"}`, catalog.MsgNoContentState},
		{"startLiveActivity", `{` + la + `}`, catalog.MsgNoLiveActivityID},
		{"startLiveActivity", `{` + la + `,"live_activity_id":"x","filter":"nope"}`, catalog.MsgFilterNotFound + ": nope"},
		{"updateLiveActivity", `{"live_activity":{"event":"pause","content-state":{}},"live_activity_id":"69153b33"}`, catalog.MsgBadLiveEvent},
		{"updateLiveActivity", `{"live_activity":{"event":"update"},"live_activity_id":"69153b33"}`, catalog.MsgNoContentState},
		{"updateLiveActivity", `{"live_activity":{"event":"update","content-state":{}}}`, catalog.MsgNoLiveActivityID},
		{"updateLiveActivity", `{"live_activity":{"event":"update","content-state":{}},"live_activity_id":"never-started"}`, catalog.MsgLiveActivityUnknown + ": never-started"},
	} {
		if _, e := f.call(t, tc.method, req(srv+`"notifications":[`+tc.notification+`]`)); e.StatusCode != 210 || e.StatusMessage != tc.msg {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.notification, e.StatusCode, e.StatusMessage, tc.msg)
		}
	}
}
