package api

import (
	"encoding/json"
	"regexp"
	"slices"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

var shortCodeRE = regexp.MustCompile(`^[0-9A-F]{5}-[0-9A-F]{5}$`)

// admin calls a server method with the test token and the given request fields.
func admin(t *testing.T, f *fixture, method, fields string) envelope {
	t.Helper()
	if fields != "" {
		fields = "," + fields
	}
	_, e := f.call(t, method, req(`"auth":"TESTAUTHTOKEN"`+fields))
	return e
}

// field decodes one field of a response.
func field[T any](t *testing.T, e envelope, name string) T {
	t.Helper()
	var m map[string]json.RawMessage
	var v T
	if err := json.Unmarshal(e.Response, &m); err != nil {
		t.Fatalf("response %s: %v", e.Response, err)
	}
	if err := json.Unmarshal(m[name], &v); err != nil {
		t.Fatalf("response field %s of %s: %v", name, e.Response, err)
	}
	return v
}

func createCampaign(t *testing.T, f *fixture, name string) string {
	t.Helper()
	e := admin(t, f, "createCampaign", `"application":"APPCODE-12345","name":"`+name+`","description":"about `+name+`"`)
	if e.StatusCode != 200 {
		t.Fatalf("createCampaign: %d %q", e.StatusCode, e.StatusMessage)
	}
	code := field[string](t, e, "campaign")
	if !shortCodeRE.MatchString(code) {
		t.Fatalf("campaign code %q", code)
	}
	return code
}

func TestCampaigns(t *testing.T) {
	f := newFixture(t, testAccounts())
	a, b, c := createCampaign(t, f, "A"), createCampaign(t, f, "B"), createCampaign(t, f, "C")
	if a == b || b == c {
		t.Fatalf("codes repeat: %s %s %s", a, b, c)
	}
	list := func(fields string) []string {
		var codes []string
		for _, k := range field[[]campaignView](t, admin(t, f, "getCampaigns", fields), "campaigns") {
			codes = append(codes, k.Code)
		}
		return codes
	}
	app := `"application":"APPCODE-12345"`
	for _, tc := range []struct {
		fields string
		want   []string
	}{
		{app, []string{a, b, c}},
		{app + `,"limit":2`, []string{a, b}},
		{app + `,"cursor":"` + b + `"`, []string{c}},
		{app + `,"cursor":"` + a + `","limit":1`, []string{b}},
		{`"application":"0THER-00003"`, nil},
	} {
		if got := list(tc.fields); !slices.Equal(got, tc.want) {
			t.Errorf("getCampaigns %s: %v, want %v", tc.fields, got, tc.want)
		}
	}
	got := field[campaignView](t, admin(t, f, "getCampaign", `"campaign":"`+b+`"`), "campaign")
	if got != (campaignView{Code: b, Name: "B", Description: "about B", ID: campaignID(b)}) {
		t.Errorf("getCampaign: %+v", got)
	}
	if e := admin(t, f, "deleteCampaign", `"campaign":"`+b+`"`); e.StatusCode != 200 || string(e.Response) != "null" {
		t.Errorf("deleteCampaign: %d %s", e.StatusCode, e.Response)
	}
	if got := list(app); !slices.Equal(got, []string{a, c}) {
		t.Errorf("after delete: %v", got)
	}
	// Errors, with their exact answers.
	for _, tc := range []struct{ method, fields, want string }{
		{"createCampaign", app, catalog.MsgNoCampaignName},
		{"createCampaign", `"name":"x"`, catalog.MsgTokenOrAppNotSet},
		{"createCampaign", `"application":"NOPE0-00000","name":"x"`, catalog.MsgAppNotFound},
		{"getCampaign", ``, catalog.MsgNoCampaignCode},
		{"getCampaign", `"campaign":"` + b + `"`, catalog.MsgCampaignNotFound},
		{"deleteCampaign", `"campaign":"` + b + `"`, catalog.MsgCampaignNotFound},
		{"getCampaigns", ``, catalog.MsgTokenOrAppNotSet},
	} {
		if e := admin(t, f, tc.method, tc.fields); e.StatusCode != 210 || e.StatusMessage != tc.want {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.fields, e.StatusCode, e.StatusMessage, tc.want)
		}
	}
	// Another account's campaign is not found.
	_, e := f.call(t, "getCampaign", req(`"auth":"SMALL-TOKEN","campaign":"`+a+`"`))
	if e.StatusMessage != catalog.MsgCampaignNotFound {
		t.Errorf("other account: %q", e.StatusMessage)
	}
}

func TestMessageCampaignMustExist(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	camp := createCampaign(t, f, "Spring")
	e, _ := createMessage(t, f, `"application":"APPCODE-12345"`, `{"content":"x","campaign":"NOPE0-00000"}`)
	if e.StatusCode != 210 || e.StatusMessage != catalog.MsgCampaignNotFound {
		t.Errorf("unknown campaign: %d %q", e.StatusCode, e.StatusMessage)
	}
	if len(f.messages()) != 0 {
		t.Fatalf("a refused message was sent")
	}
	e, _ = createMessage(t, f, `"application":"APPCODE-12345"`, `{"content":"x","campaign":"`+camp+`"}`)
	if e.StatusCode != 200 {
		t.Fatalf("createMessage: %d %q", e.StatusCode, e.StatusMessage)
	}
	if m := f.messages(); len(m) != 1 || m[0].CampaignID != campaignID(camp) || len(m[0].Targets) != 4 {
		t.Errorf("sent %+v, want campaign id %d to 4 devices", m, campaignID(camp))
	}
	// The v2 API refuses an unknown campaign in its own error shape.
	code, body := f.raw(t, "/messaging/v2/notify", `{"transactional":{"application":"APPCODE-12345","content":"x","campaign":"NOPE0-00000","hwids":["ios-1"]}}`, "Authorization: Token TESTAUTHTOKEN")
	if code != 404 || body != `{"code":5,"message":"Campaign not found","details":[]}` {
		t.Errorf("v2 unknown campaign: %d %s", code, body)
	}
}

func TestPresets(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	camp := createCampaign(t, f, "Presets")
	e := admin(t, f, "createPreset", `"name":"Welcome","applicationCode":"APPCODE-12345","campaignCode":"`+camp+`",
		"content":{"message":{"en":"Welcome!","fr":"Bienvenue !"},"userData":{"k":1}},
		"segmentation":{"platforms":[1,3]},"scheduling":{"sendRate":100}`)
	if e.StatusCode != 200 {
		t.Fatalf("createPreset: %d %q", e.StatusCode, e.StatusMessage)
	}
	code := field[string](t, e, "preset_code")
	if !shortCodeRE.MatchString(code) {
		t.Fatalf("preset code %q", code)
	}
	p := field[presetView](t, admin(t, f, "getPreset", `"preset_code":"`+code+`"`), "preset")
	if p.Code != code || p.Name != "Welcome" || p.ApplicationCode != appCode || p.CampaignCode != camp ||
		!slices.Equal(p.Segmentation.Platforms, []int{1, 3}) || string(p.Scheduling) != `{"sendRate":100}` {
		t.Errorf("getPreset: %+v", p)
	}
	list := field[[]presetView](t, admin(t, f, "listPresets", `"application":"APPCODE-12345"`), "presets")
	if len(list) != 1 || list[0].Code != code {
		t.Errorf("listPresets: %+v", list)
	}
	if other := field[[]presetView](t, admin(t, f, "listPresets", `"application":"0THER-00003"`), "presets"); len(other) != 0 {
		t.Errorf("listPresets of another application: %+v", other)
	}

	// A message naming the preset takes its content, data, platforms and campaign.
	e, _ = createMessage(t, f, `"application":"APPCODE-12345"`, `{"preset":"`+code+`"}`)
	if e.StatusCode != 200 {
		t.Fatalf("createMessage with preset: %d %q", e.StatusCode, e.StatusMessage)
	}
	m := f.messages()[0]
	if m.Content != "Welcome!" || m.CampaignID != campaignID(camp) {
		t.Errorf("content %q campaign %d", m.Content, m.CampaignID)
	}
	if got := hwids(m.Targets); !slices.Equal(got, []string{"and-1/Android", "ios-1/iOS", "ios-2/iOS"}) {
		t.Errorf("targets %v: the preset's platforms are iOS and Android", got)
	}
	// What the notification says wins over the preset.
	createMessage(t, f, `"application":"APPCODE-12345"`, `{"preset":"`+code+`","content":"Own","platforms":[11]}`)
	if m := f.messages()[1]; m.Content != "Own" || len(m.Targets) != 1 || m.Targets[0].Platform != "Chrome" {
		t.Errorf("own content and platforms: %+v", m)
	}

	if e := admin(t, f, "deletePreset", `"preset_code":"`+code+`"`); e.StatusCode != 200 {
		t.Errorf("deletePreset: %d %q", e.StatusCode, e.StatusMessage)
	}
	app := `"applicationCode":"APPCODE-12345"`
	for _, tc := range []struct{ method, fields, want string }{
		{"getPreset", `"preset_code":"` + code + `"`, catalog.MsgPresetNotFound},
		{"deletePreset", `"preset_code":"` + code + `"`, catalog.MsgPresetNotFound},
		{"getPreset", ``, catalog.MsgNoPresetCode},
		{"createMessage", `"application":"APPCODE-12345","notifications":[{"preset":"` + code + `"}]`, catalog.MsgPresetNotFound},
		{"createPreset", app + `,"content":{"message":"x"}`, catalog.MsgNoPresetName},
		{"createPreset", app + `,"name":"n"`, catalog.MsgNoPresetContent},
		{"createPreset", `"name":"n","content":{"message":"x"}`, catalog.MsgTokenOrAppNotSet},
		{"createPreset", `"name":"n","applicationCode":"NOPE0-00000","content":{"message":"x"}`, catalog.MsgAppNotFound},
		{"createPreset", app + `,"name":"n","content":{"message":"x"},"campaignCode":"NOPE0-00000"`, catalog.MsgCampaignNotFound},
		{"createPreset", app + `,"name":"n","content":{"message":"x"},"segmentation":{"platforms":[99]}`, catalog.MsgSelectPlatform},
		{"listPresets", ``, catalog.MsgTokenOrAppNotSet},
	} {
		if e := admin(t, f, tc.method, tc.fields); e.StatusCode != 210 || e.StatusMessage != tc.want {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.fields, e.StatusCode, e.StatusMessage, tc.want)
		}
	}
	if e := admin(t, f, "createPreset", app+`,"name":"n","content":"not an object"`); e.StatusCode != 210 || e.StatusMessage != catalog.MsgNoPresetContent {
		t.Errorf("content of the wrong type: %d %q", e.StatusCode, e.StatusMessage)
	}
	if e := admin(t, f, "createPreset", app+`,"name":"n","content":{"message":"x"},"segmentation":{"platforms":"iOS"}`); e.StatusCode != 400 {
		t.Errorf("platforms of the wrong type: %d", e.StatusCode)
	}
}
