package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// apiCall sends a journey-host request with "Authorization: Api srv" and returns the
// HTTP status and body.
func apiCall(t *testing.T, emu interface{ URL() string }, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, emu.URL()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Api srv")
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// A journey made through the journey gateway (Start by API → Send push → Wait 1 day →
// Send push with a preset → Exit), started by the lifecycle call and entered through
// POST /api/journey/{id}/start/external, delivers its send points' events to the
// receiver with the journey's and the points' titles at the wait's times.
func TestAGatewayJourneyStartedThroughTheAPIReachesTheReceiver(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.ManualClock(), testkit.Env("RECEIVER_URL", rec.URL()), testkit.ScenarioYAML(`
name: gateway-journey
seed: 5
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    batch: {size: 100, interval: 1h}
lifecycle: {delivered: 1, opened: 0, delay: 1s}
`))
	for _, hw := range []string{"a", "b"} {
		body := `{"request":{"application":"32E5A-9B411","hwid":"hw-` + hw + `","device_type":1,"push_token":"t-` + hw + `","userId":"user-` + hw + `"}}`
		if got := call(t, emu, "registerDevice", body); got != http.StatusOK {
			t.Fatalf("registerDevice: HTTP %d", got)
		}
	}
	var preset string
	{
		req := `{"request":{"auth":"srv","applicationCode":"32E5A-9B411","name":"Day 2","content":{"message":"Back again?"}}}`
		resp, err := http.Post(emu.URL()+"/json/1.3/createPreset", "application/json", strings.NewReader(req))
		if err != nil {
			t.Fatal(err)
		}
		var r struct {
			Response struct {
				PresetCode string `json:"preset_code"`
			} `json:"response"`
		}
		json.NewDecoder(resp.Body).Decode(&r) //nolint:errcheck // checked below
		resp.Body.Close()
		if preset = r.Response.PresetCode; preset == "" {
			t.Fatalf("createPreset: HTTP %d", resp.StatusCode)
		}
	}
	out := func(next string) string {
		return `"outputs":[{"key":"default","info":{"next_point_uuid":"` + next + `"}}]`
	}
	points := `[` +
		`{"uuid":"start","title":"API entry","point_type":"POINT_TYPE_START_BY_API","point_data":{"start_by_api":{}},` + out("welcome") + `},` +
		`{"uuid":"welcome","title":"Welcome","point_type":"POINT_TYPE_SEND_PUSH","point_data":{"send_push":{"content":"Welcome aboard"}},` + out("wait") + `},` +
		`{"uuid":"wait","title":"Wait 1 day","point_type":"POINT_TYPE_WAIT","point_data":{"wait":{"delay":"86400s"}},` + out("day2") + `},` +
		`{"uuid":"day2","title":"Day 2","point_type":"POINT_TYPE_SEND_PUSH","point_data":{"send_push":{"preset_code":"` + preset + `"}},` + out("exit") + `},` +
		`{"uuid":"exit","title":"Exit","point_type":"POINT_TYPE_EXIT","outputs":[]}]`
	code, body := apiCall(t, emu, http.MethodPost, "/api/v3/journeygateway",
		`{"title":"Onboarding","params":{"application_code":"32E5A-9B411"},"points":`+points+`,"comments":[]}`)
	var j struct {
		Info struct {
			UUID string `json:"uuid"`
		} `json:"info"`
		Points json.RawMessage `json:"points"`
	}
	if code != http.StatusOK || json.Unmarshal([]byte(body), &j) != nil || string(j.Points) != points {
		t.Fatalf("create: HTTP %d %s", code, body)
	}
	start := `{"payload":{"users":["user-a"]}}`
	if code, body := apiCall(t, emu, http.MethodPost, "/api/journey/"+j.Info.UUID+"/start/external", start); code != http.StatusBadRequest ||
		body != `{"code":9,"message":"journey is not running","details":[]}` {
		t.Fatalf("start/external on a draft: HTTP %d %s", code, body)
	}
	if code, body := apiCall(t, emu, http.MethodPost, "/api/v3/journeygateway/start", `{"uuid":"`+j.Info.UUID+`"}`); code != http.StatusOK {
		t.Fatalf("lifecycle start: HTTP %d %s", code, body)
	}
	if code, body := apiCall(t, emu, http.MethodPost, "/api/journey/"+j.Info.UUID+"/start/external", start); code != http.StatusOK {
		t.Fatalf("start/external: HTTP %d %s", code, body)
	}
	emu.Advance(48 * time.Hour)

	evs := rec.Events()
	if len(evs) != 2 {
		t.Fatalf("%d events, want 2 (one Push Sent per send point, to user-a's device): %+v", len(evs), evs)
	}
	at := clock.Epoch.Unix()
	for i, want := range []struct {
		point, payload string
		at             int64
	}{{"Welcome", "Welcome aboard", at}, {"Day 2", "Back again?", at + 24*3600}} {
		e := evs[i]
		if e.EventName != "Push Sent" || e.HWID != "hw-a" || e.JourneyTitle != "Onboarding" || e.JourneyPointTitle != want.point ||
			e.Payload != want.payload || e.Timestamp != want.at {
			t.Errorf("event %d: %+v, want point %q at %d", i, e, want.point, want.at)
		}
	}
	code, body = apiCall(t, emu, http.MethodGet, "/api/journey/"+j.Info.UUID+"/statistics/external", "")
	want := `{"payload":{"points":[{"pointTitle":"Welcome","campaignCode":"","presetCode":"","pointStat":{"sent":1,"opened":0,"uniqOpened":0,"conversion":0}},` +
		`{"pointTitle":"Day 2","campaignCode":"","presetCode":"` + preset + `","pointStat":{"sent":1,"opened":0,"uniqOpened":0,"conversion":0}}],"title":"Onboarding"}}`
	if code != http.StatusOK || body != want {
		t.Errorf("statistics: HTTP %d\n got %s\nwant %s", code, body, want)
	}
}
