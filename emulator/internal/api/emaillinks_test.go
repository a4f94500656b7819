package api

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/scenarios"
)

// clickFixture has ten email addresses (ten@0…ten@9), a lifecycle where every email
// is delivered and opened and half the openers click a link, one minute apart, and
// an email sent with a preset holding two links.
func clickFixture(t *testing.T, seed int64) (*fixture, string) {
	t.Helper()
	f := newFixture(t, testAccounts())
	engine := lifecycle.NewEngine(f.clk, seed, func(evs []catalog.Event) { f.st.Observe(evs) },
		scenarios.LifecyclePlan{Delivered: 1, Opened: 1, Clicked: 0.5, Delay: time.Minute})
	f.srv.onMessage = engine.Message
	for i := range 10 {
		if _, e := f.call(t, "registerEmail", req(fmt.Sprintf(`"application":"APPCODE-12345","email":"ten@%d.example"`, i))); e.StatusCode != 200 {
			t.Fatalf("registerEmail: %d %q", e.StatusCode, e.StatusMessage)
		}
	}
	campaign := createCampaign(t, f, "Spring")
	e := admin(t, f, "createPreset", `"name":"Links","applicationCode":"APPCODE-12345","content":{"message":"<a href=\"https://shop.example/sale?utm=mail\">Sale</a> <a href='https://shop.example/help'>Help</a>"}`)
	if e.StatusCode != 200 {
		t.Fatalf("createPreset: %d %q", e.StatusCode, e.StatusMessage)
	}
	preset := field[string](t, e, "preset_code")
	if _, e := f.call(t, "createEmailMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"send_date":"now","preset":"`+preset+`","campaign":"`+campaign+`","subject":"Sale"}]`)); e.StatusCode != 200 {
		t.Fatalf("createEmailMessage: %d %q", e.StatusCode, e.StatusMessage)
	}
	f.clk.Advance(time.Hour)
	return f, campaign
}

func TestEmailLinkClicks(t *testing.T) {
	f, campaign := clickFixture(t, 42)
	day := f.clk.Now().UTC().Format("2006-01-02")
	at := f.clk.Now().Add(-time.Hour + 3*time.Minute).UTC().Format(dateTimeLayout) // sent, +1m delivered, +2m opened, +3m clicked
	ask := func(path, filters string) (int, string) {
		return f.raw(t, "/api/v2/statistics/emails/"+path, `{"filters":{"date_range":{"date_from":"`+day+`","date_to":"`+day+`"}`+filters+`},"per_page":100,"page":1}`, apiAuth)
	}
	code, body := ask("linksInteractionsDevices", "")
	var devices struct {
		Total int            `json:"total"`
		Items []linkClickRow `json:"items"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &devices) != nil {
		t.Fatalf("linksInteractionsDevices: %d %s", code, body)
	}
	// Half of the ten openers click: exactly five clicks, each on a link of the email, three minutes after the send.
	links := []string{"https://shop.example/sale?utm=mail", "https://shop.example/help"}
	perLink := map[string]int{}
	var hwids []string
	for _, r := range devices.Items {
		if r.Timestamp != at || !slices.Contains(links, r.Link) || !strings.HasPrefix(r.HWID, "ten@") {
			t.Errorf("click %+v, want at %s on one of %v", r, at, links)
		}
		perLink[r.Link]++
		hwids = append(hwids, r.HWID)
	}
	if devices.Total != 5 || len(devices.Items) != 5 {
		t.Fatalf("%d clicks (%d listed), want 5: %s", devices.Total, len(devices.Items), body)
	}
	slices.Sort(hwids)
	if len(slices.Compact(hwids)) != 5 {
		t.Errorf("a device clicked twice: %v", hwids)
	}
	// The totals by link agree with the rows, most clicked first.
	code, body = ask("linksInteractions", "")
	var totals struct {
		Total int          `json:"total"`
		Items []linkTotals `json:"items"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &totals) != nil {
		t.Fatalf("linksInteractions: %d %s", code, body)
	}
	// Seed 42 draws these: three clicks on the sale link, two on the help link.
	if want := `{"total":2,"items":[{"link":"https://shop.example/sale?utm=mail","clicks":3,"unique_devices":3},` +
		`{"link":"https://shop.example/help","clicks":2,"unique_devices":2}]}`; body != want {
		t.Errorf("linksInteractions:\n got %s\nwant %s", body, want)
	}
	sum := 0
	for i, it := range totals.Items {
		if it.Clicks != perLink[it.Link] || it.UniqueDevices != it.Clicks || (i > 0 && it.Clicks > totals.Items[i-1].Clicks) {
			t.Errorf("totals %+v, rows count %v", totals.Items, perLink)
		}
		sum += it.Clicks
	}
	if sum != 5 || totals.Total != len(perLink) {
		t.Errorf("totals: %s", body)
	}
	// Filters: the link template, the campaign, the dates; pages.
	for _, tc := range []struct {
		name, filters string
		want          int
	}{
		{"help link", `,"link_template":"https://shop.example/help"`, perLink[links[1]]},
		{"template", `,"link_template":"https://shop.example/*?utm=*"`, perLink[links[0]]},
		{"the campaign", `,"campaign":"` + campaign + `"`, 5},
		{"another campaign", `,"campaign":"NOPE0-00000"`, 0},
	} {
		code, body := ask("linksInteractionsDevices", tc.filters)
		if json.Unmarshal([]byte(body), &devices) != nil || code != 200 || devices.Total != tc.want {
			t.Errorf("%s: %d %s, want total %d", tc.name, code, body, tc.want)
		}
	}
	next := f.clk.Now().Add(24 * time.Hour).UTC().Format("2006-01-02")
	code, body = f.raw(t, "/api/v2/statistics/emails/linksInteractionsDevices", `{"filters":{"date_range":{"date_from":"`+next+`","date_to":"`+next+`"}}}`, apiAuth)
	if code != 200 || body != `{"total":0,"items":[]}` {
		t.Errorf("the next day: %d %s", code, body)
	}
	code, body = f.raw(t, "/api/v2/statistics/emails/linksInteractionsDevices", `{"filters":{"date_range":{"date_from":"`+day+`","date_to":"`+day+`"}},"per_page":2,"page":3}`, apiAuth)
	if json.Unmarshal([]byte(body), &devices) != nil || code != 200 || devices.Total != 5 || len(devices.Items) != 1 {
		t.Errorf("page 3 of 2: %d %s", code, body)
	}
	// Same seed, same clicks.
	g, _ := clickFixture(t, 42)
	_, again := g.raw(t, "/api/v2/statistics/emails/linksInteractionsDevices", `{"filters":{"date_range":{"date_from":"`+day+`","date_to":"`+day+`"}}}`, apiAuth)
	_, first := f.raw(t, "/api/v2/statistics/emails/linksInteractionsDevices", `{"filters":{"date_range":{"date_from":"`+day+`","date_to":"`+day+`"}}}`, apiAuth)
	if again != first {
		t.Errorf("same seed, other clicks:\n%s\n%s", first, again)
	}
}

func TestEmailLinkClicksErrors(t *testing.T) {
	f, _ := clickFixture(t, 1)
	for _, path := range []string{"linksInteractions", "linksInteractionsDevices"} {
		for _, tc := range []struct {
			name, body, auth string
			code             int
			want             string
		}{
			{"not JSON", `filters`, apiAuth, 400, `{"code":3,"message":"the body is not a JSON object of the documented shape","details":[]}`},
			{"no filters", `{}`, apiAuth, 400, `{"code":3,"message":"filters is required","details":[]}`},
			{"no date range", `{"filters":{}}`, apiAuth, 400, `{"code":3,"message":"filters.date_range is required","details":[]}`},
			{"no date_from", `{"filters":{"date_range":{"date_to":"2026-01-02"}}}`, apiAuth, 400, `{"code":3,"message":"filters.date_range.date_from is required","details":[]}`},
			{"bad date_to", `{"filters":{"date_range":{"date_from":"2026-01-02","date_to":"02.01.2026"}}}`, apiAuth, 400, `{"code":3,"message":"filters.date_range.date_to must be YYYY-MM-DD","details":[]}`},
			{"dates reversed", `{"filters":{"date_range":{"date_from":"2026-01-02","date_to":"2026-01-01"}}}`, apiAuth, 400, `{"code":3,"message":"filters.date_range.date_to is before date_from","details":[]}`},
			{"over 30 days", `{"filters":{"date_range":{"date_from":"2026-01-01","date_to":"2026-02-01"}}}`, apiAuth, 400, `{"code":3,"message":"exceeded the maximum date interval. Max interval: 30 days","details":[]}`},
			{"per_page", `{"filters":{"date_range":{"date_from":"2026-01-01","date_to":"2026-01-02"}},"per_page":1001}`, apiAuth, 400, `{"code":3,"message":"per_page must be between 0 and 1000","details":[]}`},
			{"page", `{"filters":{"date_range":{"date_from":"2026-01-01","date_to":"2026-01-02"}},"page":-1}`, apiAuth, 400, `{"code":3,"message":"page must not be negative","details":[]}`},
			{"no token", `{}`, "", 401, `{"code":16,"message":"Unauthorized: authentication failed or was not provided","details":[]}`},
		} {
			var headers []string
			if tc.auth != "" {
				headers = append(headers, tc.auth)
			}
			code, body := f.do(t, "POST", "/api/v2/statistics/emails/"+path, tc.body, headers...)
			if code != tc.code || body != tc.want {
				t.Errorf("%s %s: %d %s, want %d %s", path, tc.name, code, body, tc.code, tc.want)
			}
		}
	}
}
