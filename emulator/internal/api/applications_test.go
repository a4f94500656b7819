package api

import (
	"encoding/base64"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// png is the smallest content that passes as a PNG file: its signature and a byte.
var pngIcon = base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\nX"))

func TestApplicationAdministration(t *testing.T) {
	f := newFixture(t, testAccounts())
	app := `"application":"APPCODE-12345"`
	// The documented requests, in order: each answers as documented and changes what
	// getApplication shows.
	for _, tc := range []struct {
		method, fields string
		response       string
	}{
		{"updateApplication", app + `,"icon":"` + pngIcon + `","sdk_ios":"corona","sdk_android":"phonegap","title":"Renamed"`, `null`},
		{"updateApplication", app + `,"title":""`, `null`}, // an empty title leaves it
		{"configureApplication", app + `,"device_type":1,"ios_key_management_type":"manual","ios_key_file":"MIIMY","ios_key_password":"password","ios_gateway":"1","ios_framework":"native"`,
			`{"providers":{"amazon":false,"android":false,"baidu_android":false,"chrome":false,"email":false,"firefox":false,"huawei_android":false,"internet_explorer":false,"ios":true,"osx":false,"safari":false,"sms":false,"web":false,"whats_app":false,"windows":false}}`},
		{"configureApplication", app + `,"device_type":11,"chrome_api_key":"k"`,
			`{"providers":{"amazon":false,"android":false,"baidu_android":false,"chrome":true,"email":false,"firefox":false,"huawei_android":false,"internet_explorer":false,"ios":true,"osx":false,"safari":false,"sms":false,"web":true,"whats_app":false,"windows":false}}`},
		{"setApplicationPlatformStatus", app + `,"device_type":11,"status":false`,
			`{"providers":{"amazon":false,"android":false,"baidu_android":false,"chrome":false,"email":false,"firefox":false,"huawei_android":false,"internet_explorer":false,"ios":true,"osx":false,"safari":false,"sms":false,"web":false,"whats_app":false,"windows":false}}`},
		{"getApplicationFile", app, `{"content":"` + pngIcon + `","filename":"icon.png"}`},
		{"getApplicationFile", app + `,"file":"ios_key_file"`, `{"content":"MIIMY","filename":"ios_key_file"}`},
	} {
		e := admin(t, f, tc.method, tc.fields)
		if e.StatusCode != 200 || string(e.Response) != tc.response {
			t.Errorf("%s %s: %d %q %s, want %s", tc.method, tc.fields, e.StatusCode, e.StatusMessage, e.Response, tc.response)
		}
	}
	got := field[applicationDetails](t, admin(t, f, "getApplication", app), "application")
	icon := "data:image/png;base64," + pngIcon
	if got.Code != "APPCODE-12345" || got.Title != "Renamed" || got.IconURL == nil || *got.IconURL != icon ||
		got.IOSSDK != "corona" || got.AndroidSDK != "phonegap" || got.IOSGateway != "1" ||
		!got.Providers["ios"] || got.Providers["chrome"] || got.Providers["android"] {
		t.Errorf("getApplication: %+v", got)
	}
	// An application nobody configured shows the defaults.
	other := field[applicationDetails](t, admin(t, f, "getApplication", `"application":"0THER-00003"`), "application")
	if other.IconURL != nil || other.IOSSDK != "pw" || other.AndroidSDK != "pw" || other.Providers["ios"] || len(other.Providers) != 15 {
		t.Errorf("unconfigured getApplication: %+v", other)
	}
	list := admin(t, f, "getApplications", ``)
	if apps := field[map[string]string](t, list, "applications"); apps["APPCODE-12345"] != "Renamed" || len(apps) != 4 ||
		field[int](t, list, "total") != 4 || field[int](t, list, "page") != 1 {
		t.Errorf("getApplications: %s", list.Response)
	}
	if apps := field[map[string]string](t, admin(t, f, "getApplications", `"page":2`), "applications"); len(apps) != 0 {
		t.Errorf("getApplications page 2: %v", apps)
	}
	// Each refusal, with its exact answer.
	for _, tc := range []struct{ method, fields, want string }{
		{"updateApplication", app + `,"icon":"bm90IGEgcG5n"`, catalog.MsgBadIcon},
		{"updateApplication", app + `,"icon":"%%%"`, catalog.MsgBadIcon},
		{"updateApplication", app + `,"sdk_ios":"flutter"`, catalog.MsgBadSDKIOS},
		{"updateApplication", app + `,"sdk_android":"flutter"`, catalog.MsgBadSDKAndroid},
		{"updateApplication", `"title":"x"`, catalog.MsgTokenOrAppNotSet},
		{"updateApplication", `"application":"NOPE0-00000"`, catalog.MsgAppNotFound},
		{"configureApplication", app + `,"device_type":99`, catalog.MsgBadDeviceType},
		{"configureApplication", app + `,"device_type":1,"ios_key_file":"MIIMY"`, catalog.MsgMissingConfigField + "ios_key_management_type"},
		{"setApplicationPlatformStatus", app + `,"device_type":3,"status":true`, catalog.MsgPlatformNotSet},
		{"setApplicationPlatformStatus", app + `,"device_type":1`, catalog.MsgNoPlatformStatus},
		{"setApplicationPlatformStatus", app + `,"device_type":42,"status":true`, catalog.MsgBadDeviceType},
		{"getApplicationFile", `"application":"0THER-00003"`, catalog.MsgFileNotFound},
		{"getApplicationFile", app + `,"file":"android_key_file"`, catalog.MsgFileNotFound},
		{"createApplication", `"title":"x","sdk_ios":"flutter"`, catalog.MsgBadSDKIOS},
	} {
		if e := admin(t, f, tc.method, tc.fields); e.StatusCode != 210 || e.StatusMessage != tc.want {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.fields, e.StatusCode, e.StatusMessage, tc.want)
		}
	}
	// A token restricted to another application is refused.
	if _, e := f.call(t, "updateApplication", req(`"auth":"ONLY-OTHER-APP",`+app+`,"title":"x"`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgAccessDenied {
		t.Errorf("restricted token: %d %q", e.StatusCode, e.StatusMessage)
	}
	// createApplication keeps its icon and SDK kinds.
	code := field[string](t, admin(t, f, "createApplication", `"title":"Iconic","icon":"`+pngIcon+`","sdk_android":"corona"`), "application")
	created := field[applicationDetails](t, admin(t, f, "getApplication", `"application":"`+code+`"`), "application")
	if created.Title != "Iconic" || created.IconURL == nil || created.AndroidSDK != "corona" {
		t.Errorf("created application: %+v", created)
	}
}
