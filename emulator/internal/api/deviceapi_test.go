package api

import (
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

// The v2 device gateway answers each RPC with the v1.3 method's work and the
// response message's shape.
func TestDeviceAPIV2(t *testing.T) {
	accounts := testAccounts()
	accounts[0].Applications[0].InApps = []scenarios.InApp{{Code: "ABCDE-12345", URL: "https://example.com/a.zip"}}
	f := newFixture(t, accounts)
	app := `"application":"APPCODE-12345"`
	for _, tc := range []struct {
		rpc, body string
		status    int
		want      string
	}{
		{"registerDevice", `{` + app + `,"hwid":"v2-ios","platform":1,"push_token":"tok-v2","user_id":"zoe","language":"en","timezone":"Europe/Paris","tags":{"City":"Paris"}}`, 200, `{}`},
		{"registerDeviceSync", `{` + app + `,"hwid":"v2-and","platform":3,"pushToken":"tok-v2-and","userId":"zoe"}`, 200, `{}`},
		{"checkDevice", `{` + app + `,"hwid":"v2-ios"}`, 200, `{"exist":true,"push_token_exist":true}`},
		{"setTags", `{` + app + `,"hwid":"v2-ios","tags":{"Plan":"gold"}}`, 200, `{}`},
		{"getTags", `{` + app + `,"hwid":"v2-ios"}`, 200, `{"result":{"City":"Paris","Language":"en","Plan":"gold"}}`},
		{"setBadge", `{` + app + `,"hwid":"v2-ios","badge":4}`, 200, `{}`},
		{"applicationOpen", `{` + app + `,"hwid":"v2-ios","platform":1}`, 200, `{}`},
		{"pushStat", `{` + app + `,"hwid":"v2-ios","hash":"abc"}`, 200, `{}`},
		{"messageDeliveryEvent", `{` + app + `,"hwid":"v2-ios","hash":"abc"}`, 200, `{}`},
		{"registerUser", `{` + app + `,"hwid":"v2-and","user_id":"yves"}`, 200, `{}`},
		{"getInApps", `{` + app + `}`, 200, `{"inApps":[{"code":"ABCDE-12345","url":"https://example.com/a.zip","layout":"fullscreen","updated":0,"closeButtonType":0,"hash":"` + pushHash(42, 0, "ABCDE-12345") + `","required":false,"priority":0}]}`},
		{"richMediaAction", `{` + app + `,"hwid":"v2-ios","rich_media_code":"ABCDE-12345","action_type":1}`, 200, `{}`},
		{"setActivityToken", `{` + app + `,"hwid":"v2-ios","activity_token":"la","activity_id":"order-1"}`, 200, `{}`},
		{"setActivityPushToStartToken", `{` + app + `,"hwid":"v2-ios","activityPushToStartToken":"pts"}`, 200, `{}`},
		{"setMADID", `{` + app + `,"hwid":"v2-and","madid":"38400000-8cf0-11bd-b23e-10b96e40000d"}`, 200, `{}`},
		{"multiRegisterDevice", `{` + app + `,"user_id":"xena","email":"xena@example.com","push_devices":[{"hwid":"v2-web","platform":11,"push_token":"tok-web"}]}`, 200, `{}`},
		{"unregisterDeviceSync", `{` + app + `,"hwid":"v2-web"}`, 200, `{}`},
		{"deleteDevice", `{` + app + `,"hwid":"v2-web"}`, 200, `{}`},
		// errors: a 210 refusal is FAILED_PRECONDITION, an unknown RPC NOT_FOUND
		{"registerDevice", `{` + app + `,"platform":1}`, 400, `{"code":9,"message":"` + catalog.MsgNoHWID + `","details":[]}`},
		{"registerDevice", `{"hwid":"x","platform":1}`, 400, `{"code":9,"message":"` + catalog.MsgTokenOrAppNotSet + `","details":[]}`},
		{"registerDevice", `[1]`, 400, `{"code":3,"message":"` + catalog.MsgBadJSON + `","details":[]}`},
		{"loadDevices", `{` + app + `}`, 404, `{"code":5,"message":"` + catalog.MsgUnknownAPIPath + ` /api/v2/device-api/loadDevices","details":[]}`},
	} {
		status, body := f.callPath(t, PrefixDeviceAPI+tc.rpc, tc.body, "")
		if status != tc.status || body != tc.want {
			t.Errorf("%s %s: %d %s\nwant %d %s", tc.rpc, tc.body, status, body, tc.status, tc.want)
		}
	}
	if d, _ := f.st.Device(appCode, "v2-ios"); d.Type != 1 || d.UserID != "zoe" || d.Badge != 4 || d.ActivityTokens["order-1"] != "la" || d.PushToStartToken != "pts" {
		t.Errorf("v2-ios: %+v", d)
	}
	if d, _ := f.st.Device(appCode, "v2-and"); d.UserID != "yves" || d.MADID == "" {
		t.Errorf("v2-and: %+v", d)
	}
	if d, found := f.st.Device(appCode, "xena@example.com"); !found || d.UserID != "xena" {
		t.Errorf("multiRegisterDevice email: %+v", d)
	}
	if _, found := f.st.Device(appCode, "v2-web"); found {
		t.Error("v2-web survived deleteDevice")
	}
	// The journal and API rules know the calls by their v1.3 names.
	var names []string
	for _, e := range f.jr.Entries() {
		names = append(names, e.Method)
	}
	if len(names) < 2 || names[0] != "registerDevice" || names[1] != "registerDevice" {
		t.Errorf("journal methods %v, want registerDevice first (twice)", names)
	}
}
