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

func TestFiltersKeepOutExactlyWhatTheyShould(t *testing.T) {
	base := catalog.Event{EventName: "Push Sent", MessageCode: "AAAA-00000000-00000001", CampaignID: 961048,
		Platform: "iOS", ApplicationCode: "32E5A-9B411", HWID: "h", UserID: "u"}
	with := func(edit func(*catalog.Event)) catalog.Event {
		e := base
		edit(&e)
		return e
	}
	cases := []struct {
		name   string
		filter func(*scenarios.Stream)
		event  catalog.Event
		reason string // "" when the event must go out
	}{
		{"subscribed event", nil, base, ""},
		{"event name", nil, with(func(e *catalog.Event) { e.EventName = "Push Opened" }), stream.ReasonEvent},
		{"event name any case", nil, with(func(e *catalog.Event) { e.EventName = "push sent" }), ""},
		{"platform", nil, with(func(e *catalog.Event) { e.Platform = "Huawei" }), stream.ReasonPlatform},
		{"platform any case", nil, with(func(e *catalog.Event) { e.Platform = "android" }), ""},
		{"live activity not opted in", nil, with(func(e *catalog.Event) { e.LiveActivityID = "la-1" }), stream.ReasonLiveActivity},
		{"live activity opted in", func(s *scenarios.Stream) { s.Filters.LiveActivity = true },
			with(func(e *catalog.Event) { e.LiveActivityID = "la-1" }), ""},
		{"campaign listed", func(s *scenarios.Stream) { s.Filters.Campaigns = []string{"5", "961048"} }, base, ""},
		{"campaign not listed", func(s *scenarios.Stream) { s.Filters.Campaigns = []string{"5"} }, base, stream.ReasonCampaign},
		{"no campaign with a campaign filter", func(s *scenarios.Stream) { s.Filters.Campaigns = []string{"961048"} },
			with(func(e *catalog.Event) { e.CampaignID = 0 }), stream.ReasonCampaign},
		{"message listed", func(s *scenarios.Stream) { s.Filters.Messages = []string{"AAAA-00000000-00000001"} }, base, ""},
		{"message not listed", func(s *scenarios.Stream) { s.Filters.Messages = []string{"AAAA-00000000-00000002"} }, base, stream.ReasonMessage},
		{"both filters, message not listed", func(s *scenarios.Stream) {
			s.Filters.Campaigns = []string{"961048"}
			s.Filters.Messages = []string{"AAAA-00000000-00000002"}
		}, base, stream.ReasonMessage},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, func(s *scenarios.Stream) {
				s.Batch.Size = 1
				if c.filter != nil {
					c.filter(s)
				}
			})
			f.hub.Publish([]catalog.Event{c.event})
			f.clk.Advance(0)
			recs := f.led.Records(ledger.Query{})
			if len(recs) != 1 {
				t.Fatalf("%d ledger records, want 1", len(recs))
			}
			r := recs[0]
			sent := f.rcv.Stats().Events
			if c.reason == "" {
				if r.State != ledger.Delivered || sent != 1 {
					t.Fatalf("state %v (reason %q), %d sent: want delivered", r.State, r.Reason, sent)
				}
				return
			}
			if r.State != ledger.Filtered || r.Reason != c.reason || sent != 0 {
				t.Fatalf("state %v reason %q, %d sent: want filtered with %q, none sent", r.State, r.Reason, sent, c.reason)
			}
			if r.Integration != "streams[0]" {
				t.Fatalf("integration %q, want streams[0]", r.Integration)
			}
		})
	}
}

func TestEveryIntegrationAccountsForEveryEvent(t *testing.T) {
	rcv := receiver.StartHTTP(t)
	ios, email := httpStream(rcv.URL()+"/ios"), httpStream(rcv.URL()+"/email")
	ios.Name, ios.Platforms, ios.Batch.Size = "ios", []string{"iOS"}, 1
	email.Name, email.Platforms, email.Batch.Size = "email", []string{"Email"}, 1
	f := newFixtureWith(t, rcv, stream.Options{Streams: planStreams(t, ios, email),
		Webhooks: planWebhooks(t, scenarios.Webhook{Endpoint: rcv.URL() + "/hook"})})
	f.hub.Publish([]catalog.Event{
		{EventName: "Push Sent", Platform: "iOS"},
		{EventName: "Email Opened", Platform: "Email"},
	})
	f.clk.Advance(0)
	got := map[string]ledger.Totals{}
	for name, tot := range f.led.IntegrationTotals() {
		got[name] = tot
	}
	want := map[string]ledger.Totals{
		"ios":         {Generated: 2, Delivered: 1, Filtered: 1},
		"email":       {Generated: 2, Delivered: 1, Filtered: 1},
		"webhooks[0]": {Generated: 2, Delivered: 1, Filtered: 1},
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("integration %s: %+v, want %+v (all: %+v)", k, got[k], v, got)
		}
	}
	var paths []string
	for _, r := range rcv.Requests() {
		paths = append(paths, r.Path)
	}
	slices.Sort(paths)
	if !slices.Equal(paths, []string{"/email", "/hook", "/ios"}) {
		t.Fatalf("requests to %v", paths)
	}
	checkLedger(t, f.led)
}

func TestEventsWithNoIntegrationAreCountedNotStored(t *testing.T) {
	f := newFixtureWith(t, nil, stream.Options{})
	f.hub.Publish(pushEvents(3))
	f.clk.Advance(time.Hour)
	if recs := f.led.Records(ledger.Query{}); len(recs) != 0 {
		t.Fatalf("%d records stored for events no integration takes, want 0", len(recs))
	}
	want := ledger.Totals{Generated: 3, Filtered: 3}
	if got := f.led.Totals(); got != want {
		t.Fatalf("totals %+v, want %+v", got, want)
	}
	if got := f.led.IntegrationTotals()[""]; got != want {
		t.Fatalf("integration \"\" totals %+v, want %+v", got, want)
	}
	checkLedger(t, f.led)
}

func TestFilterDecidesWithoutAllocating(t *testing.T) {
	f := stream.NewFilter(scenarios.FilterPlan{Events: []string{"Push Sent"}, Platforms: []string{"iOS"}})
	cases := []struct {
		event  catalog.Event
		reason string
	}{
		{catalog.Event{EventName: "Push Opened", Platform: "iOS"}, stream.ReasonEvent},
		{catalog.Event{EventName: "push sent", Platform: "IOS"}, ""},
		{catalog.Event{EventName: "Push Sent", Platform: "Android"}, stream.ReasonPlatform},
	}
	for _, c := range cases {
		if got := f.Reason(&c.event); got != c.reason {
			t.Fatalf("Reason(%+v) = %q, want %q", c.event, got, c.reason)
		}
		if n := testing.AllocsPerRun(100, func() { f.Reason(&c.event) }); n != 0 {
			t.Fatalf("Reason(%s/%s) allocates %v times", c.event.EventName, c.event.Platform, n)
		}
	}
}
