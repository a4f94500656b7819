package stream_test

import (
	"slices"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/stream"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit/receiver"
)

func webhookFixture(t *testing.T, w scenarios.Webhook, ropts ...receiver.HTTPOption) *fixture {
	t.Helper()
	rcv := receiver.StartHTTP(t, ropts...)
	w.Endpoint = rcv.URL() + "/email"
	return newFixtureWith(t, rcv, stream.Options{Webhooks: planWebhooks(t, w)})
}

func TestWebhookPostsOneSpecBodyPerEmailEvent(t *testing.T) {
	f := webhookFixture(t, scenarios.Webhook{Authorization: "Bearer hook"})
	f.hub.Publish([]catalog.Event{
		{UUID: "u1", EventName: "Email Sent", MessageID: 2000003258, MessageCode: "B780-XXXXXX3C-XXXX0375",
			CampaignID: 960000, Platform: "Email", Payload: "Summer sale <50%>", ApplicationCode: "3XXXX-XXXX1",
			HWID: "example@gmail.com", UserID: "1500008", Timestamp: 1723799271,
			JourneyTitle: "Summer sale", JourneyPointTitle: "5_summer sale_promoemail"},
		{UUID: "u2", EventName: "Email Opened", MessageCode: "B780-XXXXXX3C-XXXX0376", Platform: "Email",
			ApplicationCode: "3XXXX-XXXX1", HWID: "b@example.com", UserID: "7", Timestamp: 1723799272},
		{UUID: "u3", EventName: "Push Sent", MessageCode: "B780-XXXXXX3C-XXXX0377", Platform: "iOS"},
	})
	f.clk.Advance(0)
	reqs := f.rcv.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d POSTs, want 2 (one per email event)", len(reqs))
	}
	want := []string{
		`{"event_name":"Email Sent","message_id":2000003258,"message_code":"B780-XXXXXX3C-XXXX0375",` +
			`"campaign_id":960000,"platform":"Email","application_code":"3XXXX-XXXX1","hwid":"example@gmail.com",` +
			`"user_id":"1500008","payload":"Summer sale \u003c50%\u003e","timestamp":1723799271,` +
			`"journey_title":"Summer sale","journey_point_title":"5_summer sale_promoemail"}`,
		// message_id and campaign_id are optional: left out when unknown
		`{"event_name":"Email Opened","message_code":"B780-XXXXXX3C-XXXX0376","platform":"Email",` +
			`"application_code":"3XXXX-XXXX1","hwid":"b@example.com","user_id":"7","payload":"",` +
			`"timestamp":1723799272,"journey_title":"","journey_point_title":""}`,
	}
	for i, r := range reqs {
		if string(r.Body) != want[i] {
			t.Fatalf("POST %d body\n%s\nwant\n%s", i, r.Body, want[i])
		}
		if r.Method != "POST" || r.Path != "/email" || r.Header.Get("Content-Type") != "application/json" ||
			r.Header.Get("Authorization") != "Bearer hook" || !r.Close {
			t.Fatalf("POST %d: %s %s headers %v close=%v", i, r.Method, r.Path, r.Header, r.Close)
		}
	}
	push := recordOf(t, f.led, "u3")
	if push.State != ledger.Filtered || push.Reason != stream.ReasonEvent {
		t.Fatalf("push event on the webhook: %v %q, want filtered %q", push.State, push.Reason, stream.ReasonEvent)
	}
	sent := recordOf(t, f.led, "u1")
	if sent.State != ledger.Delivered || len(sent.Attempts) != 1 || sent.Attempts[0].Transport != "webhook" {
		t.Fatalf("email event: %v attempts %+v, want delivered over webhook", sent.State, sent.Attempts)
	}
}

func TestWebhookRetriesLikeStreams(t *testing.T) {
	f := webhookFixture(t, scenarios.Webhook{}, receiver.WithHTTPDefault(status(502)))
	f.hub.Publish([]catalog.Event{{UUID: "u1", EventName: "Email Bounced", Platform: "Email"}})
	f.clk.Advance(time.Minute)
	r := recordOf(t, f.led, "u1")
	if got, want := attemptOffsets(r), []time.Duration{0, time.Second, 4 * time.Second, 12 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("attempts at %v, want %v", got, want)
	}
	if r.State != ledger.Dropped {
		t.Fatalf("state %v, want dropped", r.State)
	}
}

func TestWebhookEventsComeFromTheScenario(t *testing.T) {
	f := webhookFixture(t, scenarios.Webhook{Events: []string{"Email Bounced"}})
	f.hub.Publish([]catalog.Event{
		{UUID: "a", EventName: "Email Bounced", Platform: "Email"},
		{UUID: "b", EventName: "Email Sent", Platform: "Email"},
	})
	f.clk.Advance(0)
	if got := f.rcv.Stats().Requests; got != 1 {
		t.Fatalf("%d POSTs, want 1", got)
	}
	if r := recordOf(t, f.led, "b"); r.State != ledger.Filtered {
		t.Fatalf("Email Sent: %v, want filtered", r.State)
	}
}
