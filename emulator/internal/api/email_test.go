package api

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// channelFixture has push devices, two email addresses (alice's and carol's), a
// phone number and an email preset.
func channelFixture(t *testing.T) (*fixture, string) {
	t.Helper()
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	for _, body := range []string{
		`"application":"APPCODE-12345","email":"alice@example.com","userId":"alice","language":"en"`,
		`"application":"APPCODE-12345","email":"carol@example.com","userId":"carol"`,
	} {
		if _, e := f.call(t, "registerEmail", req(body)); e.StatusCode != 200 {
			t.Fatalf("registerEmail: %d %q", e.StatusCode, e.StatusMessage)
		}
	}
	if _, e := f.call(t, "registerDevice", req(`"application":"APPCODE-12345","hwid":"+15555550100","push_token":"+15555550100","device_type":18,"userId":"alice"`)); e.StatusCode != 200 {
		t.Fatalf("registerDevice SMS: %d %q", e.StatusCode, e.StatusMessage)
	}
	e := admin(t, f, "createPreset", `"name":"Welcome","applicationCode":"APPCODE-12345","content":{"message":"<h1>Welcome</h1>"}`)
	if e.StatusCode != 200 {
		t.Fatalf("createPreset: %d %q", e.StatusCode, e.StatusMessage)
	}
	return f, field[string](t, e, "preset_code")
}

func TestCreateEmailMessage(t *testing.T) {
	f, preset := channelFixture(t)
	srv := `"auth":"TESTAUTHTOKEN","application":"APPCODE-12345",`
	for _, tc := range []struct {
		name, notification string
		want               []string
		payload            string
	}{
		{"every email address", `{"send_date":"now","preset":"` + preset + `","subject":"Hello","from":{"name":"Acme","email":"news@acme.example"}}`,
			[]string{"alice@example.com/Email", "carol@example.com/Email"}, "Hello"},
		{"users", `{"send_date":"now","preset":"` + preset + `","users":["carol"],"subject":[{"default":"Hi {firstname}"},{"en":"Hi"}]}`,
			[]string{"carol@example.com/Email"}, "Hi {firstname}"},
		{"devices win over users", `{"send_date":"now","preset":"` + preset + `","devices":["alice@example.com"],"users":["carol"]}`,
			[]string{"alice@example.com/Email"}, "<h1>Welcome</h1>"},
		{"conditions", `{"send_date":"now","preset":"` + preset + `","conditions":[["Language","EQ","en"]],"subject":{"en":"Bonjour"}}`,
			[]string{"alice@example.com/Email"}, "Bonjour"},
		{"auto registration", `{"send_date":"now","preset":"` + preset + `","devices":["new@example.com"],"use_auto_registration":true,"subject":"New"}`,
			[]string{"new@example.com/Email"}, "New"},
	} {
		n := len(f.messages())
		_, e := f.call(t, "createEmailMessage", req(srv+`"notifications":[`+tc.notification+`]`))
		if e.StatusCode != 200 || string(e.Response) != "null" {
			t.Fatalf("%s: %d %q %s, want 200 null", tc.name, e.StatusCode, e.StatusMessage, e.Response)
		}
		sent := f.messages()[n:]
		if len(sent) != 1 {
			t.Fatalf("%s: %d messages passed on, want 1", tc.name, len(sent))
		}
		got := hwids(sent[0].Targets)
		slices.Sort(got)
		if !slices.Equal(got, tc.want) || sent[0].Content != tc.payload {
			t.Errorf("%s: sent to %v with payload %q, want %v %q", tc.name, got, sent[0].Content, tc.want, tc.payload)
		}
	}
	// transactionId: the retried request sends nothing more.
	body := req(srv + `"notifications":[{"send_date":"now","preset":"` + preset + `","transactionId":"6e22a9af-84e4-46e6-af16-e457a4a6e7e5"}]`)
	n := len(f.messages())
	for range 2 {
		if _, e := f.call(t, "createEmailMessage", body); e.StatusCode != 200 {
			t.Fatalf("createEmailMessage with transactionId: %d %q", e.StatusCode, e.StatusMessage)
		}
	}
	if got := len(f.messages()) - n; got != 1 {
		t.Errorf("a transactionId sent %d times, want once", got)
	}
	for _, tc := range []struct {
		fields string
		code   int
		msg    string
	}{
		{srv + `"notifications":[{"send_date":"now","subject":"x"}]`, 210, catalog.MsgNoEmailPreset},
		{srv + `"notifications":[{"send_date":"now","preset":"NOPE0-00000"}]`, 210, catalog.MsgPresetNotFound},
		{srv + `"notifications":[{"send_date":"now","preset":"` + preset + `","from":"news@acme.example"}]`, 210, catalog.MsgBadFrom},
		{srv + `"notifications":[{"send_date":"tomorrow","preset":"` + preset + `"}]`, 210, catalog.MsgCannotParseDate},
		{srv + `"notifications":[{"send_date":"now","preset":"` + preset + `","filter":"nope"}]`, 210, catalog.MsgFilterNotFound + ": nope"},
		{srv + `"notifications":[]`, 210, catalog.MsgNoNotifications},
		{`"auth":"TESTAUTHTOKEN","notifications":[{"preset":"` + preset + `"}]`, 210, catalog.MsgTokenOrAppNotSet},
		{`"auth":"READ-ONLY","application":"APPCODE-12345","notifications":[{"preset":"` + preset + `"}]`, 403, catalog.MsgForbidden},
	} {
		if _, e := f.call(t, "createEmailMessage", req(tc.fields)); e.StatusCode != tc.code || e.StatusMessage != tc.msg {
			t.Errorf("createEmailMessage %s: %d %q, want %d %q", tc.fields, e.StatusCode, e.StatusMessage, tc.code, tc.msg)
		}
	}
}

func TestCreateSMSMessage(t *testing.T) {
	f, _ := channelFixture(t)
	srv := `"auth":"TESTAUTHTOKEN","application":"APPCODE-12345",`
	_, e := f.call(t, "createSMSMessage", req(srv+`"notifications":[{"send_date":"now","content":"Your code is 1234","devices":["+15555550100"]}]`))
	codes := field[[]string](t, e, "Messages")
	if e.StatusCode != 200 || len(codes) != 1 || !messageCodeRE.MatchString(codes[0]) {
		t.Fatalf("createSMSMessage: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
	}
	sent := f.messages()
	if last := sent[len(sent)-1]; last.Code != codes[0] || !slices.Equal(hwids(last.Targets), []string{"+15555550100/SMS"}) || last.Content != "Your code is 1234" {
		t.Errorf("SMS passed on as %+v", last)
	}
	// use_auto_registration registers an unknown number as an SMS device.
	f.call(t, "createSMSMessage", req(srv+`"notifications":[{"send_date":"now","content":"Hi","devices":["+15555550199"],"use_auto_registration":true}]`))
	if d, found := f.st.Device(appCode, "+15555550199"); !found || d.Type != catalog.DeviceSMS {
		t.Errorf("auto-registered number: %+v", d)
	}
	for _, tc := range []struct {
		fields    string
		code      int
		msg, resp string
	}{
		{srv + `"notifications":[{"send_date":"now","content":"x","devices":"+15555550100"}]`, 210, catalog.MsgSMSDevicesNoArray, `{"Messages":[]}`},
		{srv + `"notifications":[{"send_date":"now","content":"x"}]`, 210, catalog.MsgSMSDevicesNoArray, `{"Messages":[]}`},
		{srv + `"notifications":[{"send_date":"now","devices":["+15555550100"]}]`, 210, catalog.MsgNoSMSContent, `null`},
		{srv + `"notifications":[]`, 210, catalog.MsgNoNotifications, `null`},
	} {
		if _, e := f.call(t, "createSMSMessage", req(tc.fields)); e.StatusCode != tc.code || e.StatusMessage != tc.msg || string(e.Response) != tc.resp {
			t.Errorf("createSMSMessage %s: %d %q %s, want %d %q %s", tc.fields, e.StatusCode, e.StatusMessage, e.Response, tc.code, tc.msg, tc.resp)
		}
	}
	// The journal keeps the body as sent, not as mended for the decoder.
	entries := f.jr.Entries()
	if last := entries[len(entries)-4]; !strings.Contains(string(last.Request), `"devices":"+15555550100"`) {
		t.Errorf("journal kept %s", last.Request)
	}
}

func TestDeleteEmailAndBounces(t *testing.T) {
	f, preset := channelFixture(t)
	app := `"application":"APPCODE-12345",`
	for _, tc := range []struct {
		fields string
		code   int
		msg    string
	}{
		{`"email":"carol@example.com"`, 200, "OK"},
		{`"email":"carol@example.com"`, 210, catalog.MsgEmailNotFound},
		{`"email":"ios-1"`, 210, catalog.MsgEmailNotFound}, // a push device is no email subscription
		{`"userId":"carol"`, 210, catalog.MsgNoEmail},
	} {
		if _, e := f.call(t, "deleteEmail", req(app+tc.fields)); e.StatusCode != tc.code || e.StatusMessage != tc.msg {
			t.Errorf("deleteEmail %s: %d %q, want %d %q", tc.fields, e.StatusCode, e.StatusMessage, tc.code, tc.msg)
		}
	}
	if _, found := f.st.Device(appCode, "web-1"); !found {
		t.Error("deleteEmail took carol's push device too")
	}
	// Bounces: an Email Bounced event about a message of the application.
	srv := `"auth":"TESTAUTHTOKEN","application":"APPCODE-12345",`
	f.call(t, "createEmailMessage", req(srv+`"notifications":[{"send_date":"now","preset":"`+preset+`"}]`))
	sent := f.messages()
	code := sent[len(sent)-1].Code
	f.st.Observe([]catalog.Event{{EventName: "Email Bounced", MessageCode: code, Platform: "Email", ApplicationCode: appCode,
		HWID: "alice@example.com", UserID: "alice", Timestamp: f.clk.Now().Unix()}})
	_, e := f.call(t, "getBouncedEmails", req(srv+`"datefrom":"2026-01-01","dateto":"2026-01-02"`))
	id := field[string](t, e, "request_id")
	_, e = f.call(t, "getResults", req(`"auth":"TESTAUTHTOKEN","request_id":"`+id+`"`))
	want := `{"bounced":[{"email":"alice@example.com","message_code":"` + code + `","timestamp":` + itoa64(f.clk.Now().Unix()) + `}]}`
	if string(e.Response) != want {
		t.Errorf("getBouncedEmails result %s, want %s", e.Response, want)
	}
	if _, e := f.call(t, "getBouncedEmails", req(srv+`"datefrom":"yesterday"`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgCannotParseDate {
		t.Errorf("getBouncedEmails with a bad date: %d %q", e.StatusCode, e.StatusMessage)
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
