package stream_test

import (
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/stream"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit/receiver"
)

func TestRetryScheduleOn503ThenDropped(t *testing.T) {
	f := newFixture(t, nil, receiver.WithHTTPDefault(status(503)))
	f.clk.Advance(10 * time.Second) // t = 10s
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(time.Minute)
	r := recordOf(t, f.led, pushEvents(1)[0].UUID)
	want := []time.Duration{10 * time.Second, 11 * time.Second, 14 * time.Second, 22 * time.Second}
	if got := attemptOffsets(r); !slices.Equal(got, want) {
		t.Fatalf("attempts at %v, want %v", got, want)
	}
	for i, a := range r.Attempts {
		if a.Status != 503 || a.Error != "" || a.Transport != "http" || a.Batch != r.Attempts[0].Batch {
			t.Fatalf("attempt %d = %+v, want status 503 on http, batch %d", i, a, r.Attempts[0].Batch)
		}
	}
	if r.State != ledger.Dropped || !r.SettledAt.Equal(clock.Epoch.Add(22*time.Second)) {
		t.Fatalf("record %v settled at %v, want dropped at 22s", r.State, r.SettledAt)
	}
	if got := batchSizes(f.rcv); !slices.Equal(got, []int{100, 100, 100, 100}) {
		t.Fatalf("receiver got %v, want the same 100 four times", got)
	}
	if tot := checkLedger(t, f.led); tot.Dropped != 100 {
		t.Fatalf("totals %+v, want 100 dropped", tot)
	}
}

func TestRetrySucceedsAfterTwo503(t *testing.T) {
	f := newFixture(t, nil, receiver.WithHTTPResponses(receiver.HTTPRepeat(status(503), 2)...))
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(time.Minute)
	r := recordOf(t, f.led, pushEvents(1)[0].UUID)
	if got, want := attemptOffsets(r), []time.Duration{0, time.Second, 4 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("attempts at %v, want %v", got, want)
	}
	if r.State != ledger.Delivered || r.Attempts[2].Status != 200 {
		t.Fatalf("record %v, last attempt %+v; want delivered with 200", r.State, r.Attempts[2])
	}
	if st := f.rcv.Stats(); st.Unique != 100 || st.Duplicates != 200 {
		t.Fatalf("receiver %+v, want 100 uuids each received 3 times", st)
	}
}

func TestA400IsNotRetriedAndCountsAsDelivered(t *testing.T) {
	f := newFixture(t, nil, receiver.WithHTTPDefault(status(400)))
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(time.Hour)
	r := recordOf(t, f.led, pushEvents(1)[0].UUID)
	if len(r.Attempts) != 1 || r.Attempts[0].Status != 400 || r.Attempts[0].Error != "" {
		t.Fatalf("attempts %+v, want one with status 400", r.Attempts)
	}
	if r.State != ledger.Delivered {
		t.Fatalf("state %v, want delivered", r.State)
	}
	if got := f.rcv.Stats().Requests; got != 1 {
		t.Fatalf("requests %d, want 1", got)
	}
	if tot := checkLedger(t, f.led); tot.Delivered != 100 {
		t.Fatalf("totals %+v", tot)
	}
}

func TestOtherCodesAreAnswersToo(t *testing.T) {
	for _, code := range []int{201, 204, 301, 404, 429} {
		f := newFixture(t, nil, receiver.WithHTTPDefault(status(code)))
		f.hub.Publish(pushEvents(100))
		f.clk.Advance(time.Minute)
		r := recordOf(t, f.led, pushEvents(1)[0].UUID)
		if len(r.Attempts) != 1 || r.Attempts[0].Status != code || r.State != ledger.Delivered {
			t.Fatalf("code %d: state %v attempts %+v, want one attempt, delivered", code, r.State, r.Attempts)
		}
	}
}

func TestHangingReceiverIsCutAtTheTimeoutThenRetried(t *testing.T) {
	f := newFixture(t, nil, receiver.WithHTTPResponses(hang()))
	f.clk.SetPatience(hangPatience)
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(30 * time.Second) // the hang is cut at 30s; nothing else is due
	f.clk.Advance(time.Second)      // the retry, 1s after the failure
	waitTotals(t, f.led, func(t ledger.Totals) bool { return t.Pending == 0 })
	r := recordOf(t, f.led, pushEvents(1)[0].UUID)
	if got, want := attemptOffsets(r), []time.Duration{0, 31 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("attempts at %v, want %v (cut at 30s, retried 1s later)", got, want)
	}
	if a := r.Attempts[0]; a.Status != 0 || a.Error != "timeout: no answer within 30s" {
		t.Fatalf("first attempt %+v, want the timeout error", a)
	}
	if r.State != ledger.Delivered || !r.SettledAt.Equal(clock.Epoch.Add(31*time.Second)) {
		t.Fatalf("state %v at %v, want delivered at 31s", r.State, r.SettledAt)
	}
}

func TestTimedOutAttemptLastsTheTimeout(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Timeout = scenarios.Duration(5 * time.Second) },
		receiver.WithHTTPResponses(hang()))
	f.clk.SetPatience(hangPatience)
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(5 * time.Second) // the hang is cut at 5s
	f.clk.Advance(time.Second)     // the retry gets a 200
	waitTotals(t, f.led, func(t ledger.Totals) bool { return t.Pending == 0 })
	r := recordOf(t, f.led, pushEvents(1)[0].UUID)
	if len(r.Attempts) != 2 || r.Attempts[0].Error != "timeout: no answer within 5s" || r.Attempts[1].Status != 200 {
		t.Fatalf("attempts %+v, want a timeout then a 200", r.Attempts)
	}
	// The emulator time the attempt lasted, not the wall time Advance waited for it.
	if got := r.Attempts[0].Latency; got != 5*time.Second {
		t.Fatalf("latency of the timed-out attempt %v, want the 5s timeout", got)
	}
	if got := f.led.Summarize().MaxLatency; got != 5*time.Second {
		t.Fatalf("MaxLatency %v, want 5s: a hanging receiver must fail max_latency checks", got)
	}
}

func TestTimeoutComesFromTheScenario(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) {
		s.Timeout = scenarios.Duration(5 * time.Second)
		s.Retry.Delays = []scenarios.Duration{scenarios.Duration(2 * time.Second)}
	}, receiver.WithHTTPDefault(hang()))
	f.clk.SetPatience(hangPatience)
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(time.Minute)
	waitTotals(t, f.led, func(t ledger.Totals) bool { return t.Pending == 0 })
	r := recordOf(t, f.led, pushEvents(1)[0].UUID)
	if got, want := attemptOffsets(r), []time.Duration{0, 7 * time.Second}; !slices.Equal(got, want) {
		t.Fatalf("attempts at %v, want %v", got, want)
	}
	if r.State != ledger.Dropped || !r.SettledAt.Equal(clock.Epoch.Add(12*time.Second)) {
		t.Fatalf("state %v at %v, want dropped at 12s", r.State, r.SettledAt)
	}
	if !strings.Contains(r.Attempts[1].Error, "within 5s") {
		t.Fatalf("error %q does not name the 5s timeout", r.Attempts[1].Error)
	}
}

func TestConnectionErrorsAreRetried(t *testing.T) {
	t.Run("reset", func(t *testing.T) {
		f := newFixture(t, nil, receiver.WithHTTPResponses(receiver.HTTPReset()))
		f.hub.Publish(pushEvents(100))
		f.clk.Advance(time.Minute)
		r := recordOf(t, f.led, pushEvents(1)[0].UUID)
		if got, want := attemptOffsets(r), []time.Duration{0, time.Second}; !slices.Equal(got, want) {
			t.Fatalf("attempts at %v, want %v", got, want)
		}
		if r.Attempts[0].Error == "" || r.Attempts[0].Status != 0 || r.State != ledger.Delivered {
			t.Fatalf("record %v attempts %+v, want a failed first attempt then delivered", r.State, r.Attempts)
		}
	})
	t.Run("refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close() // nobody listens there now
		f := newFixtureWith(t, nil, stream.Options{Streams: planStreams(t, httpStream("http://"+addr+"/x"))})
		f.hub.Publish(pushEvents(100))
		f.clk.Advance(time.Minute)
		r := recordOf(t, f.led, pushEvents(1)[0].UUID)
		if got, want := attemptOffsets(r), []time.Duration{0, time.Second, 4 * time.Second, 12 * time.Second}; !slices.Equal(got, want) {
			t.Fatalf("attempts at %v, want %v", got, want)
		}
		if !strings.Contains(r.Attempts[0].Error, "refused") || r.State != ledger.Dropped {
			t.Fatalf("record %v, first error %q: want refused, dropped", r.State, r.Attempts[0].Error)
		}
	})
}

func TestRetriesKeepTheirOwnSchedule(t *testing.T) {
	// The first batch fails; the second, sent 2 s later, succeeds and does not carry
	// the first one's events; the retry goes out alone 1 s after the failure.
	f := newFixture(t, func(s *scenarios.Stream) { s.Batch.Size = 10 },
		receiver.WithHTTPResponses(status(503)))
	f.hub.Publish(pushEventsFrom(0, 10))
	f.clk.Advance(500 * time.Millisecond)
	f.hub.Publish(pushEventsFrom(10, 10))
	f.clk.Advance(time.Minute)
	reqs := f.rcv.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	first, second, retry := reqs[0].Events, reqs[1].Events, reqs[2].Events
	if first[0].UUID != pushEvents(1)[0].UUID || second[0].UUID != pushEventsFrom(10, 1)[0].UUID {
		t.Fatalf("requests out of order: %s, %s", first[0].UUID, second[0].UUID)
	}
	if len(retry) != 10 || retry[0].UUID != first[0].UUID {
		t.Fatalf("the retry carries %d events starting %s, want the first batch alone", len(retry), retry[0].UUID)
	}
	r := recordOf(t, f.led, first[0].UUID)
	if got, want := attemptOffsets(r), []time.Duration{0, time.Second}; !slices.Equal(got, want) {
		t.Fatalf("attempts at %v, want %v", got, want)
	}
}

func TestConcurrencyOneKeepsOrder(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Batch.Size = 10 })
	f.hub.Publish(pushEvents(200))
	f.clk.Advance(0)
	i := 0
	for _, e := range f.rcv.Events() {
		if want := pushEventsFrom(i, 1)[0].UUID; e.UUID != want {
			t.Fatalf("event %d is %s, want %s", i, e.UUID, want)
		}
		i++
	}
	if i != 200 {
		t.Fatalf("received %d events, want 200", i)
	}
}

func TestConcurrencyLimitsBatchesInFlight(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) { s.Batch.Size = 10; s.Concurrency = 3 },
		receiver.WithHTTPDefault(hang()))
	f.clk.SetPatience(hangPatience)
	f.hub.Publish(pushEvents(100))
	waitRequests(t, f, 3)
	// a fourth would be in flight by now if the limit did not hold
	f.clk.Advance(0) // returns once the hanging work stalls (patience)
	if got := f.rcv.Stats().Requests; got != 3 {
		t.Fatalf("requests in flight %d, want 3", got)
	}
}
