package api

import (
	"github.com/pwemu/pwemu/emulator/catalog"
	"net/http"
	"strings"
	"testing"
)

// v2Stats posts a v2 statistics body with the server token.
func v2Stats(t *testing.T, f *fixture, path, body string) (int, string) {
	t.Helper()
	return f.raw(t, path, body, apiAuth)
}

func TestStatisticsV2Figures(t *testing.T) {
	f := withLifecycle(newFixture(t, testAccounts()), 1, 1)
	a, b, campaign := statsStory(t, f)
	const list = "/api/v2/messages:list"
	for _, tc := range []struct{ name, path, body, want string }{
		{"list all with metrics", list, `{"filters":{"application":"APPCODE-12345"},"params":{"with_metrics":true}}`,
			`{"total":2,"items":[` +
				`{"id":1,"code":"` + a + `","created_date":"2026-01-01 00:00:00","send_date":"2026-01-01 00:00:00","status":"sent","platforms":[],"source":"API",` +
				`"push_info":{"metrics":[{"sends":2,"opens":2,"deliveries":2,"inbox_opens":0,"unshowable_sends":0,"errors":0,"platform":1},` +
				`{"sends":1,"opens":1,"deliveries":1,"inbox_opens":0,"unshowable_sends":0,"errors":0,"platform":3},` +
				`{"sends":1,"opens":1,"deliveries":1,"inbox_opens":0,"unshowable_sends":0,"errors":0,"platform":11}]},"email_info":null},` +
				`{"id":2,"code":"` + b + `","created_date":"2026-01-01 00:10:00","send_date":"2026-01-01 00:10:00","status":"sent","platforms":["ANDROID"],"source":"API",` +
				`"push_info":{"metrics":[{"sends":1,"opens":1,"deliveries":1,"inbox_opens":0,"unshowable_sends":0,"errors":0,"platform":3}]},"email_info":null}]}`},
		{"list by campaign with details, wrapped in request", list, `{"request":{"filters":{"application":"APPCODE-12345","campaign":"` + campaign + `"},"params":{"with_details":true}}}`,
			`{"total":1,"items":[{"id":2,"code":"` + b + `","created_date":"2026-01-01 00:10:00","send_date":"2026-01-01 00:10:00","status":"sent","platforms":["ANDROID"],"source":"API",` +
				`"push_info":{"details":{"title":"","filter_name":"","filter_code":"","content":{"default":"B"},"platform_parameters":{},"follow_user_timezone":false}},"email_info":null}]}`},
		{"list by platform and page", list, `{"filters":{"application":"APPCODE-12345","platforms":["IOS"]},"per_page":1,"page":2}`,
			`{"total":1,"items":[]}`},
		{"list by code and date", list, `{"filters":{"application":"APPCODE-12345","messages_codes":["` + b + `"],"date_range":{"date_from":"2026-01-01","date_to":"2026-01-01"}}}`,
			`{"total":1,"items":[{"id":2,"code":"` + b + `","created_date":"2026-01-01 00:10:00","send_date":"2026-01-01 00:10:00","status":"sent","platforms":["ANDROID"],"source":"API","push_info":{},"email_info":null}]}`},
		{"list by id, another day", list, `{"filters":{"application":"APPCODE-12345","messages_ids":[1],"date_range":{"date_from":"2026-01-02"}}}`,
			`{"total":0,"items":[]}`},
		{"list journey messages", list, `{"filters":{"application":"APPCODE-12345","source":"CUSTOMER_JOURNEY"}}`,
			`{"total":0,"items":[]}`},
		{"totals of A", "/api/v2/statistics/messages/totalsByIntervals", `{"message_code":"` + a + `"}`,
			`{"metrics":[{"timestamp":"2026-01-01 00:00:00","platform":1,"sends":"2","opens":"2","deliveries":"2","inbox_opens":"0","unshowable_sends":"0","errors":"0"},` +
				`{"timestamp":"2026-01-01 00:00:00","platform":3,"sends":"1","opens":"1","deliveries":"1","inbox_opens":"0","unshowable_sends":"0","errors":"0"},` +
				`{"timestamp":"2026-01-01 00:00:00","platform":11,"sends":"1","opens":"1","deliveries":"1","inbox_opens":"0","unshowable_sends":"0","errors":"0"}],` +
				`"conversion":{"sends":"4","opens":"4","events":[]}}`},
		{"totals of A on iOS", "/api/v2/statistics/messages/totalsByIntervals", `{"message_code":"` + a + `","platforms":[1]}`,
			`{"metrics":[{"timestamp":"2026-01-01 00:00:00","platform":1,"sends":"2","opens":"2","deliveries":"2","inbox_opens":"0","unshowable_sends":"0","errors":"0"}],` +
				`"conversion":{"sends":"2","opens":"2","events":[]}}`},
		{"log of alice's opens", "/api/v2/statistics/getMessageLog", `{"user_id":"alice","actions":["opened"]}`,
			`{"rows":[` +
				`{"message_id":1,"message_code":"` + a + `","campaign_code":"","application_code":"APPCODE-12345","hwid":"and-1","user_id":"alice","platform":"android","action":"opened","date":"2026-01-01 00:02:00"},` +
				`{"message_id":1,"message_code":"` + a + `","campaign_code":"","application_code":"APPCODE-12345","hwid":"ios-1","user_id":"alice","platform":"ios","action":"opened","date":"2026-01-01 00:02:00"},` +
				`{"message_id":2,"message_code":"` + b + `","campaign_code":"` + campaign + `","application_code":"APPCODE-12345","hwid":"and-1","user_id":"alice","platform":"android","action":"opened","date":"2026-01-01 00:12:00"}],"pagination_token":""}`},
		{"log of a campaign, paged", "/api/v2/statistics/getMessageLog", `{"campaign_code":"` + campaign + `","limit":2}`,
			`{"rows":[` +
				`{"message_id":2,"message_code":"` + b + `","campaign_code":"` + campaign + `","application_code":"APPCODE-12345","hwid":"and-1","user_id":"alice","platform":"android","action":"sent","date":"2026-01-01 00:10:00"},` +
				`{"message_id":2,"message_code":"` + b + `","campaign_code":"` + campaign + `","application_code":"APPCODE-12345","hwid":"and-1","user_id":"alice","platform":"android","action":"delivered","date":"2026-01-01 00:11:00"}],"pagination_token":"2"}`},
		{"log of a campaign, next page", "/api/v2/statistics/getMessageLog", `{"campaign_code":"` + campaign + `","limit":2,"pagination_token":"2"}`,
			`{"rows":[` +
				`{"message_id":2,"message_code":"` + b + `","campaign_code":"` + campaign + `","application_code":"APPCODE-12345","hwid":"and-1","user_id":"alice","platform":"android","action":"opened","date":"2026-01-01 00:12:00"}],"pagination_token":""}`},
		{"log by dates, chrome, sent", "/api/v2/statistics/getMessageLog", `{"date_from":"2026-01-01 00:00:00","date_to":"2026-01-01 00:30:00","platforms":["chrome"],"hwid":["web-1"]}`,
			`{"rows":[` +
				`{"message_id":1,"message_code":"` + a + `","campaign_code":"","application_code":"APPCODE-12345","hwid":"web-1","user_id":"carol","platform":"chrome","action":"sent","date":"2026-01-01 00:00:00"},` +
				`{"message_id":1,"message_code":"` + a + `","campaign_code":"","application_code":"APPCODE-12345","hwid":"web-1","user_id":"carol","platform":"chrome","action":"delivered","date":"2026-01-01 00:01:00"},` +
				`{"message_id":1,"message_code":"` + a + `","campaign_code":"","application_code":"APPCODE-12345","hwid":"web-1","user_id":"carol","platform":"chrome","action":"opened","date":"2026-01-01 00:02:00"}],"pagination_token":""}`},
	} {
		code, body := v2Stats(t, f, tc.path, tc.body)
		if code != http.StatusOK || body != tc.want {
			t.Errorf("%s: %d\n got %s\nwant %s", tc.name, code, body, tc.want)
		}
	}
}

// TestStatisticsV2SameSeed: the same story played twice answers the same figures.
func TestStatisticsV2SameSeed(t *testing.T) {
	play := func() string {
		f := withLifecycle(newFixture(t, testAccounts()), 0.5, 0.5)
		statsStory(t, f)
		var out []string
		for _, p := range []struct{ path, body string }{
			{"/api/v2/messages:list", `{"filters":{"application":"APPCODE-12345"},"params":{"with_metrics":true,"with_details":true}}`},
			{"/api/v2/statistics/getMessageLog", `{"date_from":"2026-01-01 00:00:00","date_to":"2026-01-02 00:00:00"}`},
		} {
			_, body := v2Stats(t, f, p.path, p.body)
			out = append(out, body)
		}
		return strings.Join(out, "\n")
	}
	if first, second := play(), play(); first != second {
		t.Errorf("same seed, different figures:\n%s\n%s", first, second)
	}
}

func TestStatisticsV2Errors(t *testing.T) {
	f := withLifecycle(newFixture(t, testAccounts()), 1, 1)
	a, _, _ := statsStory(t, f)
	const (
		list   = "/api/v2/messages:list"
		totals = "/api/v2/statistics/messages/totalsByIntervals"
		log    = "/api/v2/statistics/getMessageLog"
	)
	for _, tc := range []struct {
		path, body, auth string
		code             int
		want             string
	}{
		{list, `{"filters":{"application":"APPCODE-12345"}}`, "", 401, `{"code":16,"message":"Unauthorized: authentication failed or was not provided","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345"}}`, "Authorization: Api DEVICE-TOKEN", 401, `{"code":16,"message":"Unauthorized: authentication failed or was not provided","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345"}}`, "Authorization: Api READ-ONLY", 403, `{"code":7,"message":"Token restrictions forbid this operation.","details":[]}`},
		{list, `[`, apiAuth, 400, `{"code":3,"message":"` + catalog.MsgBadJSON + `","details":[]}`},
		{list, `{}`, apiAuth, 400, `{"code":3,"message":"filters is required","details":[]}`},
		{list, `{"filters":{}}`, apiAuth, 400, `{"code":3,"message":"filters.application is required","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345"},"per_page":1001}`, apiAuth, 400, `{"code":3,"message":"per_page must be between 0 and 1000","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345"},"page":-1}`, apiAuth, 400, `{"code":3,"message":"page must not be negative","details":[]}`},
		{list, `{"filters":{"application":"NOAPP-00000"}}`, apiAuth, 404, `{"code":5,"message":"Application not found","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345"}}`, "Authorization: Api ONLY-OTHER-APP", 403, `{"code":7,"message":"Access denied or application not found","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345","platforms":["PALM"]}}`, apiAuth, 400, `{"code":3,"message":"unknown platform \"PALM\"","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345","source":"FAX"}}`, apiAuth, 400, `{"code":3,"message":"unknown source \"FAX\"","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345","date_range":{"date_from":"01/01/2026"}}}`, apiAuth, 400, `{"code":3,"message":"date_range.date_from must be YYYY-MM-DD","details":[]}`},
		{list, `{"filters":{"application":"APPCODE-12345","messages_ids":["x"]}}`, apiAuth, 400, `{"code":3,"message":"messages_ids: not a message id: \"x\"","details":[]}`},
		{totals, `{}`, apiAuth, 400, `{"code":3,"message":"message_code is required","details":[]}`},
		{totals, `{"message_code":"0000-00000000-00000000"}`, apiAuth, 404, `{"code":5,"message":"message not found","details":[]}`},
		{totals, `{"message_code":"` + a + `","platforms":[4]}`, apiAuth, 400, `{"code":3,"message":"unknown platform 4","details":[]}`},
		{totals, `{"message_code":"` + a + `"}`, "Authorization: Api ONLY-OTHER-APP", 403, `{"code":7,"message":"Access denied or application not found","details":[]}`},
		{log, `{}`, apiAuth, 400, `{"error":"` + catalog.MsgLogSelector + `"}`},
		{log, `{"date_from":"2026-01-01 00:00:00","date_to":"2026-02-01 00:00:00"}`, apiAuth, 400, `{"error":"exceeded the maximum date interval. Max interval: 30 days"}`},
		{log, `{"date_from":"yesterday","date_to":"2026-01-01"}`, apiAuth, 400, `{"error":"cannot parse date_from"}`},
		{log, `{"user_id":"alice","limit":100001}`, apiAuth, 400, `{"error":"limit must be between 0 and 100000"}`},
		{log, `{"user_id":"alice","actions":["clicked"]}`, apiAuth, 400, `{"error":"unknown action \"clicked\""}`},
		{log, `{"user_id":"alice","platforms":["palm"]}`, apiAuth, 400, `{"error":"unknown platform \"palm\""}`},
		{log, `{"user_id":"alice","pagination_token":"abc"}`, apiAuth, 400, `{"error":"invalid pagination_token"}`},
		{log, `{"hwid":7}`, apiAuth, 400, `{"error":"hwid must be a string or an array of strings"}`},
	} {
		var headers []string
		if tc.auth != "" {
			headers = append(headers, tc.auth)
		}
		code, body := f.raw(t, tc.path, tc.body, headers...)
		if code != tc.code || body != tc.want {
			t.Errorf("%s %s: %d %s, want %d %s", tc.path, tc.body, code, body, tc.code, tc.want)
		}
	}
}
