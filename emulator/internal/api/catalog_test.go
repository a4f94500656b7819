package api

import (
	"encoding/json"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestTagsFiltersEvents(t *testing.T) {
	f := newFixture(t, testAccounts())
	steps := []struct {
		method, fields string
		code           int
		message        string
		response       string
	}{
		{"addTag", `"tag":{"name":"Plan","type":2}`, 200, "OK", `{"result":true}`},
		{"addTag", `"tag":{"name":"Score","type":"integer","application_specific":true}`, 200, "OK", `{"result":true}`},
		{"addTag", `"tag":{"name":"Plan","type":2}`, 210, catalog.MsgTagExists, `null`},
		{"addTag", `"tag":{"name":"Bad","type":99}`, 210, catalog.MsgBadTagType, `null`},
		{"addTag", `"tag":{"type":1}`, 210, catalog.MsgNoTagName, `null`},
		{"deleteTag", `"tag":{"name":"Plan"}`, 200, "OK", `{"result":true}`},
		{"deleteTag", `"tag":{"name":"Plan"}`, 210, catalog.MsgTagNotFound, `null`},
		{"createFilter", `"name":"Germans","conditions":[["APPCODE-12345","Language","EQ","de"]],"operator":"AND"`, 200, "OK", `{"name":"Germans"}`},
		{"createFilter", `"name":"Germans","conditions":[]`, 210, catalog.MsgFilterExists, `null`},
		{"createFilter", `"name":"Elsewhere","application":"5A11-00001"`, 210, catalog.MsgAccessDenied, `null`},
		{"createFilter", `"conditions":[]`, 210, catalog.MsgNoFilterName, `null`},
		{"listFilters", ``, 200, "OK", `{"filters":[{"code":"A547D-86830","name":"Germans","conditions":[["APPCODE-12345","Language","EQ","de"]],"operator":"AND"}]}`},
		{"deleteFilter", `"name":"Germans"`, 200, "OK", `null`},
		{"deleteFilter", `"name":"Germans"`, 210, catalog.MsgFilterNotFound, `null`},
		{"listFilters", ``, 200, "OK", `{"filters":[]}`},
	}
	for _, s := range steps {
		_, e := f.call(t, s.method, req(`"auth":"TESTAUTHTOKEN"`+comma(s.fields)))
		if e.StatusCode != s.code || e.StatusMessage != s.message || string(e.Response) != s.response {
			t.Fatalf("%s %s: %d %q %s, want %d %q %s", s.method, s.fields, e.StatusCode, e.StatusMessage, e.Response, s.code, s.message, s.response)
		}
	}
	_, e := f.call(t, "listTags", req(`"auth":"TESTAUTHTOKEN"`))
	var tags struct {
		Tags []struct {
			Name                string
			Type                int
			ApplicationSpecific bool `json:"isApplicationSpecific"`
		}
	}
	if err := json.Unmarshal(e.Response, &tags); err != nil {
		t.Fatal(err)
	}
	found := map[string]int{}
	for _, tg := range tags.Tags {
		found[tg.Name] = tg.Type
		if tg.Name == "Score" && !tg.ApplicationSpecific {
			t.Error("Score lost application_specific")
		}
	}
	if found["Score"] != 1 || found["Language"] != 2 || found["Plan"] != 0 {
		t.Fatalf("listTags: %s", e.Response)
	}
}

func comma(fields string) string {
	if fields == "" {
		return ""
	}
	return "," + fields
}

func TestApplications(t *testing.T) {
	f := newFixture(t, testAccounts())
	_, e := f.call(t, "createApplication", req(`"auth":"TESTAUTHTOKEN","title":"New app"`))
	var created struct{ Application string }
	if json.Unmarshal(e.Response, &created) != nil || created.Application != applicationCode(42, 1) {
		t.Fatalf("createApplication: %d %q %s, want code %s", e.StatusCode, e.StatusMessage, e.Response, applicationCode(42, 1))
	}
	_, e = f.call(t, "getApplication", req(`"auth":"TESTAUTHTOKEN","application":"`+created.Application+`"`))
	if got := field[applicationDetails](t, e, "application"); got.Code != created.Application || got.Title != "New app" {
		t.Fatalf("getApplication: %s", e.Response)
	}
	// The new application takes devices and messages.
	f.call(t, "registerDevice", req(`"application":"`+created.Application+`","hwid":"n1","device_type":3`))
	if _, codes := createMessage(t, f, `"application":"`+created.Application+`"`, `{"content":"x"}`); len(codes) != 1 {
		t.Fatal("createMessage to a created application failed")
	}
	_, e = f.call(t, "getApplications", req(`"auth":"ONLY-OTHER-APP"`))
	if want := `{"applications":{"0THER-00003":"Other"},"page":1,"total":1}`; string(e.Response) != want {
		t.Fatalf("getApplications with a restricted token: %s, want %s", e.Response, want)
	}
	_, e = f.call(t, "getApplications", req(`"auth":"TESTAUTHTOKEN"`))
	var list struct{ Total int }
	if json.Unmarshal(e.Response, &list) != nil || list.Total != 5 {
		t.Fatalf("getApplications: %s", e.Response)
	}
	if _, e = f.call(t, "deleteApplication", req(`"auth":"TESTAUTHTOKEN","application":"`+created.Application+`"`)); e.StatusCode != 200 {
		t.Fatalf("deleteApplication: %d %q", e.StatusCode, e.StatusMessage)
	}
	if _, e = f.call(t, "getApplication", req(`"auth":"TESTAUTHTOKEN","application":"`+created.Application+`"`)); e.StatusMessage != catalog.MsgAppNotFound {
		t.Fatalf("getApplication after delete: %q", e.StatusMessage)
	}
	if _, e = f.call(t, "createApplication", req(`"auth":"TESTAUTHTOKEN"`)); e.StatusMessage != catalog.MsgNoAppTitle {
		t.Fatalf("createApplication without title: %q", e.StatusMessage)
	}
}
