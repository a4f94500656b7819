package stream_test

import (
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/stream"
	"github.com/pwemu/pwemu/scenarios"
)

func TestNewRejectsInvalidConfiguration(t *testing.T) {
	ok := httpStream("https://example.com:8081/webhook_endpoint")
	edit := func(f func(*scenarios.Stream)) []scenarios.Stream {
		s := ok
		f(&s)
		return []scenarios.Stream{s}
	}
	cases := []struct {
		name     string
		streams  []scenarios.Stream
		webhooks []scenarios.Webhook
		want     string
	}{
		{"no endpoint", edit(func(s *scenarios.Stream) { s.Endpoint = "" }), nil,
			"streams[0]: endpoint is required, e.g. https://example.com:8081/webhook_endpoint"},
		{"no scheme", edit(func(s *scenarios.Stream) { s.Endpoint = "example.com/hook" }), nil,
			`endpoint "example.com/hook" has no scheme`},
		{"unsupported scheme", edit(func(s *scenarios.Stream) { s.Endpoint = "ftp://example.com/x" }), nil,
			`scheme "ftp" is not supported`},
		{"no host", edit(func(s *scenarios.Stream) { s.Endpoint = "http:///path" }), nil,
			"has no host"},
		{"unexpanded variable", edit(func(s *scenarios.Stream) { s.Endpoint = "${RECEIVER_URL}/x" }), nil,
			"unexpanded variable"},
		{"no events", edit(func(s *scenarios.Stream) { s.Events = nil }), nil,
			"events: at least one event is required"},
		{"no platforms", edit(func(s *scenarios.Stream) { s.Platforms = nil }), nil,
			"platforms: at least one platform is required"},
		{"unknown platform", edit(func(s *scenarios.Stream) { s.Platforms = []string{"iOS", "Symbian"} }), nil,
			`platforms[1]: "Symbian" is not a Pushwoosh platform`},
		{"unknown transport", edit(func(s *scenarios.Stream) { s.Transport = "mqtt" }), nil,
			`transport "mqtt" is not supported (want http or grpc)`},
		{"bad campaign", edit(func(s *scenarios.Stream) { s.Filters.Campaigns = []string{"ABCDE-12345"} }), nil,
			`filters.campaigns[0]: "ABCDE-12345" is not a campaign id`},
		{"bad framing", edit(func(s *scenarios.Stream) { s.Framing = "xml" }), nil,
			`framing "xml" is not supported`},
		{"negative size", edit(func(s *scenarios.Stream) { s.Batch.Size = -1 }), nil,
			"batch.size: -1"},
		{"negative concurrency", edit(func(s *scenarios.Stream) { s.Concurrency = -2 }), nil,
			"concurrency: -2"},
		{"duplicate share", edit(func(s *scenarios.Stream) { s.Chaos.Duplicate = 1.5 }), nil,
			"chaos.duplicate: 1.5"},
		{"negative retry", edit(func(s *scenarios.Stream) {
			s.Retry.Delays = []scenarios.Duration{scenarios.Duration(-time.Second)}
		}), nil, "retry.delays[0]: -1s is negative"},
		{"named stream", edit(func(s *scenarios.Stream) { s.Name = "crm"; s.Events = []string{} }), nil,
			"streams[0] (crm): events"},
		{"duplicate names", append(edit(func(s *scenarios.Stream) { s.Name = "crm" }),
			edit(func(s *scenarios.Stream) { s.Name = "crm" })...), nil,
			`streams[1] (crm): name "crm" is already used by streams[0]`},
		{"webhook without endpoint", nil, []scenarios.Webhook{{}}, "webhooks[0]: endpoint is required"},
		{"webhook bad URL", nil, []scenarios.Webhook{{Endpoint: "mailto:x@y"}}, `scheme "mailto" is not supported`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := stream.New(stream.Options{Clock: clock.NewManual(clock.Epoch), Ledger: ledger.New(),
				Streams: c.streams, Webhooks: c.webhooks})
			if err == nil {
				t.Fatalf("New accepted it; want an error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestNewNeedsClockAndLedger(t *testing.T) {
	if _, err := stream.New(stream.Options{Ledger: ledger.New()}); err == nil || !strings.Contains(err.Error(), "Clock") {
		t.Fatalf("no clock: %v", err)
	}
	if _, err := stream.New(stream.Options{Clock: clock.NewManual(clock.Epoch)}); err == nil || !strings.Contains(err.Error(), "Ledger") {
		t.Fatalf("no ledger: %v", err)
	}
}

func TestNewAcceptsTheDocsSpellings(t *testing.T) {
	s := httpStream("http://127.0.0.1:9/x")
	s.Transport = "HTTP"
	s.Platforms = []string{"ios", "Internet Explorer", "WHATSAPP"}
	s.Filters.Campaigns = []string{"961048"}
	h, err := stream.New(stream.Options{Clock: clock.NewManual(clock.Epoch), Ledger: ledger.New(),
		Streams: []scenarios.Stream{s}})
	if err != nil {
		t.Fatal(err)
	}
	_ = h.Close()
}
