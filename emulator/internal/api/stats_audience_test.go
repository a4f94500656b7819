package api

import (
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// result collects a scheduled request's result.
func result(t *testing.T, f *fixture, e envelope) envelope {
	t.Helper()
	if e.StatusCode != 200 {
		t.Fatalf("scheduled request: %d %q", e.StatusCode, e.StatusMessage)
	}
	return admin(t, f, "getResults", `"request_id":"`+field[string](t, e, "request_id")+`"`)
}

func TestAudienceStatistics(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f) // APPCODE: ios-1, ios-2, and-1, web-1; other: oth-1
	f.call(t, "unregisterDevice", req(`"application":"APPCODE-12345","hwid":"ios-2"`))
	admin(t, f, "addTag", `"tag":{"name":"Topics","type":3}`)
	for _, tc := range []struct{ hwid, tags string }{
		{"ios-1", `{"City":"Paris","Topics":["news","sport"]}`},
		{"and-1", `{"City":"Paris","Topics":["news"]}`},
		{"web-1", `{"City":"Lyon"}`},
		{"ios-2", `{"City":"Paris"}`}, // unsubscribed: not counted
	} {
		f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"`+tc.hwid+`","tags":`+tc.tags))
	}
	app := `"application":"APPCODE-12345"`
	for _, tc := range []struct{ method, fields, want string }{
		{"getApplicationSubscribersStats", app, `{"subscribers":{"Android":1,"Chrome":1,"iOS":1},"total":3}`},
		{"getApplicationSubscribersStats", `"application":"0THER-00003"`, `{"subscribers":{"Android":1},"total":1}`},
		{"getTagStats", app + `,"tag":"City"`, `{"rows":[{"value":"Paris","count":2},{"value":"Lyon","count":1}],"tag":"City"}`},
		{"getTagStats", app + `,"tag":"Topics"`, `{"rows":[{"value":"news","count":2},{"value":"sport","count":1}],"tag":"Topics"}`},
		{"getTagStats", app + `,"tag":"Nothing"`, `{"rows":[],"tag":"Nothing"}`},
		{"bulkSetTags", app + `,"devices":[{"hwid":"ios-1","tags":{"City":"Nice"}},{"hwid":"ghost","tags":{"City":"Nice"}},{"tags":{"City":"Nice"}}]`,
			`{"devices":[{"row":0,"hwid":"ios-1","status":"success"},{"row":1,"hwid":"ghost","status":"not_found","errors":["no such device"]},{"row":2,"status":"failed","errors":["exactly one of hwid, user_id or push_token is required"]}]}`},
	} {
		if got := result(t, f, admin(t, f, tc.method, tc.fields)); string(got.Response) != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.method, tc.fields, got.Response, tc.want)
		}
	}
	if tags, _ := f.st.DeviceTags(appCode, "ios-1"); tags["City"] != "Nice" {
		t.Errorf("bulkSetTags did not apply: %v", tags)
	}
	for _, tc := range []struct{ method, fields, want string }{
		{"getTagStats", app, catalog.MsgNoStatsTag},
		{"getTagStats", `"tag":"City"`, catalog.MsgTokenOrAppNotSet},
		{"getApplicationSubscribersStats", ``, catalog.MsgTokenOrAppNotSet},
		{"bulkSetTags", app, catalog.MsgNoBulkRows},
	} {
		if e := admin(t, f, tc.method, tc.fields); e.StatusCode != 210 || e.StatusMessage != tc.want {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.fields, e.StatusCode, e.StatusMessage, tc.want)
		}
	}
}
