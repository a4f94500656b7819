package api

import (
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// inboxAnswer is getInboxMessages' answer as the SDKs read it.
type inboxAnswer struct {
	Messages []struct {
		InboxID      string `json:"inbox_id"`
		Order        string `json:"order"`
		RT           string `json:"rt"`
		SendDate     string `json:"send_date"`
		Title        string `json:"title"`
		Text         string `json:"text"`
		Image        string `json:"image"`
		ActionType   int    `json:"action_type"`
		ActionParams string `json:"action_params"`
		Status       int    `json:"status"`
		Hash         string `json:"hash"`
	} `json:"messages"`
	Next     *string  `json:"next"`
	Deleted  []string `json:"deleted"`
	NewInbox *int     `json:"new_inbox"`
}

func (f *fixture) inbox(t *testing.T, fields string) inboxAnswer {
	t.Helper()
	_, e := f.call(t, "getInboxMessages", req(`"application":"APPCODE-12345",`+fields))
	var a inboxAnswer
	if e.StatusCode != 200 || json.Unmarshal(e.Response, &a) != nil || a.Messages == nil || a.Next == nil ||
		a.Deleted == nil || a.NewInbox == nil {
		t.Fatalf("getInboxMessages %s: %d %q %s", fields, e.StatusCode, e.StatusMessage, e.Response)
	}
	return a
}

// createInboxMessage sends a createMessage notification (fields) and answers its code.
func (f *fixture) createMessage(t *testing.T, notification string) string {
	t.Helper()
	_, e := f.call(t, "createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[`+notification+`]`))
	var r struct{ Messages []string }
	if e.StatusCode != 200 || json.Unmarshal(e.Response, &r) != nil || len(r.Messages) != 1 {
		t.Fatalf("createMessage %s: %d %q %s", notification, e.StatusCode, e.StatusMessage, e.Response)
	}
	return r.Messages[0]
}

// The Message Inbox with the documented and SDK requests: what createMessage's inbox
// options keep, getInboxMessages' fields and pages, inboxStatus and its events,
// expiry on the emulator clock, deleteMessage, and each refusal.
func TestInbox(t *testing.T) {
	f := newFixture(t, testAccounts())
	var events []catalog.Event
	f.srv.onEvents = func(evs []catalog.Event) { events = append(events, evs...) }
	app := `"application":"APPCODE-12345"`
	for _, d := range []string{
		`"hwid":"and-1","device_type":3,"push_token":"tok-a","userId":"alice"`,
		`"hwid":"web-1","device_type":11,"push_token":"tok-w"`,
	} {
		if _, e := f.call(t, "registerDevice", req(app+","+d)); e.StatusCode != 200 {
			t.Fatalf("registerDevice: %+v", e)
		}
	}
	start := f.clk.Now()
	week := f.createMessage(t, `{"content":"Sale starts","inbox_days":7,"inbox_image":"https://example.com/i.png","android_header":"Sale","chrome_title":"Web sale","link":"https://example.com/sale"}`)
	f.clk.Advance(time.Minute)
	dated := f.createMessage(t, `{"content":"Rich","inbox_date":"`+start.AddDate(0, 0, 20).Format(time.DateOnly)+`","rich_media":"AAAAA-BBBBB","platforms":[3]}`)
	plain := f.createMessage(t, `{"content":"Not for the inbox"}`)

	// The documented request, by user id: newest first, every field.
	a := f.inbox(t, `"userId":"alice","hwid":"and-1","last_code":"","count":20`)
	if len(a.Messages) != 2 || *a.Next != "" || len(a.Deleted) != 0 || *a.NewInbox != 2 {
		t.Fatalf("alice's inbox: %+v", a)
	}
	m := a.Messages[1]
	var params map[string]string
	json.Unmarshal([]byte(m.ActionParams), &params)
	if m.InboxID != week || m.Title != "Sale" || m.Text != "Sale starts" || m.Image != "https://example.com/i.png" ||
		m.ActionType != catalog.InboxActionURL || params["l"] != "https://example.com/sale" || params["h"] != m.Hash ||
		m.Status != catalog.InboxDelivered || m.Hash != pushHash(42, 1, "and-1") ||
		m.SendDate != strconv.FormatInt(start.Unix(), 10) || m.RT != strconv.FormatInt(start.AddDate(0, 0, 7).Unix(), 10) {
		t.Errorf("inbox_days message: %+v", m)
	}
	if r := a.Messages[0]; r.InboxID != dated || r.ActionType != catalog.InboxActionRichMedia || r.Title != "" ||
		r.RT != strconv.FormatInt(time.Date(start.Year(), start.Month(), start.Day()+21, 0, 0, 0, 0, time.UTC).Unix(), 10) {
		t.Errorf("inbox_date message: %+v", r)
	}
	for _, x := range a.Messages {
		if x.InboxID == plain {
			t.Errorf("a message without inbox options is in the inbox")
		}
	}
	// The web SDK's request: the hwid as userId, last_request_time.
	w := f.inbox(t, `"userId":"web-1","hwid":"web-1","device_type":11,"last_code":"","last_request_time":0`)
	if len(w.Messages) != 1 || w.Messages[0].Title != "Web sale" || w.Messages[0].InboxID != week {
		t.Errorf("web-1's inbox (the Android-only message left out): %+v", w)
	}
	if since := f.inbox(t, `"userId":"alice","last_request_time":`+strconv.FormatInt(start.Unix()+30, 10)); *since.NewInbox != 1 {
		t.Errorf("new_inbox since the first message: %d, want 1", *since.NewInbox)
	}
	// Pages: count, then next as last_code.
	p1 := f.inbox(t, `"userId":"alice","count":1`)
	if len(p1.Messages) != 1 || p1.Messages[0].InboxID != dated || *p1.Next != p1.Messages[0].Order {
		t.Fatalf("first page: %+v", p1)
	}
	p2 := f.inbox(t, `"userId":"alice","count":1,"last_code":"`+*p1.Next+`"`)
	if len(p2.Messages) != 1 || p2.Messages[0].InboxID != week || *p2.Next != "" {
		t.Fatalf("second page: %+v", p2)
	}

	// inboxStatus as the Android SDK sends it: the order as inbox_code, the hash.
	status := func(code string, st int) envelope {
		_, e := f.call(t, "inboxStatus", req(app+`,"userId":"alice","hwid":"and-1","inbox_code":"`+code+`","status":`+strconv.Itoa(st)+`,"hash":"`+m.Hash+`","device_type":3,"time":1`))
		return e
	}
	for _, st := range []int{catalog.InboxRead, catalog.InboxRead, catalog.InboxOpened, catalog.InboxDelivered} {
		if e := status(m.Order, st); e.StatusCode != 200 {
			t.Fatalf("inboxStatus %d: %+v", st, e)
		}
	}
	if len(events) != 2 || events[0].EventName != catalog.EventInboxRead || events[1].EventName != catalog.EventInboxOpened {
		t.Fatalf("events %+v, want Inbox Read then Inbox Opened once each", events)
	}
	if e := events[0]; e.MessageCode != week || e.MessageID != 1 || e.HWID != "and-1" || e.UserID != "alice" ||
		e.Platform != "Android" || e.ApplicationCode != appCode || e.Payload != "Sale starts" || e.Timestamp != f.clk.Now().Unix() {
		t.Errorf("Inbox Read does not carry the message: %+v", e)
	}
	if got := f.inbox(t, `"userId":"alice"`); got.Messages[1].Status != catalog.InboxOpened || *got.NewInbox != 1 {
		t.Errorf("after opening: status %d, new_inbox %d; want 3 (never back to 1) and 1", got.Messages[1].Status, *got.NewInbox)
	}

	for _, tc := range []struct{ method, fields, msg string }{
		{"inboxStatus", app + `,"userId":"alice","status":2`, catalog.MsgNoInboxCode},
		{"inboxStatus", app + `,"userId":"alice","inbox_code":"1","status":5`, catalog.MsgBadInboxStatus},
		{"inboxStatus", app + `,"userId":"alice","inbox_code":"999","status":2`, catalog.MsgInboxNotFound},
		{"inboxStatus", app + `,"inbox_code":"1","status":2`, catalog.MsgNoInboxUser},
		{"getInboxMessages", app + `,"count":5`, catalog.MsgNoInboxUser},
		{"createMessage", `"auth":"TESTAUTHTOKEN",` + app + `,"notifications":[{"content":"x","inbox_days":31}]`, catalog.MsgBadInboxDays},
		{"createMessage", `"auth":"TESTAUTHTOKEN",` + app + `,"notifications":[{"content":"x","inbox_days":0}]`, catalog.MsgBadInboxDays},
		{"createMessage", `"auth":"TESTAUTHTOKEN",` + app + `,"notifications":[{"content":"x","inbox_date":"2001-01-01"}]`, catalog.MsgBadInboxDate},
		{"createMessage", `"auth":"TESTAUTHTOKEN",` + app + `,"notifications":[{"content":"x","inbox_date":"next week"}]`, catalog.MsgBadInboxDate},
		{"createMessage", `"auth":"TESTAUTHTOKEN",` + app + `,"notifications":[{"content":"x","inbox_date":"2099-01-01","inbox_days":3}]`, catalog.MsgInboxDateAndDays},
	} {
		if _, e := f.call(t, tc.method, req(tc.fields)); e.StatusCode != 210 || e.StatusMessage != tc.msg {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.fields, e.StatusCode, e.StatusMessage, tc.msg)
		}
	}
	code, body := f.callV2(t, "notify", `{"transactional":{"application":"APPCODE-12345","hwids":["and-1"],"payload":{"content":"v2","inbox_days":99}}}`, "Token TESTAUTHTOKEN")
	if code != http.StatusBadRequest || !strings.Contains(body, catalog.MsgBadInboxDays) {
		t.Errorf("v2 notify with inbox_days 99: %d %s", code, body)
	}
	code, body = f.callV2(t, "notify", `{"transactional":{"application":"APPCODE-12345","hwids":["and-1"],"payload":{"content":"From v2","inbox_days":1}}}`, "Token TESTAUTHTOKEN")
	if code != http.StatusOK {
		t.Fatalf("v2 notify with inbox_days: %d %s", code, body)
	}
	if got := f.inbox(t, `"userId":"alice"`); len(got.Messages) != 3 || got.Messages[0].Text != "From v2" {
		t.Errorf("the v2 message is not in the inbox: %+v", got)
	}

	// Expiry on the emulator clock: the v2 message after a day, the week's after seven.
	f.clk.Advance(24 * time.Hour)
	if got := f.inbox(t, `"userId":"alice"`); len(got.Messages) != 2 {
		t.Errorf("after a day: %d messages, want the v2 one gone", len(got.Messages))
	}
	f.clk.Advance(6 * 24 * time.Hour)
	if got := f.inbox(t, `"userId":"alice"`); len(got.Messages) != 1 || got.Messages[0].InboxID != dated {
		t.Errorf("after a week: %+v, want only the inbox_date message", got)
	}
	// Deleted from the Control Panel: listed under deleted only.
	if _, e := f.call(t, "deleteMessage", req(`"auth":"TESTAUTHTOKEN","message":"`+dated+`"`)); e.StatusCode != 200 {
		t.Fatalf("deleteMessage: %+v", e)
	}
	if got := f.inbox(t, `"userId":"alice"`); len(got.Messages) != 0 || len(got.Deleted) != 1 || got.Deleted[0] != dated {
		t.Errorf("after deleteMessage: %+v", got)
	}
}

// getConfig answers the features the web SDK asks for, from the application.
func TestGetConfig(t *testing.T) {
	f := newFixture(t, testAccounts())
	f.call(t, "createEvent", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","name":"PW_SiteOpened"`))
	sdk := `"application":"APPCODE-12345","hwid":"web-1","userId":"web-1","device_type":11,"features":["page_visit","vapid_key","web_in_apps","events","subscription_prompt","popup_forms"]`
	config := func(fields string) map[string]json.RawMessage {
		t.Helper()
		_, e := f.call(t, "getConfig", req(fields))
		var c struct{ Features map[string]json.RawMessage }
		if e.StatusCode != 200 || json.Unmarshal(e.Response, &c) != nil {
			t.Fatalf("getConfig: %+v", e)
		}
		return c.Features
	}
	c := config(sdk)
	var key string
	json.Unmarshal(c["vapid_key"], &key)
	raw, err := base64.RawURLEncoding.DecodeString(key)
	if err != nil {
		t.Fatalf("vapid_key %q: %v", key, err)
	}
	if _, err := ecdh.P256().NewPublicKey(raw); err != nil {
		t.Errorf("vapid_key %q is not a P-256 public key: %v", key, err)
	}
	for name, want := range map[string]string{
		"page_visit":          `{"enabled":false,"entrypoint":"http://example.com/json/1.3/pageVisit"}`,
		"web_in_apps":         `{"enabled":false}`,
		"events":              `["PW_SiteOpened"]`,
		"subscription_prompt": `{"useCase":"not-set","use_case":"not-set"}`,
	} {
		if string(c[name]) != want {
			t.Errorf("%s: %s, want %s", name, c[name], want)
		}
	}
	if _, found := c["popup_forms"]; found {
		t.Errorf("a feature pwemu does not have was answered: %s", c["popup_forms"])
	}
	if only := config(`"application":"APPCODE-12345","hwid":"web-1","features":["vapid_key"]`); len(only) != 1 || string(only["vapid_key"]) != string(c["vapid_key"]) {
		t.Errorf("asked for vapid_key only: %v", only)
	}
	// The Chrome platform's configuration wins over the defaults.
	if _, e := f.call(t, "configureApplication", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","device_type":11,"vapid_key":"BExample","page_visit":true,"web_in_apps":"true","subscription_prompt":"default"`)); e.StatusCode != 200 {
		t.Fatalf("configureApplication: %+v", e)
	}
	c = config(sdk)
	for name, want := range map[string]string{
		"vapid_key":           `"BExample"`,
		"page_visit":          `{"enabled":true,"entrypoint":"http://example.com/json/1.3/pageVisit"}`,
		"web_in_apps":         `{"enabled":true}`,
		"subscription_prompt": `{"useCase":"default","use_case":"default"}`,
	} {
		if string(c[name]) != want {
			t.Errorf("configured %s: %s, want %s", name, c[name], want)
		}
	}
}

// setPurchase with the web and iOS SDKs' fields is kept on the device and counted as
// the PW_InAppPurchase event.
func TestSetPurchase(t *testing.T) {
	f := newFixture(t, testAccounts())
	app := `"application":"APPCODE-12345","hwid":"ios-1","userId":"u1","device_type":1`
	for _, tc := range []struct {
		fields, msg string
	}{
		{`,"productIdentifier":"com.example.gold","quantity":2,"price":4.99,"currency":"EUR","transactionDate":"2026-01-01T00:00:00Z"`, catalog.MsgOK},
		{`,"productIdentifier":"com.example.coins","price":"0.99","currency":"USD"`, catalog.MsgOK},
		{`,"quantity":1,"price":1`, catalog.MsgBadPurchase},
		{`,"productIdentifier":"x","quantity":0`, catalog.MsgBadPurchaseNumbers},
		{`,"productIdentifier":"x","price":"free"`, catalog.MsgBadPurchaseNumbers},
	} {
		if _, e := f.call(t, "setPurchase", req(app+tc.fields)); e.StatusMessage != tc.msg {
			t.Errorf("setPurchase %s: %d %q, want %q", tc.fields, e.StatusCode, e.StatusMessage, tc.msg)
		}
	}
	if _, e := f.call(t, "setPurchase", req(`"application":"APPCODE-12345","productIdentifier":"x"`)); e.StatusMessage != catalog.MsgNoHWID {
		t.Errorf("setPurchase without hwid: %q", e.StatusMessage)
	}
	d, _ := f.st.Device(appCode, "ios-1")
	if len(d.Purchases) != 2 || d.Purchases[0].ProductIdentifier != "com.example.gold" || d.Purchases[0].Quantity != 2 ||
		d.Purchases[0].Price != 4.99 || d.Purchases[0].Currency != "EUR" || d.Purchases[1].Quantity != 1 || d.Purchases[1].Price != 0.99 {
		t.Errorf("purchases: %+v", d.Purchases)
	}
	if got := f.st.Counters(appCode)["event:"+catalog.EventInAppPurchase]; got != 2 {
		t.Errorf("%s counted %d times, want 2", catalog.EventInAppPurchase, got)
	}
}
