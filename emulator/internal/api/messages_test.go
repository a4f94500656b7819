package api

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
)

var messageCodeRE = regexp.MustCompile(`^[0-9A-F]{4}-[0-9A-F]{8}-[0-9A-F]{8}$`)

// registerFleet registers devices of several platforms and users.
func registerFleet(t *testing.T, f *fixture) {
	t.Helper()
	for _, d := range []struct {
		app, hwid, token, user string
		typ                    int
	}{
		{appCode, "ios-1", "tok-ios-1", "alice", 1},
		{appCode, "ios-2", "tok-ios-2", "bob", 1},
		{appCode, "and-1", "tok-and-1", "alice", 3},
		{appCode, "web-1", "", "carol", 11},
		{otherApp, "oth-1", "tok-oth-1", "dave", 3},
	} {
		body := req(`"application":"` + d.app + `","hwid":"` + d.hwid + `","push_token":"` + d.token + `","userId":"` + d.user + `","device_type":` + strconv.Itoa(d.typ))
		if _, e := f.call(t, "registerDevice", body); e.StatusCode != 200 {
			t.Fatalf("registerDevice %s: %d %q", d.hwid, e.StatusCode, e.StatusMessage)
		}
	}
}

func hwids(ts []lifecycle.Target) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.HWID+"/"+t.Platform)
	}
	return out
}

func createMessage(t *testing.T, f *fixture, fields, notification string) (envelope, []string) {
	t.Helper()
	_, e := f.call(t, "createMessage", req(`"auth":"TESTAUTHTOKEN",`+fields+`,"notifications":[`+notification+`]`))
	var r struct{ Messages []string }
	json.Unmarshal(e.Response, &r)
	return e, r.Messages
}

func TestCreateMessageTargets(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	app := `"application":"APPCODE-12345"`
	cases := []struct {
		name         string
		fields       string
		notification string
		want         map[string][]string // targets by application
		unknown      string
	}{
		{"every device of the app", app, `{"content":"all"}`,
			map[string][]string{appCode: {"and-1/Android", "ios-1/iOS", "ios-2/iOS", "web-1/Chrome"}}, ""},
		{"platforms", app, `{"content":"ios","platforms":[1]}`,
			map[string][]string{appCode: {"ios-1/iOS", "ios-2/iOS"}}, ""},
		{"devices by push token and hwid", app, `{"content":"d","devices":["tok-and-1","ios-2","nobody"]}`,
			map[string][]string{appCode: {"and-1/Android", "ios-2/iOS"}}, `{"APPCODE-12345":["nobody"]}`},
		{"devices and platforms", app, `{"content":"d","devices":["tok-and-1","ios-2"],"platforms":[3]}`,
			map[string][]string{appCode: {"and-1/Android"}}, ""},
		{"users", app, `{"content":"u","users":["alice"]}`,
			map[string][]string{appCode: {"and-1/Android", "ios-1/iOS"}}, ""},
		{"group", `"applications_group":"GROUP-CODE"`, `{"content":"g","platforms":[3]}`,
			map[string][]string{appCode: {"and-1/Android"}, otherApp: {"oth-1/Android"}}, ""},
		{"group with devices", `"applications_group":"GROUP-CODE"`, `{"content":"g","devices":["oth-1","ios-1","ghost"]}`,
			map[string][]string{appCode: {"ios-1/iOS"}, otherApp: {"oth-1/Android"}}, `{"APPCODE-12345":["ghost"]}`},
		{"an unknown device listed twice", app, `{"content":"d","devices":["x","ios-2","x"]}`,
			map[string][]string{appCode: {"ios-2/iOS"}}, `{"APPCODE-12345":["x"]}`},
		{"an unknown device listed twice in a group", `"applications_group":"GROUP-CODE"`, `{"content":"g","devices":["x","oth-1","x","y"]}`,
			map[string][]string{appCode: nil, otherApp: {"oth-1/Android"}}, `{"APPCODE-12345":["x","y"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := len(f.messages())
			e, codes := createMessage(t, f, tc.fields, tc.notification)
			if e.StatusCode != 200 || len(codes) != 1 || !messageCodeRE.MatchString(codes[0]) {
				t.Fatalf("createMessage: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
			}
			var r struct{ UnknownDevices json.RawMessage }
			json.Unmarshal(e.Response, &r)
			if string(r.UnknownDevices) != tc.unknown {
				t.Errorf("UnknownDevices %s, want %s", r.UnknownDevices, tc.unknown)
			}
			sent := f.messages()[before:]
			if len(sent) != len(tc.want) {
				t.Fatalf("passed on %d messages, want %d: %+v", len(sent), len(tc.want), sent)
			}
			for _, m := range sent {
				if m.Code != codes[0] {
					t.Errorf("passed on code %s, answered %s", m.Code, codes[0])
				}
				if got := hwids(m.Targets); !slices.Equal(got, tc.want[m.ApplicationCode]) {
					t.Errorf("%s targets %v, want %v", m.ApplicationCode, got, tc.want[m.ApplicationCode])
				}
			}
		})
	}
}

func TestCreateMessageContentAndCodes(t *testing.T) {
	f := newFixture(t, testAccounts())
	camp1, camp2 := createCampaign(t, f, "One"), createCampaign(t, f, "Two")
	e, codes := createMessage(t, f, `"application":"APPCODE-12345"`,
		`{"content":{"de":"Hallo","en":"Hello"},"campaign":"`+camp1+`"},{"content":{"fr":"Salut","de":"Hallo"},"campaign":"`+camp2+`"},{"content":"Plain \"quoted\""}`)
	if e.StatusCode != 200 || len(codes) != 3 {
		t.Fatalf("createMessage: %d %s", e.StatusCode, e.Response)
	}
	sent := f.messages()
	if sent[0].Content != "Hello" || sent[1].Content != "Hallo" || sent[2].Content != `Plain "quoted"` {
		t.Errorf("contents %q %q %q", sent[0].Content, sent[1].Content, sent[2].Content)
	}
	if sent[0].CampaignID == 0 || sent[0].CampaignID != campaignID(camp1) || sent[1].CampaignID != campaignID(camp2) || sent[2].CampaignID != 0 {
		t.Errorf("campaign ids %d %d", sent[0].CampaignID, sent[1].CampaignID)
	}
	if sent[0].ID != 1 || sent[2].ID != 3 {
		t.Errorf("message ids %d…%d, want 1…3", sent[0].ID, sent[2].ID)
	}
	// Codes derive from the seed: the same seed gives the same codes, another seed others.
	g := newFixture(t, testAccounts())
	createCampaign(t, g, "One")
	createCampaign(t, g, "Two")
	_, again := createMessage(t, g, `"application":"APPCODE-12345"`, `{"content":"a"},{"content":"b"},{"content":"c"}`)
	if !slices.Equal(codes, again) {
		t.Errorf("same seed, codes %v then %v", codes, again)
	}
	if messageCode(43, 1) == messageCode(42, 1) || messageCode(42, 1) == messageCode(42, 2) {
		t.Error("codes do not depend on seed and id")
	}
	seen := map[string]bool{}
	for id := uint64(1); id <= 10000; id++ {
		c := messageCode(7, id)
		if !messageCodeRE.MatchString(c) || seen[c] {
			t.Fatalf("code %d: %q malformed or repeated", id, c)
		}
		seen[c] = true
	}
}

func TestScheduledMessage(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	// Epoch is 2026-01-01 00:00 UTC; 10:00 in Berlin is 09:00 UTC.
	_, codes := createMessage(t, f, `"application":"APPCODE-12345"`, `{"content":"later","send_date":"2026-01-01 10:00","timezone":"Europe/Berlin","platforms":[1]}`)
	_, cancelled := createMessage(t, f, `"application":"APPCODE-12345"`, `{"content":"never","send_date":"2026-01-01 12:00"}`)
	if len(codes) != 1 || len(cancelled) != 1 {
		t.Fatal("scheduled createMessage gave no code")
	}
	if n := len(f.messages()); n != 0 {
		t.Fatalf("%d messages passed on before their send date", n)
	}
	details := func(code string) messageDetails {
		t.Helper()
		_, e := f.call(t, "getMessageDetails", req(`"auth":"TESTAUTHTOKEN","message":"`+code+`"`))
		var d struct{ Message messageDetails }
		if err := json.Unmarshal(e.Response, &d); err != nil {
			t.Fatalf("getMessageDetails: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
		}
		return d.Message
	}
	if d := details(codes[0]); d.Status != "scheduled" || d.SendDate != "2026-01-01 09:00:00" || string(d.Content) != `"later"` || !slices.Equal(d.Platforms, []int{1}) {
		t.Fatalf("details before sending: %+v", d)
	}
	if _, e := f.call(t, "cancelMessage", req(`"auth":"TESTAUTHTOKEN","message":"`+cancelled[0]+`"`)); e.StatusCode != 200 {
		t.Fatalf("cancelMessage: %d %q", e.StatusCode, e.StatusMessage)
	}
	// A device registered before the send date gets it too.
	f.call(t, "registerDevice", req(`"application":"APPCODE-12345","hwid":"ios-3","push_token":"t3","device_type":1`))
	f.clk.Advance(9*time.Hour - time.Second)
	if n := len(f.messages()); n != 0 {
		t.Fatalf("passed on a second early")
	}
	f.clk.Advance(time.Second)
	sent := f.messages()
	if len(sent) != 1 || sent[0].Code != codes[0] || !slices.Equal(hwids(sent[0].Targets), []string{"ios-1/iOS", "ios-2/iOS", "ios-3/iOS"}) {
		t.Fatalf("at the send date passed on %+v", sent)
	}
	if d := details(codes[0]); d.Status != "sent" || d.Targets != 3 {
		t.Fatalf("details after sending: %+v", d)
	}
	f.clk.Advance(4 * time.Hour)
	if n := len(f.messages()); n != 1 {
		t.Fatalf("the cancelled message was sent (%d messages)", n)
	}
	if d := details(cancelled[0]); d.Status != "cancelled" {
		t.Fatalf("cancelled message status %q", d.Status)
	}
	if _, e := f.call(t, "cancelMessage", req(`"auth":"TESTAUTHTOKEN","message":"`+codes[0]+`"`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgNotCancellable {
		t.Fatalf("cancelMessage of a sent message: %d %q", e.StatusCode, e.StatusMessage)
	}
	// A deleted scheduled message is not sent either.
	_, deleted := createMessage(t, f, `"application":"APPCODE-12345"`, `{"content":"gone","send_date":"2026-01-02 00:00"}`)
	if _, e := f.call(t, "deleteMessage", req(`"auth":"TESTAUTHTOKEN","message":"`+deleted[0]+`"`)); e.StatusCode != 200 {
		t.Fatalf("deleteMessage: %d %q", e.StatusCode, e.StatusMessage)
	}
	f.clk.Advance(24 * time.Hour)
	if n := len(f.messages()); n != 1 {
		t.Fatalf("the deleted message was sent (%d messages)", n)
	}
	if _, e := f.call(t, "getMessageDetails", req(`"auth":"TESTAUTHTOKEN","message":"`+deleted[0]+`"`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgMessageNotFound {
		t.Fatalf("details of a deleted message: %d %q", e.StatusCode, e.StatusMessage)
	}
	// Another account does not see the messages.
	if _, e := f.call(t, "getMessageDetails", req(`"auth":"SMALL-TOKEN","message":"`+codes[0]+`"`)); e.StatusMessage != catalog.MsgMessageNotFound {
		t.Fatalf("another account's message: %d %q", e.StatusCode, e.StatusMessage)
	}
}

func TestTargetedMessageAndCompileFilter(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"ios-1","tags":{"Language":"en","age":30}`))
	f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"and-1","tags":{"Language":"de","age":20}`))
	f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"ios-2","tags":{"age":40}`))
	cases := []struct {
		filter string
		want   []string
	}{
		{`A("APPCODE-12345")`, []string{"and-1/Android", "ios-1/iOS", "ios-2/iOS", "web-1/Chrome"}},
		{`A("APPCODE-12345", ["IOS"])`, []string{"ios-1/iOS", "ios-2/iOS"}},
		{`(A("APPCODE-12345") * T("Language", EQ, "EN"))`, []string{"ios-1/iOS"}},
		{`A("APPCODE-12345") * T("age", GTE, 25)`, []string{"ios-1/iOS", "ios-2/iOS"}},
		{`A("APPCODE-12345") * T("age", BETWEEN, [25, 35])`, []string{"ios-1/iOS"}},
		{`A("APPCODE-12345") \ T("age", ANY)`, []string{"web-1/Chrome"}},
		{`A("APPCODE-12345") * T("Language", IN, ["de", "fr"]) + A("APPCODE-12345", ["CHROME"])`, []string{"and-1/Android", "web-1/Chrome"}},
	}
	for _, tc := range cases {
		before := len(f.messages())
		_, e := f.call(t, "createTargetedMessage", req(`"auth":"TESTAUTHTOKEN","send_date":"now","content":"t","devices_filter":`+quoteJSON(tc.filter)))
		var r struct{ MessageCode string }
		if json.Unmarshal(e.Response, &r) != nil || !messageCodeRE.MatchString(r.MessageCode) {
			t.Fatalf("%s: %d %q %s", tc.filter, e.StatusCode, e.StatusMessage, e.Response)
		}
		sent := f.messages()[before:]
		if len(sent) != 1 || !slices.Equal(hwids(sent[0].Targets), tc.want) {
			t.Errorf("%s: targets %v, want %v", tc.filter, hwids(sent[0].Targets), tc.want)
		}
		_, e = f.call(t, "compileFilter", req(`"auth":"TESTAUTHTOKEN","devices_filter":`+quoteJSON(tc.filter)))
		var c struct {
			DevicesCount int `json:"devices_count"`
		}
		if json.Unmarshal(e.Response, &c) != nil || c.DevicesCount != len(tc.want) {
			t.Errorf("compileFilter %s: %s, want %d devices", tc.filter, e.Response, len(tc.want))
		}
	}
	for _, tc := range []struct{ filter, msg string }{
		{``, catalog.MsgNoAppOrGroup},
		{`T("age", EQ, 1)`, catalog.MsgNoAppOrGroup},
		{`A("00000-00000")`, catalog.MsgAppNotFound},
		{`A("APPCODE-12345"`, catalog.MsgBadFilter + `: want ")" at 17`},
		{`A("APPCODE-12345") * T("age", SOMETIMES, 1)`, catalog.MsgBadFilter + ": unknown operator SOMETIMES"},
	} {
		_, e := f.call(t, "createTargetedMessage", req(`"auth":"TESTAUTHTOKEN","content":"t","devices_filter":`+quoteJSON(tc.filter)))
		if e.StatusCode != 210 || e.StatusMessage != tc.msg {
			t.Errorf("filter %q: %d %q, want 210 %q", tc.filter, e.StatusCode, e.StatusMessage, tc.msg)
		}
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// A hostile devices_filter is refused like any bad filter: deep nesting would
// overflow the parser's stack, and many terms cost terms × devices to evaluate.
func TestDevicesFilterSizeLimits(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	term := `A("APPCODE-12345")`
	nested := func(n int) string { return strings.Repeat("(", n) + term + strings.Repeat(")", n) }
	chain := func(n int) string { return term + strings.Repeat("+"+term, n-1) }
	for _, tc := range []struct {
		name, filter, msg string
	}{
		{"10000 nested parentheses", nested(10000), catalog.MsgBadFilter + ": parentheses nested deeper than 100 at 100"},
		{"101 nested parentheses", nested(101), catalog.MsgBadFilter + ": parentheses nested deeper than 100 at 100"},
		{"5000 terms", chain(5000), catalog.MsgBadFilter + fmt.Sprintf(": more than 1000 terms at %d", 1000*(len(term)+1))},
		{"1001 terms", chain(1001), catalog.MsgBadFilter + fmt.Sprintf(": more than 1000 terms at %d", 1000*(len(term)+1))},
		{"100 nested parentheses", nested(100), ""},
		{"1000 terms", chain(1000), ""},
		{"depth counts open parentheses only", "(" + chain(500) + ")+" + nested(100), ""},
	} {
		for _, method := range []string{"compileFilter", "createTargetedMessage"} {
			_, e := f.call(t, method, req(`"auth":"TESTAUTHTOKEN","content":"t","devices_filter":`+quoteJSON(tc.filter)))
			switch {
			case tc.msg != "" && (e.StatusCode != 210 || e.StatusMessage != tc.msg):
				t.Errorf("%s %s: %d %q, want 210 %q", method, tc.name, e.StatusCode, e.StatusMessage, tc.msg)
			case tc.msg == "" && e.StatusCode != 200:
				t.Errorf("%s %s: %d %q, want 200", method, tc.name, e.StatusCode, e.StatusMessage)
			}
		}
	}
}

// A stored message holds copies of its content and data: the decoded request points
// into the body, which the message must not keep alive (or see changed).
func TestStoredMessageDoesNotAliasTheBody(t *testing.T) {
	for _, tc := range []struct{ method, fields string }{
		{"createMessage", `"application":"APPCODE-12345","notifications":[{"content":{"en":"hi"},"data":{"k":"v"}}]`},
		{"createTargetedMessage", `"devices_filter":"A(\"APPCODE-12345\")","content":{"en":"hi"},"data":{"k":"v"}`},
	} {
		f := newFixture(t, testAccounts())
		body := []byte(req(`"auth":"TESTAUTHTOKEN",` + tc.fields))
		in := &incoming{method: tc.method, path: PrefixV13 + tc.method, arrive: f.clk.Now(), body: body}
		if rep := f.srv.callV13(context.Background(), in); rep.code != 200 {
			t.Fatalf("%s: %d %q", tc.method, rep.code, rep.message)
		}
		for i := range body {
			body[i] = 'X'
		}
		ms := f.st.MessagesOf(appCode)
		if len(ms) != 1 || string(ms[0].ContentRaw) != `{"en":"hi"}` || string(ms[0].Data) != `{"k":"v"}` {
			t.Fatalf("%s: stored message changed with the body: %+v", tc.method, ms)
		}
	}
}
