package api

import "testing"

func TestGetPushHistory(t *testing.T) {
	f := withLifecycle(newFixture(t, testAccounts()), 1, 1)
	a, b, campaign := statsStory(t, f)
	rowA := `{"id":1,"code":"` + a + `","createDate":"2026-01-01 00:00:00","sendDate":"2026-01-01 00:00:00","status":"sent","source":"API","application":"APPCODE-12345","campaign":"","content":{"default":"A"},"platforms":[],"data":null}`
	rowB := `{"id":2,"code":"` + b + `","createDate":"2026-01-01 00:10:00","sendDate":"2026-01-01 00:10:00","status":"sent","source":"API","application":"APPCODE-12345","campaign":"` + campaign + `","content":{"default":"B"},"platforms":[3],"data":null}`
	for _, tc := range []struct {
		fields  string
		code    int
		message string
		want    string
	}{
		{``, 200, "OK", `{"rows":[` + rowB + `,` + rowA + `]}`},
		{`"lastNotificationID":2`, 200, "OK", `{"rows":[` + rowA + `]}`},
		{`"lastNotificationID":"1"`, 200, "OK", `{"rows":[]}`},
		{`"searchBy":"campaignCode","value":"` + campaign + `"`, 200, "OK", `{"rows":[` + rowB + `]}`},
		{`"searchBy":"notificationID","value":1`, 200, "OK", `{"rows":[` + rowA + `]}`},
		{`"searchBy":"notificationCode","value":"` + a + `"`, 200, "OK", `{"rows":[` + rowA + `]}`},
		{`"searchBy":"applicationCode","value":"0THER-00003"`, 200, "OK", `{"rows":[]}`},
		{`"source":"API"`, 200, "OK", `{"rows":[` + rowB + `,` + rowA + `]}`},
		{`"source":"GeoZone"`, 200, "OK", `{"rows":[]}`},
		{`"source":"Fax"`, 210, "Unknown source", `null`},
		{`"searchBy":"hwid","value":"x"`, 210, "Unknown searchBy", `null`},
		{`"searchBy":"campaignCode"`, 210, "value is not set", `null`},
	} {
		e := admin(t, f, "getPushHistory", tc.fields)
		if e.StatusCode != tc.code || e.StatusMessage != tc.message || string(e.Response) != tc.want {
			t.Errorf("%s: %d %q %s\nwant %d %q %s", tc.fields, e.StatusCode, e.StatusMessage, e.Response, tc.code, tc.message, tc.want)
		}
	}
}
