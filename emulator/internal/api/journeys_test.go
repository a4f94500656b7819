package api

import (
	"encoding/json"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/pwemu/pwemu/scenarios"
)

const journeyID = "4f1c2a9e-0000-4000-8000-000000000001"

func journeyFixture(t *testing.T) *fixture {
	f := newFixture(t, testAccounts())
	f.srv.addScenarioJourneys([]scenarios.JourneyPlan{{ID: journeyID, Title: "Onboarding", Application: appCode,
		Points: []scenarios.JourneyPointPlan{
			{Title: "Welcome", Content: "Welcome aboard"},
			{Title: "Day 2", After: 24 * time.Hour, Content: "How is it going?"},
		}}})
	withLifecycle(f, 1, 1)
	registerFleet(t, f)
	return f
}

const apiAuth = "Authorization: Api TESTAUTHTOKEN"

func TestJourneyStartRunsPointsOnTheClock(t *testing.T) {
	f := journeyFixture(t)
	code, body := f.raw(t, "/api/journey/"+journeyID+"/start/external", `{"payload":{"users":["alice"],"attribute_values":{"promo_code":"SUMMER25"}}}`, apiAuth)
	var r struct {
		RequestUUID string `json:"request_uuid"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &r) != nil || len(r.RequestUUID) != 36 {
		t.Fatalf("start: %d %s", code, body)
	}
	f.clk.Advance(0) // the first point is due at once, on the clock's own goroutine
	sent := f.messages()
	if len(sent) != 1 || sent[0].JourneyTitle != "Onboarding" || sent[0].JourneyPointTitle != "Welcome" || sent[0].Content != "Welcome aboard" {
		t.Fatalf("first point: %+v", sent)
	}
	if got := hwids(sent[0].Targets); !slices.Equal(got, []string{"and-1/Android", "ios-1/iOS"}) {
		t.Errorf("alice's devices: %v", got)
	}
	f.clk.Advance(24*time.Hour - time.Second)
	if len(f.messages()) != 1 {
		t.Fatalf("the second point came before its day")
	}
	f.clk.Advance(time.Second)
	if sent = f.messages(); len(sent) != 2 || sent[1].JourneyPointTitle != "Day 2" || sent[1].Content != "How is it going?" {
		t.Fatalf("second point: %+v", sent)
	}
	f.clk.Advance(time.Hour)
	code, body = f.do(t, http.MethodGet, "/api/journey/"+journeyID+"/statistics/external", "", apiAuth)
	want := `{"payload":{"points":[{"pointTitle":"Welcome","campaignCode":"","presetCode":"","pointStat":{"sent":2,"opened":2,"uniqOpened":2,"conversion":100}},` +
		`{"pointTitle":"Day 2","campaignCode":"","presetCode":"","pointStat":{"sent":2,"opened":2,"uniqOpened":2,"conversion":100}}],"title":"Onboarding"}}`
	if code != 200 || body != want {
		t.Errorf("statistics: %d\n got %s\nwant %s", code, body, want)
	}
}

func TestJourneyPauseDropFinish(t *testing.T) {
	f := journeyFixture(t)
	start := func(body string) (int, string) {
		return f.raw(t, "/api/journey/"+journeyID+"/start/external", body, apiAuth)
	}
	gateway := func(action string) (int, string) {
		return f.raw(t, "/api/v3/journeygateway/"+action, `{"uuid":"`+journeyID+`"}`, apiAuth)
	}
	start(`{"payload":{"hwids":["ios-1","ios-2"]}}`)
	f.clk.Advance(0)
	if code, body := gateway("pause"); code != 200 || !json.Valid([]byte(body)) {
		t.Fatalf("pause: %d %s", code, body)
	}
	if code, body := start(`{"payload":{"users":["alice"]}}`); code != 400 || body != `{"code":9,"message":"journey is not running","details":[]}` {
		t.Errorf("start while paused: %d %s", code, body)
	}
	f.clk.Advance(48 * time.Hour) // day 2 is due while paused: held
	if len(f.messages()) != 1 {
		t.Fatalf("a paused journey sent %d messages", len(f.messages()))
	}
	// bob (ios-2) leaves the journey; the held point goes to ios-1 only once started again.
	if code, body := f.raw(t, "/api/journey/drop-users/external", `{"user_ids":["bob"],"journey_uuids":["`+journeyID+`"]}`, "Authorization: Bearer TESTAUTHTOKEN"); code != 200 || body != `{}` {
		t.Fatalf("drop-users: %d %s", code, body)
	}
	if code, body := gateway("start"); code != 200 {
		t.Fatalf("start: %d %s", code, body)
	}
	f.clk.Advance(time.Second)
	sent := f.messages()
	if len(sent) != 2 || !slices.Equal(hwids(sent[1].Targets), []string{"ios-1/iOS"}) {
		t.Fatalf("after resume: %+v", sent)
	}
	if code, body := gateway("finish"); code != 200 {
		t.Fatalf("finish: %d %s", code, body)
	}
	if code, body := gateway("pause"); code != 400 || body != `{"code":9,"message":"cannot pause a journey in status STATUS_FINISHED","details":[]}` {
		t.Errorf("pause a finished journey: %d %s", code, body)
	}
}

func TestJourneyErrors(t *testing.T) {
	f := journeyFixture(t)
	path := "/api/journey/" + journeyID + "/start/external"
	for _, tc := range []struct {
		name, method, path, body, auth string
		code                           int
		want                           string
	}{
		{"no selector", "POST", path, `{"payload":{"attribute_values":{"a":"b"}}}`, apiAuth, 400, `{"code":3,"message":"one of users, hwids or filter must be provided","details":[]}`},
		{"two selectors", "POST", path, `{"payload":{"users":["alice"],"hwids":["ios-1"]}}`, apiAuth, 400, `{"code":3,"message":"only one of users, hwids or filter must be provided","details":[]}`},
		{"not JSON", "POST", path, `users=alice`, apiAuth, 400, `{"code":3,"message":"the body is not a JSON object of the documented shape","details":[]}`},
		{"attribute not a string", "POST", path, `{"payload":{"users":["alice"],"attribute_values":{"a":1}}}`, apiAuth, 400, `{"code":3,"message":"the body is not a JSON object of the documented shape","details":[]}`},
		{"bad filter", "POST", path, `{"payload":{"filter":"A(("}}`, apiAuth, 400, ""},
		{"unknown journey", "POST", "/api/journey/nope/start/external", `{"payload":{"users":["alice"]}}`, apiAuth, 404, `{"code":5,"message":"journey not found","details":[]}`},
		{"another account's token", "POST", path, `{"payload":{"users":["alice"]}}`, "Authorization: Api SMALL-TOKEN", 404, `{"code":5,"message":"journey not found","details":[]}`},
		{"no authorization", "POST", path, `{"payload":{"users":["alice"]}}`, "", 401, `{"code":16,"message":"Unauthorized: authentication failed or was not provided","details":[]}`},
		{"device token", "POST", path, `{"payload":{"users":["alice"]}}`, "Authorization: Api DEVICE-TOKEN", 401, `{"code":16,"message":"Unauthorized: authentication failed or was not provided","details":[]}`},
		{"statistics by POST", "POST", "/api/journey/" + journeyID + "/statistics/external", ``, apiAuth, 405, `{"code":3,"message":"Method not allowed: the API takes POST requests","details":[]}`},
		{"unknown path", "POST", "/api/journey/x/y", `{}`, apiAuth, 404, `{"code":5,"message":"unknown path /api/journey/x/y","details":[]}`},
		{"drop without users", "POST", "/api/journey/drop-users/external", `{"all_journeys":true}`, apiAuth, 400, `{"code":3,"message":"user_ids is required","details":[]}`},
		{"drop without journeys", "POST", "/api/journey/drop-users/external", `{"user_ids":["bob"]}`, apiAuth, 400, `{"code":3,"message":"journey_uuids or all_journeys is required","details":[]}`},
		{"create without title", "POST", "/api/v3/journeygateway", `{"params":{"application_code":"APPCODE-12345"}}`, apiAuth, 400, `{"code":3,"message":"title is required","details":[]}`},
		{"create without application", "POST", "/api/v3/journeygateway", `{"title":"T","params":{}}`, apiAuth, 400, `{"code":3,"message":"params.application_code is required","details":[]}`},
		{"create for an unknown application", "POST", "/api/v3/journeygateway", `{"title":"T","params":{"application_code":"NOPE0-00000"}}`, apiAuth, 404, `{"code":5,"message":"Application not found","details":[]}`},
		{"lifecycle without uuid", "POST", "/api/v3/journeygateway/start", `{}`, apiAuth, 400, `{"code":3,"message":"uuid is required","details":[]}`},
		{"start a running journey", "POST", "/api/v3/journeygateway/start", `{"uuid":"` + journeyID + `"}`, apiAuth, 400, `{"code":9,"message":"cannot start a journey in status STATUS_RUNNING","details":[]}`},
		{"update unknown", "PUT", "/api/v3/journeygateway/nope", `{"title":"T","params":{"application_code":"APPCODE-12345"}}`, apiAuth, 404, `{"code":5,"message":"journey not found","details":[]}`},
	} {
		var headers []string
		if tc.auth != "" {
			headers = append(headers, tc.auth)
		}
		code, body := f.do(t, tc.method, tc.path, tc.body, headers...)
		f.clk.Advance(0)
		if code != tc.code || (tc.want != "" && body != tc.want) {
			t.Errorf("%s: %d %s, want %d %s", tc.name, code, body, tc.code, tc.want)
		}
	}
	if len(f.messages()) != 0 {
		t.Errorf("refused starts sent messages")
	}
}

func TestJourneyGateway(t *testing.T) {
	f := journeyFixture(t)
	code, body := f.raw(t, "/api/v3/journeygateway", `{"title":"Welcome series","params":{"application_code":"APPCODE-12345"},"points":[],"comments":[]}`, apiAuth)
	var j gatewayJourney
	if code != 200 || json.Unmarshal([]byte(body), &j) != nil || j.Info.Status != "STATUS_DRAFT" || j.Info.Title != "Welcome series" ||
		j.Info.Params.ApplicationCode != appCode || len(j.Info.UUID) != 36 {
		t.Fatalf("create: %d %s", code, body)
	}
	id := j.Info.UUID
	code, body = f.do(t, http.MethodPut, "/api/v3/journeygateway/"+id, `{"title":"Renamed","params":{"application_code":"APPCODE-12345"},"points":[{"uuid":"p1","point_type":"POINT_TYPE_EXIT"}],"comments":[]}`, apiAuth)
	if code != 200 || json.Unmarshal([]byte(body), &j) != nil || j.Info.Title != "Renamed" || string(j.Points) != `[{"uuid":"p1","point_type":"POINT_TYPE_EXIT"}]` || j.Info.Status != "STATUS_DRAFT" {
		t.Fatalf("update: %d %s", code, body)
	}
	for _, step := range []struct{ action, status string }{
		{"start", "STATUS_RUNNING"}, {"pause", "STATUS_PAUSED"}, {"start", "STATUS_RUNNING"},
		{"finish", "STATUS_FINISHED"}, {"archive", "STATUS_ARCHIVED"}, {"draft", "STATUS_DRAFT"},
	} {
		code, body = f.raw(t, "/api/v3/journeygateway/"+step.action, `{"uuid":"`+id+`"}`, apiAuth)
		if code != 200 || json.Unmarshal([]byte(body), &j) != nil || j.Info.Status != step.status {
			t.Fatalf("%s: %d %s, want %s", step.action, code, body, step.status)
		}
	}
}
