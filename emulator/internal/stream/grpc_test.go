package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/connectivity"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// grpcEvents builds n events with uuids prefix-0000, prefix-0001, …
func grpcEvents(prefix string, n int) []catalog.Event {
	evs := make([]catalog.Event, n)
	for i := range evs {
		evs[i] = catalog.Event{
			UUID: fmt.Sprintf("%s-%04d", prefix, i), EventName: "Push Sent", MessageCode: "E682-E6D92B9A-53E24868",
			MessageID: 77, CampaignID: 961048, Platform: "iOS", Payload: "Welcome to Headway! 👋",
			ApplicationCode: "32E5A-9B411", HWID: fmt.Sprintf("hwid-%d", i), UserID: "1894410",
			Timestamp: 1723799271 + int64(i), JourneyTitle: "Onboarding", JourneyPointTitle: "5_Welcome_ID_new",
		}
	}
	return evs
}

func grpcTestStream(endpoint string) scenarios.Stream {
	return scenarios.Stream{Name: "streams[0]", Endpoint: endpoint, Transport: scenarios.TransportGRPC,
		Events: []string{"Push Sent"}, Platforms: []string{"iOS"}}
}

// planStreams checks and resolves streams as the emulator does a scenario's.
func planStreams(t testing.TB, sts ...scenarios.Stream) []scenarios.StreamPlan {
	t.Helper()
	p, err := (&scenarios.Scenario{Streams: sts}).Plan()
	if err != nil {
		t.Fatal(err)
	}
	return p.Streams
}

// grpcLogSink is a log sink the transport may write to while the test reads it.
type grpcLogSink struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *grpcLogSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *grpcLogSink) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// dialGRPCTest dials cfg with a logger writing to the returned buffer.
func dialGRPCTest(t *testing.T, cfg scenarios.Stream) (*grpcTransport, *grpcLogSink) {
	t.Helper()
	logs := &grpcLogSink{}
	tr, err := dialGRPC(planStreams(t, cfg)[0], slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Close() })
	return tr, logs
}

func deliverOnce(t *testing.T, tr Transport, evs []catalog.Event) Result {
	t.Helper()
	return tr.Deliver(t.Context(), &Batch{ID: 1, Events: evs})
}

// wantGRPCAcks checks every ack, naming the first event that differs.
func wantGRPCAcks(t *testing.T, got Result, want func(i int) string) {
	t.Helper()
	for i, a := range got.Acks {
		if w := want(i); a != w {
			t.Fatalf("Acks[%d] = %q, want %q (all acks: %q)", i, a, w, got.Acks)
		}
	}
}

func TestGRPCAcksMapToEvents(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t)
	tr, _ := dialGRPCTest(t, grpcTestStream(r.Endpoint()))
	evs := grpcEvents("ev", 25)
	evs[3].LiveActivityID = "la-1"

	res := deliverOnce(t, tr, evs)
	if res.Err != nil || res.Status != 0 {
		t.Fatalf("Err = %v, Status = %d; want nil, 0", res.Err, res.Status)
	}
	if len(res.Acks) != 25 {
		t.Fatalf("len(Acks) = %d, want 25", len(res.Acks))
	}
	wantGRPCAcks(t, res, func(int) string { return AckSuccess })
	for i := range evs {
		if res.Failed(i) {
			t.Fatalf("Failed(%d) = true for a Success ack", i)
		}
	}
	got := r.Events()
	if len(got) != 25 || len(r.Streams()) != 1 {
		t.Fatalf("receiver got %d events on %d streams, want 25 on 1", len(got), len(r.Streams()))
	}
	for i := range got {
		if got[i] != evs[i] {
			t.Fatalf("event %d arrived as %+v, want %+v", i, got[i], evs[i])
		}
	}
}

func TestGRPCInvalidUTF8IsReplacedAsInJSON(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t)
	tr, _ := dialGRPCTest(t, grpcTestStream(r.Endpoint()))
	evs := grpcEvents("ev", 2)
	evs[1].Payload = "bad \xff\xfe end \xe2\x82"

	res := deliverOnce(t, tr, evs)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	wantGRPCAcks(t, res, func(int) string { return AckSuccess })
	var viaJSON catalog.Event
	if err := json.Unmarshal(evs[1].AppendJSON(nil), &viaJSON); err != nil {
		t.Fatal(err)
	}
	got := r.Events()[1].Payload
	if got != "bad \uFFFD\uFFFD end \uFFFD\uFFFD" || got != viaJSON.Payload {
		t.Fatalf("payload arrived as %q; JSON sends %q", got, viaJSON.Payload)
	}
}

func TestGRPCOutOfOrderAndDuplicateUUIDs(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{
		AckAtEnd: true, Reverse: true, Nack: []string{"ev-0002"}}))
	tr, logs := dialGRPCTest(t, grpcTestStream(r.Endpoint()))
	evs := grpcEvents("ev", 6)
	evs[5].UUID = evs[0].UUID // the same event twice in one stream: each copy gets one ack

	res := deliverOnce(t, tr, evs)
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	wantGRPCAcks(t, res, func(i int) string {
		if i == 2 {
			return "Failure"
		}
		return AckSuccess
	})
	if strings.Contains(logs.String(), "unknown") {
		t.Fatalf("out-of-order acks were taken for unknown uuids: %s", logs)
	}
}

func TestGRPCNack(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{
		Nack: []string{"ev-0002", "ev-0007"}, NackStatus: "Retry later"}))
	tr, _ := dialGRPCTest(t, grpcTestStream(r.Endpoint()))

	res := deliverOnce(t, tr, grpcEvents("ev", 10))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	wantGRPCAcks(t, res, func(i int) string {
		if i == 2 || i == 7 {
			return "Retry later"
		}
		return AckSuccess
	})
	for i := range res.Acks {
		if res.Failed(i) != (i == 2 || i == 7) {
			t.Fatalf("Failed(%d) = %v", i, res.Failed(i))
		}
	}
}

func TestGRPCMissingAcks(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{Lose: []string{"ev-0000", "ev-0004"}}))
	tr, _ := dialGRPCTest(t, grpcTestStream(r.Endpoint()))

	res := deliverOnce(t, tr, grpcEvents("ev", 5))
	if res.Err != nil {
		t.Fatalf("a stream that ends cleanly with acks missing is no stream error, got %v", res.Err)
	}
	wantGRPCAcks(t, res, func(i int) string {
		if i == 0 || i == 4 {
			return ""
		}
		return AckSuccess
	})
	if !res.Failed(0) || !res.Failed(4) || res.Failed(1) {
		t.Fatalf("Failed: 0=%v 4=%v 1=%v, want true true false", res.Failed(0), res.Failed(4), res.Failed(1))
	}
}

func TestGRPCUnknownUUIDsIgnoredAndLogged(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{UnknownAcks: 3}))
	tr, logs := dialGRPCTest(t, grpcTestStream(r.Endpoint()))

	res := deliverOnce(t, tr, grpcEvents("ev", 4))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	wantGRPCAcks(t, res, func(int) string { return AckSuccess })
	if n := len(r.Acks()); n != 7 {
		t.Fatalf("receiver sent %d acks, want 4 + 3 unknown", n)
	}
	log := logs.String()
	for _, want := range []string{"acked unknown uuids", "stream=streams[0]", "batch=1", "count=3", "first=unknown-1-1"} {
		if !strings.Contains(log, want) {
			t.Fatalf("log lacks %q:\n%s", want, log)
		}
	}
}

func TestGRPCBrokenStreamKeepsEarlierAcks(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{BreakAfter: 4}))
	tr, _ := dialGRPCTest(t, grpcTestStream(r.Endpoint()))

	res := deliverOnce(t, tr, grpcEvents("ev", 10))
	if res.Err == nil || !strings.Contains(res.Err.Error(), "stream broken after 4 events") {
		t.Fatalf("Err = %v, want the receiver's stream error", res.Err)
	}
	wantGRPCAcks(t, res, func(i int) string {
		if i < 3 {
			return AckSuccess
		}
		return ""
	})
	for i := range res.Acks {
		if res.Failed(i) != (i >= 3) {
			t.Fatalf("Failed(%d) = %v", i, res.Failed(i))
		}
	}
}

func TestGRPCAuthorizationMetadataVerbatim(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t)
	for _, auth := range []string{"Bearer a.b-c_d~e+f/g==", "Basic dXNlcjpwYXNz", "Token  two  spaces", ""} {
		cfg := grpcTestStream(r.Endpoint())
		cfg.Authorization = auth
		tr, _ := dialGRPCTest(t, cfg)
		if res := deliverOnce(t, tr, grpcEvents("ev", 1)); res.Err != nil {
			t.Fatal(res.Err)
		}
		streams := r.Streams()
		if got := streams[len(streams)-1].Authorization; got != auth {
			t.Fatalf("authorization metadata = %q, want %q", got, auth)
		}
	}
}

func TestGRPCTLS(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCTLS())
	if !strings.HasPrefix(r.Endpoint(), "grpcs://127.0.0.1:") {
		t.Fatalf("Endpoint() = %q, want grpcs://127.0.0.1:port", r.Endpoint())
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, r.CAPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	on := true
	cases := []struct {
		name    string
		cfg     func(*scenarios.Stream)
		wantErr string
	}{
		{"custom CA", func(c *scenarios.Stream) { c.TLS.CA = ca }, ""},
		{"bare host:port with tls.enabled", func(c *scenarios.Stream) {
			c.Endpoint = r.Addr()
			c.TLS = scenarios.TLS{Enabled: &on, CA: ca}
		}, ""},
		{"server name", func(c *scenarios.Stream) { c.TLS = scenarios.TLS{CA: ca, ServerName: "localhost"} }, ""},
		{"insecure skip verify", func(c *scenarios.Stream) { c.TLS.InsecureSkipVerify = true }, ""},
		{"no CA", func(*scenarios.Stream) {}, `certificate signed by unknown authority" (set tls.ca to the PEM file`},
		{"wrong server name", func(c *scenarios.Stream) { c.TLS = scenarios.TLS{CA: ca, ServerName: "example.com"} },
			"certificate is valid for localhost, not example.com"},
		{"plaintext to a TLS receiver", func(c *scenarios.Stream) { c.Endpoint = "grpc://" + r.Addr() },
			"(if the receiver serves TLS, write grpcs://127.0.0.1:"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := grpcTestStream(r.Endpoint())
			tc.cfg(&cfg)
			tr, _ := dialGRPCTest(t, cfg)
			res := deliverOnce(t, tr, grpcEvents("tls", 3))
			if tc.wantErr == "" {
				if res.Err != nil {
					t.Fatal(res.Err)
				}
				wantGRPCAcks(t, res, func(int) string { return AckSuccess })
				return
			}
			if res.Err == nil || !strings.Contains(res.Err.Error(), tc.wantErr) {
				t.Fatalf("Err = %v, want it to contain %q", res.Err, tc.wantErr)
			}
			wantGRPCAcks(t, res, func(int) string { return "" })
		})
	}
}

func TestGRPCCancelReturnsPromptly(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{Hang: true}))
	tr, _ := dialGRPCTest(t, grpcTestStream(r.Endpoint()))
	ctx, cancel := context.WithCancelCause(t.Context())
	timeout := errors.New("timeout after 30s (emulator time)")

	done := make(chan Result, 1)
	go func() { done <- tr.Deliver(ctx, &Batch{ID: 9, Events: grpcEvents("ev", 50)}) }()
	if _, err := r.Wait(t.Context(), func(s receiver.GRPCStats) bool { return s.Events == 50 }); err != nil {
		t.Fatal(err)
	}
	cancel(timeout)
	select {
	case res := <-done:
		if !errors.Is(res.Err, timeout) {
			t.Fatalf("Err = %v, want the ctx cause", res.Err)
		}
		wantGRPCAcks(t, res, func(int) string { return "" })
	case <-time.After(10 * time.Second): // a bound so that a regression fails instead of hanging
		t.Fatal("Deliver did not return after its ctx was cancelled")
	}
}

func TestGRPCReceiverDownThenBack(t *testing.T) {
	t.Parallel()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	tr, _ := dialGRPCTest(t, grpcTestStream("grpc://"+addr))

	res := deliverOnce(t, tr, grpcEvents("ev", 3))
	if res.Err == nil || !strings.Contains(res.Err.Error(), "connection refused") {
		t.Fatalf("Err = %v, want connection refused", res.Err)
	}
	wantGRPCAcks(t, res, func(int) string { return "" })

	// The next attempt must reach a receiver that has come back, at once: retries run
	// on the emulator clock, not on grpc-go's reconnect backoff.
	r := receiver.StartGRPC(t, receiver.WithGRPCAddr(addr))
	res = deliverOnce(t, tr, grpcEvents("ev", 3))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	wantGRPCAcks(t, res, func(int) string { return AckSuccess })
	if r.Stats().Events != 3 {
		t.Fatalf("receiver got %d events, want 3", r.Stats().Events)
	}
}

func TestGRPCEmptyBatchOpensNoStream(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t)
	tr, _ := dialGRPCTest(t, grpcTestStream(r.Endpoint()))
	res := deliverOnce(t, tr, nil)
	if res.Err != nil || len(res.Acks) != 0 {
		t.Fatalf("empty batch: Err = %v, Acks = %q", res.Err, res.Acks)
	}
	if n := r.Stats().Streams; n != 0 {
		t.Fatalf("an empty batch opened %d streams", n)
	}
}

func TestGRPCConcurrentBatchesShareOneConnection(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{NackShare: 0.2}))
	tr, _ := dialGRPCTest(t, grpcTestStream(r.Endpoint()))
	var wg sync.WaitGroup
	results := make([]Result, 4)
	batches := make([][]catalog.Event, 4)
	for k := range results {
		batches[k] = grpcEvents(fmt.Sprintf("b%d", k), 300)
		wg.Go(func() { results[k] = tr.Deliver(t.Context(), &Batch{ID: uint64(k), Events: batches[k]}) })
	}
	wg.Wait()
	nacked := map[string]bool{}
	for _, a := range r.Acks() {
		nacked[a.UUID] = a.Status != AckSuccess
	}
	for k, res := range results {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		wantGRPCAcks(t, res, func(i int) string {
			if nacked[batches[k][i].UUID] {
				return "Failure"
			}
			return AckSuccess
		})
	}
	if s := r.Stats(); s.Events != 1200 || s.Streams != 4 || s.Successes == 1200 || s.Successes < 800 {
		t.Fatalf("receiver stats %+v: want 1200 events on 4 streams, about 20%% NACKed", s)
	}
}

// TestGRPCConfigErrors: a CA file that cannot be read fails New (what the scenario
// says is checked by scenarios.Plan; what is on disk only when the transport is built).
func TestGRPCConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		endpoint string
		tls      scenarios.TLS
		auth     string
		wantErr  string
	}{
		{"missing CA file", "grpcs://127.0.0.1:9000", scenarios.TLS{CA: filepath.Join(dir, "nope.pem")}, "", "nope.pem\": not a readable PEM file of CA certificates"},
		{"CA without PEM", "grpcs://127.0.0.1:9000", scenarios.TLS{CA: notPEM}, "", "not a readable PEM file of CA certificates"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := grpcTestStream(tc.endpoint)
			cfg.TLS, cfg.Authorization = tc.tls, tc.auth
			hub, err := New(Options{Clock: clock.NewManual(clock.Epoch), Ledger: ledger.New(),
				Streams: planStreams(t, cfg)})
			if err == nil {
				_ = hub.Close()
				t.Fatalf("no error, want %q", tc.wantErr)
			}
			// The Hub names the stream once; the transport says what is wrong.
			if !strings.Contains(err.Error(), tc.wantErr) || !strings.HasPrefix(err.Error(), "streams[0]: ") ||
				strings.Count(err.Error(), "streams[0]") != 1 {
				t.Fatalf("error %q, want it to name the stream once and contain %q", err, tc.wantErr)
			}
		})
	}
}

// grpcHub is a Hub on a manual clock with one gRPC stream to r, docs defaults.
type grpcHub struct {
	clk *clock.Manual
	led *ledger.Ledger
	hub *Hub
	t0  time.Time
}

func newGRPCHub(t *testing.T, r *receiver.GRPC) *grpcHub {
	t.Helper()
	// Deliveries are real streams to a loopback receiver; under -race on a busy
	// machine one may take longer than the default patience, and Advance must wait
	// for it rather than take it for a receiver that hangs (none here does).
	return newGRPCHubPatience(t, r, 20*time.Second)
}

func newGRPCHubPatience(t *testing.T, r *receiver.GRPC, patience time.Duration) *grpcHub {
	t.Helper()
	clk := clock.NewManual(clock.Epoch)
	clk.SetPatience(patience)
	led := ledger.New()
	hub, err := New(Options{Clock: clk, Ledger: led, Seed: 1, Streams: planStreams(t, grpcTestStream(r.Endpoint()))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hub.Close() })
	return &grpcHub{clk: clk, led: led, hub: hub, t0: clk.Now()}
}

// streamSizes are the event counts of the streams r served, in order.
func streamSizes(r *receiver.GRPC) []int {
	var out []int
	for _, s := range r.Streams() {
		out = append(out, s.Events)
	}
	return out
}

func wantTotals(t *testing.T, led *ledger.Ledger, want ledger.Totals) {
	t.Helper()
	if got := led.Totals(); got != want || !got.Balanced() {
		t.Fatalf("ledger totals %+v, want %+v", got, want)
	}
}

func TestGRPCHubStreamsOf1000ThenTheRestAfterAnHour(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t)
	h := newGRPCHub(t, r)

	h.hub.Publish(grpcEvents("ev", 2500))
	h.clk.Advance(0) // the size trigger fires at once; wait for its streams
	if got := streamSizes(r); !slices.Equal(got, []int{1000, 1000}) {
		t.Fatalf("streams before the interval: %v, want [1000 1000]", got)
	}
	wantTotals(t, h.led, ledger.Totals{Generated: 2500, Delivered: 2000, Pending: 500})

	h.clk.Advance(time.Hour - time.Nanosecond)
	if got := streamSizes(r); len(got) != 2 {
		t.Fatalf("streams just before the hour: %v", got)
	}
	h.clk.Advance(time.Nanosecond)
	if got := streamSizes(r); !slices.Equal(got, []int{1000, 1000, 500}) {
		t.Fatalf("streams after the hour: %v, want [1000 1000 500]", got)
	}
	wantTotals(t, h.led, ledger.Totals{Generated: 2500, Delivered: 2500})
	if s := r.Stats(); s.Events != 2500 || s.Unique != 2500 {
		t.Fatalf("receiver stats %+v: every event once", s)
	}
	last := h.led.Records(ledger.Query{UUID: "ev-2499"})[0]
	if len(last.Attempts) != 1 || !last.Attempts[0].At.Equal(h.t0.Add(time.Hour)) ||
		last.Attempts[0].Transport != TransportGRPC || last.Attempts[0].Ack != AckSuccess {
		t.Fatalf("last event's attempts %+v, want one grpc attempt at +1h acked Success", last.Attempts)
	}
	first := h.led.Records(ledger.Query{UUID: "ev-0000"})[0]
	if len(first.Attempts) != 1 || !first.Attempts[0].At.Equal(h.t0) {
		t.Fatalf("first event's attempts %+v, want one at the start", first.Attempts)
	}
}

func TestGRPCHubRetriesOnlyNackedEventsThenDrops(t *testing.T) {
	t.Parallel()
	nacked := []string{"ev-0003", "ev-0500", "ev-0999"}
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{Nack: nacked}))
	h := newGRPCHub(t, r)

	h.hub.Publish(grpcEvents("ev", 1000))
	h.clk.Advance(0)
	wantTotals(t, h.led, ledger.Totals{Generated: 1000, Delivered: 997, Pending: 3})
	// The docs' schedule: retries 1 s, then 3 s, then 8 s after each failure.
	for _, step := range []struct {
		by      time.Duration
		streams []int
	}{
		{time.Second - time.Nanosecond, []int{1000}},
		{time.Nanosecond, []int{1000, 3}},    // +1 s
		{3 * time.Second, []int{1000, 3, 3}}, // +4 s
		{8*time.Second - time.Nanosecond, []int{1000, 3, 3}},
		{time.Nanosecond, []int{1000, 3, 3, 3}}, // +12 s
		{time.Hour, []int{1000, 3, 3, 3}},       // and nothing after
	} {
		h.clk.Advance(step.by)
		if got := streamSizes(r); !slices.Equal(got, step.streams) {
			t.Fatalf("at +%v: streams %v, want %v", h.clk.Now().Sub(h.t0), got, step.streams)
		}
	}
	wantTotals(t, h.led, ledger.Totals{Generated: 1000, Delivered: 997, Dropped: 3})

	wantAt := []time.Duration{0, time.Second, 4 * time.Second, 12 * time.Second}
	for _, u := range nacked {
		if n := r.Count(u); n != 4 {
			t.Fatalf("%s sent %d times, want 4", u, n)
		}
		rec := h.led.Records(ledger.Query{UUID: u})[0]
		if rec.State != ledger.Dropped || !rec.SettledAt.Equal(h.t0.Add(12*time.Second)) || len(rec.Attempts) != 4 {
			t.Fatalf("%s: state %v settled %v with %d attempts, want dropped at +12s after 4", u, rec.State, rec.SettledAt, len(rec.Attempts))
		}
		for i, a := range rec.Attempts {
			if !a.At.Equal(h.t0.Add(wantAt[i])) || a.Ack != "Failure" || a.Batch != rec.Attempts[0].Batch {
				t.Fatalf("%s attempt %d: %+v, want at +%v ack Failure on stream %d", u, i, a, wantAt[i], rec.Attempts[0].Batch)
			}
		}
	}
	for _, u := range []string{"ev-0000", "ev-0004", "ev-0998"} {
		rec := h.led.Records(ledger.Query{UUID: u})[0]
		if r.Count(u) != 1 || rec.State != ledger.Delivered || len(rec.Attempts) != 1 || rec.Attempts[0].Ack != AckSuccess {
			t.Fatalf("%s: sent %d times, record %+v; want once, delivered", u, r.Count(u), rec)
		}
	}
}

func TestGRPCHubBrokenStreamsLoseNothing(t *testing.T) {
	t.Parallel()
	// Every stream breaks at its 300th event, and a tenth of the events are NACKed for
	// good: the acked part of each stream stays delivered, the rest is retried, the
	// NACKed events end dropped.
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{BreakAfter: 300, NackShare: 0.1}))
	h := newGRPCHub(t, r)

	h.hub.Publish(grpcEvents("ev", 1000))
	h.clk.Advance(0)
	if tot := h.led.Totals(); !tot.Balanced() || tot.Delivered == 0 || tot.Pending == 0 || tot.Dropped != 0 {
		t.Fatalf("after the first, broken stream: %+v", tot)
	}
	h.clk.Advance(time.Minute)

	tot := h.led.Totals()
	if !tot.Balanced() || tot.Pending != 0 || tot.Generated != 1000 || tot.Delivered+tot.Dropped != 1000 {
		t.Fatalf("ledger totals %+v: every event terminal", tot)
	}
	success := map[string]bool{}
	for _, a := range r.Acks() {
		if a.Status == AckSuccess {
			success[a.UUID] = true
		}
	}
	if r.Stats().Unique != 1000 {
		t.Fatalf("receiver saw %d distinct events, want 1000", r.Stats().Unique)
	}
	broken := 0
	for _, rec := range h.led.Records(ledger.Query{}) {
		if (rec.State == ledger.Delivered) != success[rec.Event.UUID] {
			t.Fatalf("%s is %v but the receiver's Success ack is %v", rec.Event.UUID, rec.State, success[rec.Event.UUID])
		}
		if rec.State == ledger.Dropped && len(rec.Attempts) != 4 {
			t.Fatalf("%s dropped after %d attempts, want 4", rec.Event.UUID, len(rec.Attempts))
		}
		for _, a := range rec.Attempts {
			if strings.Contains(a.Error, "stream broken after 300 events") {
				broken++
				break
			}
		}
	}
	if broken == 0 {
		t.Fatal("no attempt recorded the broken stream's error")
	}
	if s := r.Streams(); !s[0].Broken || s[0].Events != 300 {
		t.Fatalf("first stream %+v, want broken at 300 events", s[0])
	}
}

func TestGRPCHubHangingReceiverIsCutAtTheTimeout(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{Hang: true}))
	// Patience is how long Advance lets the hanging stream stall before it moves
	// emulator time on to the 30 s timeout; it is also all the wall time the recovered
	// receiver's 1,000-event stream gets below, so it leaves room for a loaded machine.
	h := newGRPCHubPatience(t, r, 3*time.Second)

	h.hub.Publish(grpcEvents("ev", 1000))
	h.clk.Advance(30 * time.Second)
	wantTotals(t, h.led, ledger.Totals{Generated: 1000, Pending: 1000})
	rec := h.led.Records(ledger.Query{UUID: "ev-0123"})[0]
	if len(rec.Attempts) != 1 || !rec.Attempts[0].At.Equal(h.t0) || rec.Attempts[0].Ack != "" ||
		rec.Attempts[0].Error != "timeout: no answer within 30s" {
		t.Fatalf("attempts %+v, want one at the start, cut by the timeout, without ack", rec.Attempts)
	}

	r.SetScript(receiver.GRPCScript{}) // the receiver recovers: the retry 1 s after the timeout gets through
	h.clk.Advance(time.Second)
	wantTotals(t, h.led, ledger.Totals{Generated: 1000, Delivered: 1000})
	rec = h.led.Records(ledger.Query{UUID: "ev-0123"})[0]
	if len(rec.Attempts) != 2 || !rec.Attempts[1].At.Equal(h.t0.Add(31*time.Second)) || rec.Attempts[1].Ack != AckSuccess {
		t.Fatalf("attempts %+v, want the retry at +31s acked Success", rec.Attempts)
	}
	if got := streamSizes(r); !slices.Equal(got, []int{1000, 1000}) {
		t.Fatalf("streams %v, want [1000 1000]", got)
	}
}

// ackThenHang is an ack-based transport that acks the first n events of a batch
// Success, then holds the stream open until its ctx ends: a receiver cut off mid-stream.
type ackThenHang struct {
	n       int
	started chan struct{} // closed when the first batch is in flight
}

func (a *ackThenHang) Deliver(ctx context.Context, b *Batch) Result {
	res := Result{Acks: make([]string, len(b.Events))}
	for i := range min(a.n, len(b.Events)) {
		res.Acks[i] = AckSuccess
	}
	close(a.started)
	<-ctx.Done()
	res.Err = context.Cause(ctx)
	return res
}

func (a *ackThenHang) Close() error { return nil }

func TestGRPCHubCloseKeepsTheAcksThatCameBeforeIt(t *testing.T) {
	t.Parallel()
	clk := clock.NewManual(clock.Epoch)
	led := ledger.New()
	st := grpcTestStream("grpc://127.0.0.1:9") // never dialled: the transport is replaced
	st.Batch.Size = 10
	hub, err := New(Options{Clock: clk, Ledger: led, Seed: 1, Streams: planStreams(t, st)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = hub.Close() })
	_ = hub.pipes[0].cfg.sender.Close()
	fake := &ackThenHang{n: 4, started: make(chan struct{})}
	hub.pipes[0].cfg.sender = fake

	hub.Publish(grpcEvents("ev", 10)) // a full batch: it goes out at once
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	select {
	case <-fake.started:
	case <-ctx.Done():
		t.Fatal("the batch was not sent")
	}
	if err := hub.Close(); err != nil {
		t.Fatal(err)
	}
	wantTotals(t, led, ledger.Totals{Generated: 10, Delivered: 4, Pending: 6})
	for i, rec := range led.Records(ledger.Query{}) {
		want, state := "", ledger.Pending
		if i < 4 {
			want, state = AckSuccess, ledger.Delivered
		}
		if rec.State != state || len(rec.Attempts) != 1 || rec.Attempts[0].Ack != want ||
			rec.Attempts[0].Error != "cancelled: emulator closed" {
			t.Fatalf("%s: %v with attempts %+v, want %v after one attempt acked %q, cut by Close",
				rec.Event.UUID, rec.State, rec.Attempts, state, want)
		}
	}
}

// waitGRPCState waits (wall time, bounded) until c is in state s.
func waitGRPCState(t *testing.T, c *grpcConn, s connectivity.State) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for got := c.cc.GetState(); got != s; got = c.cc.GetState() {
		if !c.cc.WaitForStateChange(ctx, got) {
			t.Fatalf("connection state %v, want %v", got, s)
		}
	}
}

func TestGRPCFailedConnectionIsClosedOnlyAfterItsStreams(t *testing.T) {
	t.Parallel()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	tr, _ := dialGRPCTest(t, grpcTestStream("grpc://"+addr))

	old, err := tr.acquire() // a stream of one batch is on it
	if err != nil {
		t.Fatal(err)
	}
	old.cc.Connect()
	waitGRPCState(t, old, connectivity.TransientFailure) // the receiver is down

	// A concurrent batch gets a fresh connection; the failed one stays open for the
	// stream still on it.
	fresh, err := tr.acquire()
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old {
		t.Fatal("a failed connection was not replaced")
	}
	if s := old.cc.GetState(); s == connectivity.Shutdown {
		t.Fatal("the failed connection was closed under the stream still using it")
	}
	tr.release(old)
	if s := old.cc.GetState(); s != connectivity.Shutdown {
		t.Fatalf("replaced connection is %v after its last stream, want closed", s)
	}
	// A connection that has not failed is shared, not replaced.
	again, err := tr.acquire()
	if err != nil {
		t.Fatal(err)
	}
	if again != fresh {
		t.Fatal("a working connection was replaced")
	}
	tr.release(again)
	tr.release(fresh)
	if s := fresh.cc.GetState(); s == connectivity.Shutdown {
		t.Fatal("the current connection was closed when its streams ended")
	}
}

func TestGRPCConcurrentBatchesThroughAnOutage(t *testing.T) {
	t.Parallel()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := lis.Addr().String()
	_ = lis.Close()
	tr, _ := dialGRPCTest(t, grpcTestStream("grpc://"+addr))
	deliverAll := func(round int) []Result {
		var wg sync.WaitGroup
		results := make([]Result, 8)
		for k := range results {
			wg.Go(func() {
				results[k] = tr.Deliver(t.Context(), &Batch{ID: uint64(k), Events: grpcEvents(fmt.Sprintf("r%d-b%d", round, k), 20)})
			})
		}
		wg.Wait()
		return results
	}
	// Down: every batch fails with the receiver's error, none because a concurrent
	// batch's redial closed the connection under it.
	for round := range 3 {
		for k, res := range deliverAll(round) {
			if res.Err == nil || !strings.Contains(res.Err.Error(), "connection refused") {
				t.Fatalf("round %d batch %d: Err = %v, want connection refused", round, k, res.Err)
			}
		}
	}
	// Back: every batch gets through at once.
	r := receiver.StartGRPC(t, receiver.WithGRPCAddr(addr))
	for k, res := range deliverAll(3) {
		if res.Err != nil {
			t.Fatalf("batch %d after the receiver came back: %v", k, res.Err)
		}
		wantGRPCAcks(t, res, func(int) string { return AckSuccess })
	}
	if s := r.Stats(); s.Events != 160 || s.Streams != 8 {
		t.Fatalf("receiver stats %+v, want 160 events on 8 streams", s)
	}
}
