package api

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// registerAudience registers devices that differ by platform, tags, language, user
// and time zone, and saves two filters.
func registerAudience(t *testing.T, f *fixture) {
	t.Helper()
	for _, d := range []struct {
		hwid, user, lang, city string
		typ                    int
		tz                     int64
	}{
		{"ios-paris", "alice", "fr", "Paris", 1, 3600},
		{"ios-madrid", "bob", "es", "Madrid", 1, 3600},
		{"and-paris", "carol", "fr", "Paris", 3, 3600},
		{"and-tokyo", "alice", "ja", "Tokyo", 3, 9 * 3600},
		{"web-ny", "dave", "en", "New York", 11, -5 * 3600},
	} {
		body := req(`"application":"APPCODE-12345","hwid":"` + d.hwid + `","push_token":"tok-` + d.hwid +
			`","userId":"` + d.user + `","language":"` + d.lang + `","timezone":` + strconv.FormatInt(d.tz, 10) +
			`,"device_type":` + strconv.Itoa(d.typ) + `,"tags":{"City":"` + d.city + `","Age":` + strconv.Itoa(len(d.hwid)) + `}`)
		if _, e := f.call(t, "registerDevice", body); e.StatusCode != 200 {
			t.Fatalf("registerDevice %s: %d %q", d.hwid, e.StatusCode, e.StatusMessage)
		}
	}
	for _, fl := range []string{
		`"name":"madrid","filter_expression":"T(\"City\", EQ, \"Madrid\")"`,
		`"name":"french","conditions":[["Language","EQ","fr"]],"operator":"AND"`,
	} {
		if _, e := f.call(t, "createFilter", req(`"auth":"TESTAUTHTOKEN",`+fl)); e.StatusCode != 200 {
			t.Fatalf("createFilter %s: %d %q", fl, e.StatusCode, e.StatusMessage)
		}
	}
}

// sentTo lists the hwids the lifecycle heard of since message n, sorted.
func sentTo(f *fixture, n int) []string {
	var out []string
	for _, m := range f.messages()[n:] {
		for _, t := range m.Targets {
			out = append(out, t.HWID)
		}
	}
	slices.Sort(out)
	return out
}

func TestTargetingForms(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerAudience(t, f)
	all := []string{"and-paris", "and-tokyo", "ios-madrid", "ios-paris", "web-ny"}
	for _, tc := range []struct {
		name, notification string
		want               []string
	}{
		{"everyone", `{"content":"x"}`, all},
		{"platforms", `{"content":"x","platforms":[3]}`, []string{"and-paris", "and-tokyo"}},
		{"devices", `{"content":"x","devices":["ios-paris","tok-web-ny"]}`, []string{"ios-paris", "web-ny"}},
		{"devices win over filter", `{"content":"x","devices":["web-ny"],"filter":"madrid"}`, []string{"web-ny"}},
		{"users", `{"content":"x","users":["alice"]}`, []string{"and-tokyo", "ios-paris"}},
		{"users and platforms", `{"content":"x","users":["alice"],"platforms":[1]}`, []string{"ios-paris"}},
		{"named filter with filter_expression", `{"content":"x","filter":"madrid"}`, []string{"ios-madrid"}},
		{"named filter with conditions", `{"content":"x","filter":"french"}`, []string{"and-paris", "ios-paris"}},
		{"named filter and platforms", `{"content":"x","filter":"french","platforms":[1]}`, []string{"ios-paris"}},
		{"filter syntax", `{"content":"x","filter":"T(\"City\", IN, [\"Tokyo\", \"New York\"])"}`, []string{"and-tokyo", "web-ny"}},
		{"conditions", `{"content":"x","conditions":[["City","EQ","Paris"]]}`, []string{"and-paris", "ios-paris"}},
		{"conditions AND", `{"content":"x","conditions":[["City","EQ","Paris"],["Language","EQ","fr"]]}`, []string{"and-paris", "ios-paris"}},
		{"conditions OR", `{"content":"x","conditions":[["City","EQ","Madrid"],["Language","EQ","ja"]],"conditions_operator":"OR"}`, []string{"and-tokyo", "ios-madrid"}},
		{"conditions BETWEEN", `{"content":"x","conditions":[["Age","BETWEEN",[10,12]]]}`, []string{"ios-madrid"}},
		{"conditions NOTIN", `{"content":"x","conditions":[["City","NOTIN",["Paris","Tokyo"]]]}`, []string{"ios-madrid", "web-ny"}},
		{"users and conditions", `{"content":"x","users":["alice"],"conditions":[["City","EQ","Tokyo"]]}`, []string{"and-tokyo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(f.messages())
			e, codes := createMessage(t, f, `"application":"APPCODE-12345"`, tc.notification)
			if e.StatusCode != 200 || len(codes) != 1 {
				t.Fatalf("createMessage: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
			}
			if got := sentTo(f, n); !slices.Equal(got, tc.want) {
				t.Fatalf("went to %v, want %v", got, tc.want)
			}
		})
	}

	t.Run("createTargetedMessage", func(t *testing.T) {
		n := len(f.messages())
		_, e := f.call(t, "createTargetedMessage", req(`"auth":"TESTAUTHTOKEN","content":"x","devices_filter":"A(\"APPCODE-12345\", [\"Android\"]) * T(\"Language\", EQ, \"ja\")"`))
		if e.StatusCode != 200 || !slices.Equal(sentTo(f, n), []string{"and-tokyo"}) {
			t.Fatalf("createTargetedMessage: %d %q, went to %v", e.StatusCode, e.StatusMessage, sentTo(f, n))
		}
	})
}

func TestTargetingErrors(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerAudience(t, f)
	many := `"` + strings.Repeat(`d",  "`, 1000) + `d"`
	for _, tc := range []struct {
		name, notification, want string
	}{
		{"unknown filter", `{"content":"x","filter":"nobody"}`, catalog.MsgFilterNotFound + ": nobody"},
		{"bad filter syntax", `{"content":"x","filter":"T(\"City\", EQ"}`, catalog.MsgBadFilter + `: EQ needs an operand`},
		{"unknown operator", `{"content":"x","conditions":[["City","LIKE","P"]]}`, catalog.MsgBadConditions + `: conditions[0]: unknown operator "LIKE" (want EQ, IN, NOTEQ, NOTIN, LTE, GTE, BETWEEN, NOTSET or ANY)`},
		{"unknown tag", `{"content":"x","conditions":[["Planet","EQ","Mars"]]}`, catalog.MsgBadConditions + `: conditions[0]: unknown tag "Planet"`},
		{"IN takes a list", `{"content":"x","conditions":[["City","IN","Paris"]]}`, catalog.MsgBadConditions + `: conditions[0]: IN takes a list operand`},
		{"bad operator", `{"content":"x","conditions":[["City","EQ","Paris"]],"conditions_operator":"XOR"}`, catalog.MsgBadConditions + `: conditions_operator "XOR": want AND or OR`},
		{"filter and conditions", `{"content":"x","filter":"madrid","conditions":[["City","EQ","Paris"]]}`, catalog.MsgFilterAndCondition},
		{"1001 devices", `{"content":"x","devices":[` + many + `]}`, catalog.MsgTooManyDevices},
		{"1001 users", `{"content":"x","users":[` + many + `]}`, catalog.MsgTooManyUsers},
		{"send_rate 0", `{"content":"x","send_rate":0}`, catalog.MsgBadSendRate},
	} {
		n := len(f.messages())
		e, _ := createMessage(t, f, `"application":"APPCODE-12345"`, tc.notification)
		if e.StatusCode != 210 || e.StatusMessage != tc.want {
			t.Errorf("%s: %d %q, want 210 %q", tc.name, e.StatusCode, e.StatusMessage, tc.want)
		}
		if len(f.messages()) != n {
			t.Errorf("%s: a refused message was sent", tc.name)
		}
	}
}

func TestTransactionIDSendsOnce(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerAudience(t, f)
	n := `{"content":"x","transactionId":"6e22a9af","devices":["ios-paris"]}`
	_, first := createMessage(t, f, `"application":"APPCODE-12345"`, n)
	_, again := createMessage(t, f, `"application":"APPCODE-12345"`, n)
	if len(first) != 1 || !slices.Equal(first, again) || len(f.messages()) != 1 {
		t.Fatalf("first %v, again %v, %d messages sent; want the same code, sent once", first, again, len(f.messages()))
	}
	f.clk.Advance(25 * time.Hour) // a day later the id is forgotten
	_, later := createMessage(t, f, `"application":"APPCODE-12345"`, n)
	if len(later) != 1 || later[0] == first[0] || len(f.messages()) != 2 {
		t.Fatalf("a day later: %v, %d messages", later, len(f.messages()))
	}
}

func TestSendDateInTheUsersTimezoneAndSendRate(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerAudience(t, f)
	// clock.Epoch is 2026-01-01 00:00 UTC: 10:00 local comes first in Tokyo (01:00
	// UTC), then Paris and Madrid (09:00 UTC), then New York (15:00 UTC).
	e, _ := createMessage(t, f, `"application":"APPCODE-12345"`, `{"content":"x","send_date":"2026-01-01 10:00","ignore_user_timezone":false}`)
	if e.StatusCode != 200 {
		t.Fatalf("createMessage: %d %q", e.StatusCode, e.StatusMessage)
	}
	for _, step := range []struct {
		after time.Duration
		want  []string
	}{
		{59 * time.Minute, nil},
		{time.Minute, []string{"and-tokyo"}},
		{8 * time.Hour, []string{"and-paris", "and-tokyo", "ios-madrid", "ios-paris"}},
		{6 * time.Hour, []string{"and-paris", "and-tokyo", "ios-madrid", "ios-paris", "web-ny"}},
	} {
		f.clk.Advance(step.after)
		if got := sentTo(f, 0); !slices.Equal(got, step.want) {
			t.Fatalf("at %s: sent to %v, want %v", f.clk.Now().Format(time.TimeOnly), got, step.want)
		}
	}

	g := newFixture(t, testAccounts())
	registerAudience(t, g)
	createMessage(t, g, `"application":"APPCODE-12345"`, `{"content":"x","send_rate":2}`)
	for i, want := range []int{2, 4, 5} {
		if got := len(sentTo(g, 0)); got != want {
			t.Fatalf("after %ds at 2 a second: %d devices, want %d", i, got, want)
		}
		g.clk.Advance(time.Second)
	}
}

func TestMessagingV2Targeting(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerAudience(t, f)
	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"hwids as a list object", `{"transactional":{"application":"APPCODE-12345","hwids":{"list":["ios-paris","web-ny"]},"payload":{"content":"x"}}}`, []string{"ios-paris", "web-ny"}},
		{"users", `{"transactional":{"application":"APPCODE-12345","users":["alice"],"payload":{"content":"x"}}}`, []string{"and-tokyo", "ios-paris"}},
		{"push tokens", `{"transactional":{"application":"APPCODE-12345","push_tokens":["tok-and-paris"],"payload":{"content":"x"}}}`, []string{"and-paris"}},
		{"segment code", `{"segment":{"application":"APPCODE-12345","code":"madrid","payload":{"content":"x"}}}`, []string{"ios-madrid"}},
		{"segment expression", `{"segment":{"application":"APPCODE-12345","platforms":["ANDROID"],"expression":"T(\"Language\", EQ, \"fr\")","payload":{"content":"x"}}}`, []string{"and-paris"}},
	} {
		n := len(f.messages())
		status, body := f.callV2(t, "notify", tc.body, "Token TESTAUTHTOKEN")
		if got := sentTo(f, n); status != 200 || !slices.Equal(got, tc.want) {
			t.Errorf("%s: %d %s, went to %v, want %v", tc.name, status, body, got, tc.want)
		}
	}

	// the text is read from payload
	n := len(f.messages())
	f.callV2(t, "notify", `{"transactional":{"application":"APPCODE-12345","hwids":["web-ny"],"payload":{"content":{"localized_content":{"en":{"ios":{"body":"Hello!"}}}}}}}`, "Token TESTAUTHTOKEN")
	if m := f.messages()[n:]; len(m) != 1 || m[0].Content != "Hello!" {
		t.Fatalf("payload text: %+v", m)
	}

	// schedule.after waits on the clock
	n = len(f.messages())
	status, body := f.callV2(t, "notify", `{"transactional":{"application":"APPCODE-12345","hwids":["web-ny"],"payload":{"content":"later"},"schedule":{"after":"3600s"}}}`, "Token TESTAUTHTOKEN")
	if status != 200 || len(f.messages()) != n {
		t.Fatalf("notify after 1h: %d %s, sent at once", status, body)
	}
	f.clk.Advance(time.Hour)
	if len(f.messages()) != n+1 {
		t.Fatal("notify after 1h was not sent after an hour")
	}

	// another account's message: 403
	f.callV2(t, "notify", `{"transactional":{"application":"5A11-00001","payload":{"content":"x"},"schedule":{"after":"1h"}}}`, "Token SMALL-TOKEN")
	var r struct {
		Result struct {
			MessageCode string `json:"message_code"`
		} `json:"result"`
	}
	_, body = f.callV2(t, "notify", `{"transactional":{"application":"5A11-00001","payload":{"content":"x"},"schedule":{"after":"1h"}}}`, "Token SMALL-TOKEN")
	json.Unmarshal([]byte(body), &r)
	if status, body := f.callV2(t, "cancel", `{"message_code":"`+r.Result.MessageCode+`"}`, "Token TESTAUTHTOKEN"); status != 403 ||
		body != `{"code":7,"message":"`+catalog.MsgV2NotYours+`","details":[]}` {
		t.Fatalf("cancel of another account's message: %d %s", status, body)
	}

	for _, tc := range []struct{ name, body, want string }{
		{"unknown segment", `{"segment":{"application":"APPCODE-12345","code":"nope"}}`, `{"code":5,"message":"segment not found: nope","details":[]}`},
		{"code and expression", `{"segment":{"application":"APPCODE-12345","code":"madrid","expression":"A(\"X\")"}}`, `{"code":3,"message":"segment: code, expression and filter_expression are mutually exclusive","details":[]}`},
		{"bad after", `{"transactional":{"application":"APPCODE-12345","schedule":{"after":"soon"}}}`, `{"code":3,"message":"schedule.after: want a duration such as \"3600s\"","details":[]}`},
	} {
		if _, body := f.callV2(t, "notify", tc.body, "Token TESTAUTHTOKEN"); body != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, body, tc.want)
		}
	}
}
