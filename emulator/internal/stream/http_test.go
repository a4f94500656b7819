package stream_test

import (
	"encoding/json"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/stream"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit/receiver"
)

func TestHTTPRequestShape(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Authorization = "Basic dXNlcjpwYXNz" })
	evs := pushEvents(100)
	evs[0].UUID = "" // filled in by pwemu
	evs[1].Timestamp = 0
	f.hub.Publish(evs)
	f.clk.Advance(0)
	reqs := f.rcv.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests, want 1", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/events" {
		t.Fatalf("%s %s, want POST /events", r.Method, r.Path)
	}
	if got := r.Header.Get("Authorization"); got != "Basic dXNlcjpwYXNz" {
		t.Fatalf("Authorization %q, want it verbatim", got)
	}
	if got := r.Header.Get("Content-Type"); got != "application/json" {
		t.Fatalf("Content-Type %q, want application/json", got)
	}
	if !r.Close {
		t.Fatal("the request does not ask to close the connection (Connection: close)")
	}
	var raw []map[string]any
	if err := json.Unmarshal(r.Body, &raw); err != nil {
		t.Fatalf("body is not a JSON array: %v\n%s", err, r.Body)
	}
	if len(raw) != 100 {
		t.Fatalf("array of %d, want 100", len(raw))
	}
	seen := map[string]bool{}
	for i, o := range raw {
		u, _ := o["uuid"].(string)
		if len(u) != 36 || seen[u] {
			t.Fatalf("event %d has uuid %q: want a unique uuid on every event", i, u)
		}
		seen[u] = true
	}
	if raw[2]["uuid"] != evs[2].UUID {
		t.Fatalf("injected uuid not kept: %v, want %s", raw[2]["uuid"], evs[2].UUID)
	}
	if got, want := raw[1]["timestamp"], float64(clock.Epoch.Unix()); got != want {
		t.Fatalf("missing timestamp filled with %v, want the emulator time %v", got, want)
	}
	// the body is what events.AppendJSON writes, field for field
	want := evs[3].AppendJSON(nil)
	got, _ := json.Marshal(raw[3])
	var a, b map[string]any
	_ = json.Unmarshal(want, &a)
	_ = json.Unmarshal(got, &b)
	if len(a) != len(b) || a["hwid"] != b["hwid"] || a["payload"] != b["payload"] || a["campaign_id"] != b["campaign_id"] {
		t.Fatalf("event 3 sent as %s, want %s", got, want)
	}
}

func TestNoAuthorizationHeaderWhenNoneConfigured(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Authorization = "" })
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(0)
	if h := f.rcv.Requests()[0].Header; len(h.Values("Authorization")) != 0 {
		t.Fatalf("Authorization sent: %q", h.Values("Authorization"))
	}
}

func TestMissingUUIDsAreSeededAndInjectedOnesKept(t *testing.T) {
	run := func(seed int64) []string {
		rcv := receiver.StartHTTP(t)
		f := newFixtureWith(t, rcv, stream.Options{Seed: seed,
			Streams: planStreams(t, httpStream(rcv.URL()))})
		evs := pushEvents(100)
		for i := range evs {
			if i%2 == 0 {
				evs[i].UUID = ""
			}
		}
		f.hub.Publish(evs)
		f.clk.Advance(0)
		return uuids(f.rcv.Events())
	}
	a, b, c := run(7), run(7), run(8)
	if len(a) != 100 || !slices.Equal(a, b) {
		t.Fatalf("same seed, different uuids: %v vs %v", a[:2], b[:2])
	}
	if a[0] == c[0] {
		t.Fatalf("seeds 7 and 8 both made uuid %s", a[0])
	}
	if a[1] != pushEvents(2)[1].UUID {
		t.Fatalf("injected uuid %s replaced by %s", pushEvents(2)[1].UUID, a[1])
	}
	if len(a[0]) != 36 || a[0] == a[2] {
		t.Fatalf("generated uuids %q, %q: want distinct uuids", a[0], a[2])
	}
}

func TestFramingObjectSendsOneEventPerRequest(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Framing = "object" })
	f.hub.Publish(pushEvents(3))
	f.clk.Advance(0)
	reqs := f.rcv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3 (one per event, no waiting for the interval)", len(reqs))
	}
	var o map[string]any
	if err := json.Unmarshal(reqs[0].Body, &o); err != nil {
		t.Fatalf("body is not one JSON object: %v\n%s", err, reqs[0].Body)
	}
	if o["uuid"] != pushEvents(1)[0].UUID {
		t.Fatalf("object %v", o)
	}
}

func TestFramingNDJSON(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Framing = "ndjson"; s.Batch.Size = 3 })
	f.hub.Publish(pushEvents(3))
	f.clk.Advance(0)
	r := f.rcv.Requests()[0]
	if got := r.Header.Get("Content-Type"); got != "application/x-ndjson" {
		t.Fatalf("Content-Type %q", got)
	}
	var want []byte
	for _, e := range pushEvents(3) {
		want = append(e.AppendJSON(want), '\n')
	}
	if string(r.Body) != string(want) {
		t.Fatalf("body\n%s\nwant\n%s", r.Body, want)
	}
}

func TestChaosDuplicateSendsEveryBatchTwice(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Batch.Size = 10; s.Chaos.Duplicate = 1 })
	f.hub.Publish(pushEvents(30))
	f.clk.Advance(0)
	st := f.rcv.Stats()
	if st.Requests != 6 || st.Unique != 30 || st.Duplicates != 30 {
		t.Fatalf("receiver %+v, want 3 batches sent twice", st)
	}
	r := recordOf(t, f.led, pushEvents(1)[0].UUID)
	if len(r.Attempts) != 2 || r.Attempts[0].Batch != r.Attempts[1].Batch {
		t.Fatalf("attempts %+v, want the original and the copy of one batch", r.Attempts)
	}
	if tot := checkLedger(t, f.led); tot.Delivered != 30 {
		t.Fatalf("totals %+v", tot)
	}
}

func TestChaosDuplicateIsARequestOfItsOwn(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Batch.Size = 10; s.Chaos.Duplicate = 1 })
	f.hub.Publish(pushEvents(30))
	f.clk.Advance(0)
	if st := f.rcv.Stats(); st.Requests != 6 {
		t.Fatalf("receiver %+v, want 6 requests", st)
	}
	// The copy goes out at the same emulator time as the original, to the same batch.
	r := recordOf(t, f.led, pushEvents(1)[0].UUID)
	if len(r.Attempts) != 2 || !r.Attempts[0].At.Equal(r.Attempts[1].At) || r.Attempts[0].Request == r.Attempts[1].Request {
		t.Fatalf("attempts %+v, want two requests at one time", r.Attempts)
	}
	if got := f.led.Summarize().StatusCounts; len(got) != 1 || got[200] != 6 {
		t.Fatalf("StatusCounts %v, want map[200:6]: 3 batches, each sent twice", got)
	}
}

func TestChaosDuplicateShareIsSeeded(t *testing.T) {
	count := func() int {
		f := newFixture(t, func(s *scenarios.Stream) { s.Batch.Size = 1; s.Chaos.Duplicate = 0.3 })
		f.hub.Publish(pushEvents(100))
		f.clk.Advance(0)
		return f.rcv.Stats().Duplicates
	}
	a, b := count(), count()
	if a != b || a < 15 || a > 45 {
		t.Fatalf("duplicates %d and %d: want the same number near 30 (30%% of 100)", a, b)
	}
}

func TestChaosReorderShufflesInsideABatch(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Chaos.Reorder = true })
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(0)
	got := uuids(f.rcv.Events())
	want := uuids(pushEvents(100))
	if slices.Equal(got, want) {
		t.Fatal("events arrived in publish order with reorder on")
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatal("reorder changed which events were sent")
	}
}

func TestChaosSlowDelaysEachSendOnTheEmulatorClock(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) {
		s.Batch.Size = 10
		s.Chaos.Slow = scenarios.Duration(2 * time.Second)
	}, receiver.WithHTTPResponses(status(503)))
	f.hub.Publish(pushEvents(20))
	f.clk.Advance(time.Second)
	if got := f.rcv.Stats().Requests; got != 0 {
		t.Fatalf("%d requests after 1s, want 0 (sends wait 2s)", got)
	}
	f.clk.Advance(time.Minute)
	first := recordOf(t, f.led, pushEvents(1)[0].UUID)
	// sent at 2s, answered 503, retried 1s later plus the 2s delay
	if got, want := attemptOffsets(first), []time.Duration{2 * time.Second, 5 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("first batch attempts at %v, want %v", got, want)
	}
	second := recordOf(t, f.led, pushEventsFrom(10, 1)[0].UUID)
	if got, want := attemptOffsets(second), []time.Duration{4 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("second batch attempts at %v, want %v", got, want)
	}
}

func uuids(evs []catalog.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.UUID
	}
	return out
}

func TestHTTPSEndpointWithTheScenarioCA(t *testing.T) {
	var got atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Add(1)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	srv.StartTLS()
	defer srv.Close()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(tls scenarios.TLS) ledger.Attempt {
		s := httpStream(srv.URL + "/events")
		s.TLS = tls
		s.Batch.Size = 1
		f := newFixtureWith(t, nil, stream.Options{Streams: planStreams(t, s)})
		f.hub.Publish(pushEvents(1))
		f.clk.Advance(0)
		return f.led.Records(ledger.Query{})[0].Attempts[0]
	}
	if a := run(scenarios.TLS{CA: caFile}); a.Status != 200 {
		t.Fatalf("with the CA: %+v, want 200", a)
	}
	if a := run(scenarios.TLS{InsecureSkipVerify: true}); a.Status != 200 {
		t.Fatalf("with insecure_skip_verify: %+v, want 200", a)
	}
	if a := run(scenarios.TLS{}); a.Status != 0 || !strings.Contains(a.Error, "certificate") {
		t.Fatalf("without the CA: %+v, want a certificate error", a)
	}
	if got.Load() != 2 {
		t.Fatalf("server got %d requests, want 2", got.Load())
	}
	_, err := stream.New(stream.Options{Clock: clock.NewManual(clock.Epoch), Ledger: ledger.New(),
		Streams: planStreams(t, scenarios.Stream{Endpoint: srv.URL, Events: []string{"Push Sent"}, Platforms: []string{"iOS"},
			TLS: scenarios.TLS{CA: filepath.Join(t.TempDir(), "missing.pem")}})})
	if err == nil || !strings.Contains(err.Error(), "tls.ca") {
		t.Fatalf("a missing CA file: %v, want a tls.ca error", err)
	}
}
