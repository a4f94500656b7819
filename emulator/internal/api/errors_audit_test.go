package api

import (
	"net/http"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Every error of the v1.3 statistics answers HTTP 200 with status_code 210 (or the
// HTTP code the API's own errors carry) and its exact status_message.
func TestStatisticsV1ErrorsExactly(t *testing.T) {
	f := withLifecycle(newFixture(t, testAccounts()), 1, 1)
	a, _, _ := statsStory(t, f)
	const srv = `"auth":"TESTAUTHTOKEN",`
	for _, tc := range []struct {
		method, body string
		http, code   int
		want         string
	}{
		{"getMsgStats", req(`"auth":"TESTAUTHTOKEN"`), 200, 210, catalog.MsgNoMessage},
		{"getMsgStats", req(srv + `"message":"0000-00000000-00000000"`), 200, 210, catalog.MsgMessageNotFound},
		{"getMsgStats", req(`"message":"` + a + `"`), 200, 210, catalog.MsgTokenOrAppNotSet},
		{"getMsgStats", req(`"auth":"NO-SUCH-TOKEN","message":"` + a + `"`), 200, 210, catalog.MsgInvalidToken},
		{"getMsgPlatformsStats", req(srv + `"message":"` + a + `","platforms":[99]`), 200, 210, catalog.MsgSelectPlatform},
		{"getAppStats", req(srv + `"application":"APPCODE-12345"`), 200, 210, catalog.MsgDatesRequired},
		{"getAppStats", req(srv + `"application":"APPCODE-12345","datefrom":"yesterday","dateto":"today"`), 200, 210, catalog.MsgCannotParseDate},
		{"getAppStats", req(srv + `"application":"NOAPP-00000","datefrom":"2026-01-01 00:00:00","dateto":"2026-01-02 00:00:00"`), 200, 210, catalog.MsgAppNotFound},
		{"getCampaignStats", req(srv + `"datefrom":"2026-01-01","dateto":"2026-01-02"`), 200, 210, catalog.MsgNoCampaignCode},
		{"getCampaignStats", req(srv + `"campaign":"NOPE0-00000","datefrom":"2026-01-01","dateto":"2026-01-02"`), 200, 210, catalog.MsgCampaignNotFound},
		{"getEventStatistics", req(srv + `"application":"APPCODE-12345","date_from":"2026-01-01","date_to":"2026-01-02"`), 200, 210, catalog.MsgNoStatsEvent},
		{"getEventStatistics", req(srv + `"application":"APPCODE-12345","event":"Purchase"`), 200, 210, catalog.MsgEventDates},
		{"getTagStats", req(srv + `"application":"APPCODE-12345"`), 200, 210, catalog.MsgNoStatsTag},
		{"getApplicationSubscribersStats", req(`"auth":"TESTAUTHTOKEN"`), 200, 210, catalog.MsgTokenOrAppNotSet},
		{"getResults", req(`"auth":"TESTAUTHTOKEN"`), 200, 210, catalog.MsgNoRequestID},
		{"getResults", req(srv + `"request_id":"nope"`), 200, 210, catalog.MsgRequestNotFound},
		{"getMsgStats", `{"request":`, 400, 400, catalog.MsgBadRequest},
	} {
		status, e := f.call(t, tc.method, tc.body)
		if status != tc.http || e.StatusCode != tc.code || e.StatusMessage != tc.want {
			t.Errorf("%s %s: HTTP %d, %d %q; want HTTP %d, %d %q", tc.method, tc.body, status, e.StatusCode, e.StatusMessage, tc.http, tc.code, tc.want)
		}
	}
}

// The Customer Journey errors not covered by the journey tests: unknown journeys on
// every path, tokens restricted to other applications, the gateway without
// authorization, and lifecycle moves that the status forbids.
func TestJourneyErrorsExactly(t *testing.T) {
	f := journeyFixture(t)
	notFound := `{"code":5,"message":"journey not found","details":[]}`
	unauthorized := `{"code":16,"message":"Unauthorized: authentication failed or was not provided","details":[]}`
	for _, tc := range []struct {
		name, method, path, body, auth string
		code                           int
		want                           string
	}{
		{"statistics of an unknown journey", http.MethodGet, "/api/journey/nope/statistics/external", ``, apiAuth, 404, notFound},
		{"drop from an unknown journey", http.MethodPost, "/api/journey/drop-users/external", `{"user_ids":["bob"],"journey_uuids":["nope"]}`, apiAuth, 404, notFound},
		{"lifecycle of an unknown journey", http.MethodPost, "/api/v3/journeygateway/pause", `{"uuid":"nope"}`, apiAuth, 404, notFound},
		{"statistics, token for another application", http.MethodGet, "/api/journey/" + journeyID + "/statistics/external", ``, "Authorization: Api ONLY-OTHER-APP", 403,
			`{"code":7,"message":"Access denied or application not found","details":[]}`},
		{"create, token for another application", http.MethodPost, "/api/v3/journeygateway", `{"title":"T","params":{"application_code":"APPCODE-12345"}}`, "Authorization: Api ONLY-OTHER-APP", 403,
			`{"code":7,"message":"Access denied or application not found","details":[]}`},
		{"create without authorization", http.MethodPost, "/api/v3/journeygateway", `{"title":"T","params":{"application_code":"APPCODE-12345"}}`, "", 401, unauthorized},
		{"statistics without authorization", http.MethodGet, "/api/journey/" + journeyID + "/statistics/external", ``, "", 401, unauthorized},
		{"drop without authorization", http.MethodPost, "/api/journey/drop-users/external", `{"user_ids":["bob"],"all_journeys":true}`, "", 401, unauthorized},
		{"archive a running journey", http.MethodPost, "/api/v3/journeygateway/archive", `{"uuid":"` + journeyID + `"}`, apiAuth, 400,
			`{"code":9,"message":"cannot archive a journey in status STATUS_RUNNING","details":[]}`},
		{"draft a running journey", http.MethodPost, "/api/v3/journeygateway/draft", `{"uuid":"` + journeyID + `"}`, apiAuth, 400,
			`{"code":9,"message":"cannot draft a journey in status STATUS_RUNNING","details":[]}`},
		{"update with points not a list", http.MethodPut, "/api/v3/journeygateway/" + journeyID, `{"title":"T","params":{"application_code":"APPCODE-12345"},"points":{}}`, apiAuth, 400,
			`{"code":3,"message":"points: the body is not a JSON object of the documented shape","details":[]}`},
	} {
		var headers []string
		if tc.auth != "" {
			headers = append(headers, tc.auth)
		}
		code, body := f.do(t, tc.method, tc.path, tc.body, headers...)
		f.clk.Advance(time.Duration(0))
		if code != tc.code || body != tc.want {
			t.Errorf("%s: %d %s, want %d %s", tc.name, code, body, tc.code, tc.want)
		}
	}
}

// getMessageLog answers a token of no account with its documented {"error"} body.
func TestMessageLogAccountNotFound(t *testing.T) {
	f := newFixture(t, testAccounts())
	for _, auth := range [][]string{nil, {"Authorization: Api NO-SUCH-TOKEN"}, {"Authorization: Api DEVICE-TOKEN"}} {
		code, body := f.raw(t, "/api/v2/statistics/getMessageLog", `{"user_id":"alice"}`, auth...)
		if code != 401 || body != `{"error":"account not found"}` {
			t.Errorf("%v: %d %s, want 401 {\"error\":\"account not found\"}", auth, code, body)
		}
	}
}
