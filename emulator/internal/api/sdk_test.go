package api

import (
	"slices"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

func TestDeviceSDKCalls(t *testing.T) {
	accounts := testAccounts()
	accounts[0].Applications[0].InApps = []scenarios.InApp{{Code: "ABCDE-12345", URL: "https://example.com/inapp.zip", Required: true, Priority: 2}}
	f := newFixture(t, accounts)
	var events []catalog.Event
	f.srv.onEvents = func(evs []catalog.Event) { events = append(events, evs...) }
	app := `"application":"APPCODE-12345"`
	registerFleet(t, f)
	for _, tc := range []struct {
		method, fields string
		code           int
		message, resp  string
	}{
		{"getInApps", app + `,"language":"en"`, 200, "OK", `{"inApps":[{"code":"ABCDE-12345","url":"https://example.com/inapp.zip","layout":"fullscreen","updated":0,"closeButtonType":0,"hash":"` + pushHash(42, 0, "ABCDE-12345") + `","required":true,"priority":2}]}`},
		{"triggerInAppAction", app + `,"hwid":"ios-1","action":"show","code":"ABCDE-12345","timestampUTC":1`, 200, "OK", `null`},
		{"triggerInAppAction", app + `,"hwid":"ios-1","action":"show"`, 210, catalog.MsgNoInAppCode, `null`},
		{"richMediaAction", app + `,"hwid":"ios-1","richMediaCode":"ABCDE-12345","action_type":1`, 200, "OK", `null`},
		{"richMediaAction", app + `,"hwid":"ios-1"`, 210, catalog.MsgNoInAppCode, `null`},
		{"mergeUser", app + `,"oldUserId":"alice","newUserId":"erin","merge":true,"ts":1`, 200, "OK", `null`},
		{"mergeUser", app + `,"oldUserId":"alice"`, 210, catalog.MsgNoUsersToMerge, `null`},
		{"createTestDevice", app + `,"push_token":"tok-test","device_type":1,"name":"QA iPhone","description":"lab"`, 200, "OK", `null`},
		{"createTestDevice", app + `,"push_token":"tok-test","device_type":1`, 210, catalog.MsgNoTestDevice, `null`},
		{"setMADID", app + `,"hwid":"and-1","madid":"38400000-8cf0-11bd-b23e-10b96e40000d"`, 200, "OK", `null`},
		{"setMADID", app + `,"hwid":"and-1"`, 210, catalog.MsgNoMADID, `null`},
		{"multiRegisterDevice", app + `,"user_id":"frank","email":"frank@example.com","sms_phone_number":"+15555550100","push_devices":[{"hwid":"web-2","push_token":"tok-web-2","platform":11}],"tags":{"City":"Oslo"}`, 200, "OK", `null`},
		{"multiRegisterDevice", app + `,"user_id":"frank"`, 210, catalog.MsgNoPushDevices, `null`},
		{"getPopupFormContent", app + `,"code":"FORM1"`, 210, catalog.MsgPopupNotFound, `null`},
		{"getPopupFormContent", app, 210, catalog.MsgNoPopupFormCode, `null`},
		{"recordPopupFormEvent", app + `,"code":"FORM1","event":3`, 210, catalog.MsgBadPopupEvent, `null`},
		{"setActivityToken", app + `,"hwid":"ios-1","activity_token":"la-token","activity_id":"order-42"`, 200, "OK", `null`},
		{"setActivityToken", app + `,"hwid":"ios-1","activity_token":"la-token"`, 210, catalog.MsgNoActivityToken, `null`},
		{"setActivityPushToStartToken", app + `,"hwid":"ios-1","activity_push_to_start_token":"pts"`, 200, "OK", `null`},
		{"setActivityPushToStartToken", app + `,"hwid":"ios-1"`, 210, catalog.MsgNoPushToStart, `null`},
		// documented forms that were refused
		{"registerUser", app + `,"hwid":"ios-2"`, 200, "OK", `null`},
		{"registerDevice", app + `,"email":"gina@example.com","language":"en"`, 200, "OK", `null`},
		{"setTags", app + `,"userId":"carol","tags":{"City":"Lima"}`, 200, "OK", `null`},
		{"getTags", app + `,"userId":"carol"`, 200, "OK", `{"result":{"City":"Lima"}}`},
		{"setBadge", app + `,"hwid":"and-1","badge":3`, 200, "OK", `null`},
	} {
		_, e := f.call(t, tc.method, req(tc.fields))
		if e.StatusCode != tc.code || e.StatusMessage != tc.message || string(e.Response) != tc.resp {
			t.Errorf("%s %s: %d %q %s, want %d %q %s", tc.method, tc.fields, e.StatusCode, e.StatusMessage, e.Response, tc.code, tc.message, tc.resp)
		}
	}
	if d, _ := f.st.Device(appCode, "ios-1"); d.ActivityTokens["order-42"] != "la-token" || d.PushToStartToken != "pts" {
		t.Errorf("live-activity tokens not kept: %+v", d)
	}
	if d, _ := f.st.Device(appCode, "and-1"); d.MADID == "" || d.UserID != "erin" {
		t.Errorf("and-1: madid %q, user %q; want the madid and alice merged into erin", d.MADID, d.UserID)
	}
	if d, _ := f.st.Device(appCode, "ios-2"); d.UserID != "ios-2" {
		t.Errorf("registerUser without userId: user %q, want the hwid", d.UserID)
	}
	if d, found := f.st.Device(appCode, "gina@example.com"); !found || d.Type != 14 || !d.Subscribed {
		t.Errorf("registerDevice with email: %+v", d)
	}
	for _, h := range []string{"web-2", "frank@example.com", "+15555550100"} {
		if d, _ := f.st.Device(appCode, h); d.UserID != "frank" || d.Tags["City"] != "Oslo" {
			t.Errorf("multiRegisterDevice %s: %+v", h, d)
		}
	}
	if td := f.st.TestDevices(appCode); len(td) != 1 || td[0].Name != "QA iPhone" || td[0].PushToken != "tok-test" {
		t.Errorf("test devices: %+v", td)
	}
	var names []string
	for _, e := range events {
		names = append(names, e.EventName+"/"+e.HWID+"/"+e.MessageCode+"/"+e.Platform)
	}
	if want := []string{"In-App Shown/ios-1/ABCDE-12345/iOS", "In-App Clicked/ios-1/ABCDE-12345/iOS"}; !slices.Equal(names, want) {
		t.Errorf("events %v, want %v", names, want)
	}
}
