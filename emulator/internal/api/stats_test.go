package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/scenarios"
)

// withLifecycle makes the fixture's messages go through a lifecycle engine whose
// events the store counts, as in the emulator: every target is sent the message at
// once, a share delivered one minute later and a share of those opened one more
// minute later.
func withLifecycle(f *fixture, delivered, opened float64) *fixture {
	engine := lifecycle.NewEngine(f.clk, 42, func(evs []catalog.Event) { f.st.Observe(evs) },
		scenarios.LifecyclePlan{Delivered: delivered, Opened: opened, Delay: time.Minute})
	f.srv.onMessage = func(m lifecycle.Message) {
		f.mu.Lock()
		f.sent = append(f.sent, m)
		f.mu.Unlock()
		engine.Message(m)
	}
	return f
}

// results asks for a scheduled statistic and collects it with getResults.
func results(t *testing.T, f *fixture, method, fields string) string {
	t.Helper()
	e := admin(t, f, method, fields)
	id := field[string](t, e, "request_id")
	if len(id) != 32 {
		t.Fatalf("%s: request_id %q", method, id)
	}
	e = admin(t, f, "getResults", `"request_id":"`+id+`"`)
	if e.StatusCode != 200 {
		t.Fatalf("getResults: %d %q", e.StatusCode, e.StatusMessage)
	}
	return string(e.Response)
}

// statsStory plays a known half hour: devices register at 00:00, message A goes to
// the application's 4 devices at 00:00 (delivered 00:01, opened 00:02), ios-1 opens
// the app and web-1 unregisters at 00:10, message B of a campaign goes to the
// Android device at 00:10, two Purchase events at 00:20. It returns A's and B's codes
// and B's campaign.
func statsStory(t *testing.T, f *fixture) (a, b, campaign string) {
	t.Helper()
	registerFleet(t, f)
	_, codes := createMessage(t, f, `"application":"APPCODE-12345"`, `{"content":"A"}`)
	a = codes[0]
	f.clk.Advance(10 * time.Minute)
	f.call(t, "applicationOpen", req(`"application":"APPCODE-12345","hwid":"ios-1"`))
	f.call(t, "unregisterDevice", req(`"application":"APPCODE-12345","hwid":"web-1"`))
	campaign = createCampaign(t, f, "Spring")
	_, codes = createMessage(t, f, `"application":"APPCODE-12345"`, `{"content":"B","platforms":[3],"campaign":"`+campaign+`"}`)
	b = codes[0]
	f.clk.Advance(10 * time.Minute)
	f.call(t, "createEvent", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","name":"Purchase"`))
	for range 2 {
		f.call(t, "postEvent", req(`"application":"APPCODE-12345","hwid":"ios-1","userId":"alice","event":"Purchase","attributes":{}`))
	}
	f.clk.Advance(10 * time.Minute)
	return a, b, campaign
}

func TestStatisticsV1(t *testing.T) {
	f := withLifecycle(newFixture(t, testAccounts()), 1, 1)
	a, b, campaign := statsStory(t, f)
	for _, tc := range []struct{ method, fields, want string }{
		{"getMsgStats", `"message":"` + a + `"`,
			`{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:00:00","action":"send","count":4},{"datetime":"2026-01-01 00:02:00","action":"open","count":4}],"conversion":{"send":4,"open":4,"events":[]}}`},
		{"getMsgStats", `"message":"` + b + `"`,
			`{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:10:00","action":"send","count":1},{"datetime":"2026-01-01 00:12:00","action":"open","count":1}],"conversion":{"send":1,"open":1,"events":[]}}`},
		{"getMsgPlatformsStats", `"message":"` + a + `","platforms":[1,11]`,
			`{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:00:00","action":"send","count":2,"platform":1},{"datetime":"2026-01-01 00:00:00","action":"send","count":1,"platform":11},{"datetime":"2026-01-01 00:02:00","action":"open","count":2,"platform":1},{"datetime":"2026-01-01 00:02:00","action":"open","count":1,"platform":11}]}`},
		{"getAppStats", `"application":"APPCODE-12345","datefrom":"2026-01-01 00:00:00","dateto":"2026-01-01 01:00:00"`,
			`{"applications":{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:00:00","action":"install","count":4},{"datetime":"2026-01-01 00:10:00","action":"open","count":1}]},` +
				`"devices":{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:00:00","action":"register","count":4},{"datetime":"2026-01-01 00:10:00","action":"unregister","count":1}]},` +
				`"messages":{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:00:00","action":"send","count":4},{"datetime":"2026-01-01 00:02:00","action":"open","count":4},{"datetime":"2026-01-01 00:10:00","action":"send","count":1},{"datetime":"2026-01-01 00:12:00","action":"open","count":1}]}}`},
		{"getAppStats", `"application":"APPCODE-12345","datefrom":"2026-01-01 00:05:00","dateto":"2026-01-01 00:11:00"`,
			`{"applications":{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:10:00","action":"open","count":1}]},` +
				`"devices":{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:10:00","action":"unregister","count":1}]},` +
				`"messages":{"formatter":"minutely","rows":[{"datetime":"2026-01-01 00:10:00","action":"send","count":1}]}}`},
		{"getAppStats", `"application":"APPCODE-12345","datefrom":"2026-01-01","dateto":"2026-01-03"`,
			`{"applications":{"formatter":"daily","rows":[{"datetime":"2026-01-01 00:00:00","action":"install","count":4},{"datetime":"2026-01-01 00:00:00","action":"open","count":1}]},` +
				`"devices":{"formatter":"daily","rows":[{"datetime":"2026-01-01 00:00:00","action":"register","count":4},{"datetime":"2026-01-01 00:00:00","action":"unregister","count":1}]},` +
				`"messages":{"formatter":"daily","rows":[{"datetime":"2026-01-01 00:00:00","action":"open","count":5},{"datetime":"2026-01-01 00:00:00","action":"send","count":5}]}}`},
		{"getCampaignStats", `"campaign":"` + campaign + `","datefrom":"2026-01-01 00:00:00","dateto":"2026-01-01 06:00:00"`,
			`{"formatter":"hourly","rows":[{"datetime":"2026-01-01 00:00:00","action":"open","count":1},{"datetime":"2026-01-01 00:00:00","action":"send","count":1}]}`},
		{"getEventStatistics", `"application":"APPCODE-12345","event":"Purchase","date_from":"2026-01-01","date_to":"2026-01-02"`,
			`{"rows":[{"date":"2026-01-01","count":2}]}`},
		{"getEventStatistics", `"application":"APPCODE-12345","event":"Other","date_from":"2026-01-01","date_to":"2026-01-02"`,
			`{"rows":[]}`},
	} {
		if got := results(t, f, tc.method, tc.fields); got != tc.want {
			t.Errorf("%s %s:\n got %s\nwant %s", tc.method, tc.fields, got, tc.want)
		}
	}
	// Documented and pwemu's errors.
	for _, tc := range []struct{ method, fields, want string }{
		{"getAppStats", `"application":"APPCODE-12345"`, catalog.MsgDatesRequired},
		{"getAppStats", `"application":"APPCODE-12345","datefrom":"2026-01-01"`, catalog.MsgDatesRequired},
		{"getAppStats", `"application":"APPCODE-12345","datefrom":"yesterday","dateto":"today"`, catalog.MsgCannotParseDate},
		{"getCampaignStats", `"datefrom":"2026-01-01","dateto":"2026-01-02"`, catalog.MsgNoCampaignCode},
		{"getCampaignStats", `"campaign":"NOPE0-00000","datefrom":"2026-01-01","dateto":"2026-01-02"`, catalog.MsgCampaignNotFound},
		{"getCampaignStats", `"campaign":"` + campaign + `"`, catalog.MsgDatesRequired},
		{"getMsgStats", ``, catalog.MsgNoMessage},
		{"getMsgStats", `"message":"0000-00000000-00000000"`, catalog.MsgMessageNotFound},
		{"getMsgPlatformsStats", `"message":"` + a + `","platforms":[99]`, catalog.MsgSelectPlatform},
		{"getEventStatistics", `"application":"APPCODE-12345","date_from":"2026-01-01","date_to":"2026-01-02"`, catalog.MsgNoStatsEvent},
		{"getEventStatistics", `"application":"APPCODE-12345","event":"Purchase"`, catalog.MsgEventDates},
		{"getResults", ``, catalog.MsgNoRequestID},
		{"getResults", `"request_id":"nope"`, catalog.MsgRequestNotFound},
	} {
		if e := admin(t, f, tc.method, tc.fields); e.StatusCode != 210 || e.StatusMessage != tc.want {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.fields, e.StatusCode, e.StatusMessage, tc.want)
		}
	}
	// A token restricted to some methods collects only its own account's results.
	_, e := f.call(t, "getMsgStats", req(`"auth":"SMALL-TOKEN","message":"`+a+`"`))
	if e.StatusMessage != catalog.MsgMessageNotFound {
		t.Errorf("another account's message: %q", e.StatusMessage)
	}
}

// TestStatisticsSameSeedSameFigures plays the story twice with shares below one:
// which devices are delivered and open is drawn from the seed, so the figures repeat.
func TestStatisticsSameSeedSameFigures(t *testing.T) {
	run := func() []string {
		f := withLifecycle(newFixture(t, testAccounts()), 0.5, 0.5)
		a, b, _ := statsStory(t, f)
		return []string{
			results(t, f, "getMsgPlatformsStats", `"message":"`+a+`"`),
			results(t, f, "getMsgStats", `"message":"`+b+`"`),
		}
	}
	first, second := run(), run()
	for i := range first {
		if first[i] != second[i] {
			t.Errorf("same seed, different figures:\n%s\n%s", first[i], second[i])
		}
	}
	var r statsResult
	if err := json.Unmarshal([]byte(first[0]), &r); err != nil {
		t.Fatal(err)
	}
	sends, opens := 0, 0
	for _, row := range r.Rows {
		switch row.Action {
		case "send":
			sends += row.Count
		case "open":
			opens += row.Count
		}
	}
	// 4 sent, 2 delivered (half of 4), 1 opened (half of 2).
	if sends != 4 || opens != 1 {
		t.Errorf("sends %d opens %d, want 4 and 1: %s", sends, opens, first[0])
	}
}
