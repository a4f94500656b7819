package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

const channelsScenario = `
name: email, SMS and live activities
seed: 9
clock: {mode: manual}
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - name: no-live
    endpoint: ${RECEIVER_URL}
    events: [Push Sent, Email Sent, Email Delivered, SMS Sent]
    platforms: [iOS, Email, SMS]
    batch: {size: 100, interval: 1h}
  - name: live
    endpoint: ${LIVE_URL}
    events: [Push Sent]
    platforms: [iOS]
    filters: {live_activity: true}
    batch: {size: 100, interval: 1h}
webhooks:
  - endpoint: ${WEBHOOK_URL}
lifecycle: {delivered: 1, opened: 0, delay: 10s}
`

// post calls a v1.3 method and answers the response object.
func post(t *testing.T, emu *testkit.Emulator, method, request string) map[string]any {
	t.Helper()
	resp, err := http.Post(emu.URL()+"/json/1.3/"+method, "application/json", strings.NewReader(`{"request":{`+request+`}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var env struct {
		StatusCode int            `json:"status_code"`
		Response   map[string]any `json:"response"`
	}
	if json.Unmarshal(data, &env) != nil || env.StatusCode != 200 {
		t.Fatalf("%s: %s", method, data)
	}
	return env.Response
}

// Email, SMS and live-activity messages sent through the API reach the receivers
// as their events: email events to the streams and the email-status webhook with
// the subject as payload, live-activity events only to the stream that opted in,
// with their live_activity_id.
func TestChannelsReachTheReceivers(t *testing.T) {
	stream, live, hook := receiver.StartHTTP(t), receiver.StartHTTP(t), receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.Env("RECEIVER_URL", stream.URL()), testkit.Env("LIVE_URL", live.URL()),
		testkit.Env("WEBHOOK_URL", hook.URL()), testkit.ScenarioYAML(channelsScenario))
	app := `"application":"32E5A-9B411"`
	post(t, emu, "registerEmail", app+`,"email":"ann@example.com","userId":"ann"`)
	post(t, emu, "registerDevice", app+`,"hwid":"+15555550100","push_token":"+15555550100","device_type":18,"userId":"ann"`)
	post(t, emu, "registerDevice", app+`,"hwid":"iphone","push_token":"tok-iphone","device_type":1,"userId":"ann"`)
	preset := post(t, emu, "createPreset", `"auth":"srv","name":"Welcome","applicationCode":"32E5A-9B411","content":{"message":"<p>Hi</p>"}`)["preset_code"].(string)
	srv := `"auth":"srv",` + app
	post(t, emu, "createEmailMessage", srv+`,"notifications":[{"send_date":"now","preset":"`+preset+`","subject":"Welcome aboard"}]`)
	post(t, emu, "createSMSMessage", srv+`,"notifications":[{"send_date":"now","content":"Code 1234","devices":["+15555550100"]}]`)
	start := post(t, emu, "startLiveActivity", srv+`,"notifications":[{"content":"Order","live_activity":{"content-state":{"status":"cooking"},"attributes-type":"OrderAttributes","attributes":{"id":"42"}},"live_activity_id":"order-42"}]`)
	if msgs, _ := start["Messages"].([]any); len(msgs) != 1 {
		t.Fatalf("startLiveActivity answered %v", start)
	}
	post(t, emu, "updateLiveActivity", srv+`,"notifications":[{"live_activity":{"event":"end","content-state":{"status":"delivered"}},"live_activity_id":"order-42"}]`)
	emu.Advance(time.Hour + 20*time.Second)

	var got []string
	for _, e := range stream.Events() {
		got = append(got, e.EventName+"/"+e.HWID+"/"+e.Payload+"/"+e.LiveActivityID)
	}
	slices.Sort(got)
	want := []string{"Email Delivered/ann@example.com/Welcome aboard/", "Email Sent/ann@example.com/Welcome aboard/", "SMS Sent/+15555550100/Code 1234/"}
	if !slices.Equal(got, want) {
		t.Errorf("stream without live activities got %v, want %v", got, want)
	}
	got = nil
	for _, e := range live.Events() {
		got = append(got, e.EventName+"/"+e.HWID+"/"+e.Payload+"/"+e.LiveActivityID)
	}
	if want := []string{"Push Sent/iphone//order-42", "Push Sent/iphone//order-42"}; !slices.Equal(got, want) {
		t.Errorf("live-activity stream got %v, want %v (start and end)", got, want)
	}
	got = nil
	for _, e := range hook.Events() {
		got = append(got, e.EventName+"/"+e.Payload)
	}
	slices.Sort(got)
	if want := []string{"Email Delivered/Welcome aboard", "Email Sent/Welcome aboard"}; !slices.Equal(got, want) {
		t.Errorf("webhook got %v, want %v", got, want)
	}
	if tot := emu.Totals(); !tot.Balanced() || tot.Pending != 0 {
		t.Errorf("ledger %+v", tot)
	}
}
