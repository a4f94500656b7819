package emulator_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

const reportsScenario = `
name: device reports
seed: 5
clock: {mode: manual}
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent, Push Delivered, Push Opened]
    platforms: [iOS, Android]
    batch: {size: 100, interval: 1h}
lifecycle: {delivered: 1, opened: 0, delay: 10s}
`

// pushesOf reads GET /_pwemu/pushes?hwid=H.
func pushesOf(t *testing.T, emu *testkit.Emulator, hwid string) []map[string]any {
	t.Helper()
	resp, err := http.Get(emu.URL() + "/_pwemu/pushes?hwid=" + hwid)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out []map[string]any
	if resp.StatusCode != 200 || json.Unmarshal(data, &out) != nil {
		t.Fatalf("pushes of %s: %d %s", hwid, resp.StatusCode, data)
	}
	return out
}

// A device's own pushStat and messageDeliveryEvent reach the receiver as Push Opened
// and Push Delivered with the message's fields; the lifecycle does not play those
// stages again for it, and still plays them for devices nobody drives. Targeting
// picks exactly the devices whose tags match.
func TestDeviceReportsReachTheReceiver(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.Env("RECEIVER_URL", rec.URL()), testkit.ScenarioYAML(reportsScenario))
	for i, d := range []struct{ hwid, city string }{{"driven", "Paris"}, {"idle", "Paris"}, {"elsewhere", "Rome"}} {
		body := fmt.Sprintf(`{"request":{"application":"32E5A-9B411","hwid":%q,"device_type":%d,"push_token":"tok-%d","userId":"u-%s","tags":{"City":%q}}}`,
			d.hwid, 1+2*(i%2), i, d.hwid, d.city)
		if got := call(t, emu, "registerDevice", body); got != http.StatusOK {
			t.Fatalf("registerDevice: HTTP %d", got)
		}
	}
	var campaign struct {
		Response struct{ Campaign string }
	}
	resp, err := http.Post(emu.URL()+"/json/1.3/createCampaign", "application/json",
		strings.NewReader(`{"request":{"auth":"srv","application":"32E5A-9B411","name":"Spring"}}`))
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&campaign)
	resp.Body.Close()
	if campaign.Response.Campaign == "" {
		t.Fatal("createCampaign gave no code")
	}
	if got := call(t, emu, "createMessage", `{"request":{"application":"32E5A-9B411","auth":"srv","notifications":[{"content":"hi","campaign":"`+
		campaign.Response.Campaign+`","conditions":[["City","EQ","Paris"]]}]}}`); got != http.StatusOK {
		t.Fatalf("createMessage: HTTP %d", got)
	}
	pushes := pushesOf(t, emu, "driven")
	if len(pushes) != 1 || pushes[0]["hash"] == "" || pushes[0]["platform"] != "iOS" || pushes[0]["payload"] != "hi" {
		t.Fatalf("pushes of the driven device: %v", pushes)
	}
	if got := pushesOf(t, emu, "elsewhere"); len(got) != 0 {
		t.Fatalf("a device outside the conditions got %v", got)
	}
	hash := pushes[0]["hash"].(string)
	sdk := `{"request":{"application":"32E5A-9B411","hwid":"driven","hash":"` + hash + `"}}`
	for _, m := range []string{"messageDeliveryEvent", "pushStat", "pushStat"} { // a repeated report counts once
		if got := call(t, emu, m, sdk); got != http.StatusOK {
			t.Fatalf("%s: HTTP %d", m, got)
		}
	}
	emu.Advance(time.Hour + 20*time.Second) // the lifecycle's stages, then the hourly batch

	byName := map[string][]string{}
	var opened catalog.Event
	for _, e := range rec.Events() {
		byName[e.EventName] = append(byName[e.EventName], e.HWID)
		if e.EventName == "Push Opened" {
			opened = e
		}
	}
	for name, want := range map[string][]string{
		"Push Sent": {"driven", "idle"}, "Push Delivered": {"driven", "idle"}, "Push Opened": {"driven"},
	} {
		got := byName[name]
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s went to %v, want %v", name, got, want)
		}
	}
	if opened.MessageCode != pushes[0]["message_code"] || opened.CampaignID == 0 || opened.UserID != "u-driven" ||
		opened.Platform != "iOS" || opened.ApplicationCode != "32E5A-9B411" || opened.Payload != "hi" || opened.Timestamp == 0 {
		t.Errorf("Push Opened does not carry the message: %+v", opened)
	}
	if got := emu.Totals(); got.Generated != 5 || got.Delivered != 5 || !got.Balanced() {
		t.Fatalf("ledger %+v, want 5 generated and delivered", got)
	}
}

const inboxScenario = `
name: inbox reports
seed: 9
clock: {mode: manual}
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent, Inbox Read, Inbox Opened]
    platforms: [Android]
    batch: {size: 100, interval: 1h}
lifecycle: {delivered: 0, opened: 0}
`

// A message sent with inbox options is in the device's inbox; the SDK's inboxStatus
// read reaches the receiver as Inbox Read with the message's fields, once, and the
// ledger balances.
func TestInboxReadReachesTheReceiver(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.Env("RECEIVER_URL", rec.URL()), testkit.ScenarioYAML(inboxScenario))
	post := func(method, body string) json.RawMessage {
		t.Helper()
		resp, err := http.Post(emu.URL()+"/json/1.3/"+method, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var e struct {
			StatusCode int             `json:"status_code"`
			Response   json.RawMessage `json:"response"`
		}
		if json.NewDecoder(resp.Body).Decode(&e) != nil || e.StatusCode != 200 {
			t.Fatalf("%s %s: HTTP %d, status %d", method, body, resp.StatusCode, e.StatusCode)
		}
		return e.Response
	}
	post("registerDevice", `{"request":{"application":"32E5A-9B411","hwid":"phone","device_type":3,"push_token":"tok","userId":"ann"}}`)
	var created struct{ Messages []string }
	json.Unmarshal(post("createMessage", `{"request":{"application":"32E5A-9B411","auth":"srv","notifications":[{"content":"In your inbox","inbox_days":3,"android_header":"News"}]}}`), &created)
	if len(created.Messages) != 1 {
		t.Fatalf("createMessage: %v", created)
	}
	var inbox struct {
		Messages []struct {
			InboxID                  string `json:"inbox_id"`
			Order, Title, Text, Hash string
			Status                   int
		}
		NewInbox int `json:"new_inbox"`
	}
	json.Unmarshal(post("getInboxMessages", `{"request":{"application":"32E5A-9B411","userId":"ann","hwid":"phone","last_code":"","count":20}}`), &inbox)
	if len(inbox.Messages) != 1 || inbox.NewInbox != 1 {
		t.Fatalf("inbox: %+v", inbox)
	}
	m := inbox.Messages[0]
	if m.InboxID != created.Messages[0] || m.Title != "News" || m.Text != "In your inbox" || m.Status != catalog.InboxDelivered {
		t.Fatalf("inbox message: %+v", m)
	}
	status := `{"request":{"application":"32E5A-9B411","userId":"ann","hwid":"phone","inbox_code":"` + m.Order +
		`","status":2,"hash":"` + m.Hash + `","device_type":3}}`
	post("inboxStatus", status)
	post("inboxStatus", status) // read twice, one event
	emu.Advance(time.Hour)

	var read []catalog.Event
	sent := 0
	for _, e := range rec.Events() {
		switch e.EventName {
		case catalog.EventInboxRead:
			read = append(read, e)
		case catalog.EventPushSent:
			sent++
		}
	}
	if sent != 1 || len(read) != 1 {
		t.Fatalf("%d Push Sent and %d Inbox Read at the receiver, want 1 and 1: %+v", sent, len(read), rec.Events())
	}
	if e := read[0]; e.MessageCode != m.InboxID || e.MessageID == 0 || e.HWID != "phone" || e.UserID != "ann" ||
		e.Platform != "Android" || e.ApplicationCode != "32E5A-9B411" || e.Payload != "In your inbox" || e.Timestamp == 0 {
		t.Errorf("Inbox Read does not carry the message: %+v", e)
	}
	if got := emu.Totals(); got.Generated != 2 || got.Delivered != 2 || !got.Balanced() {
		t.Fatalf("ledger %+v, want 2 generated and delivered", got)
	}
}
