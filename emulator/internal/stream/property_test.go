package stream_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// faultyReceiver answers at random, from a seed: 5xx, connection resets, hangs (cut by
// pwemu's timeout), slow answers, 4xx, and mostly 200.
func faultyReceiver(seed uint64) receiver.HTTPScript {
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(seed, seed))
	return func(int, *receiver.HTTPRequest) receiver.HTTPResponse {
		mu.Lock()
		defer mu.Unlock()
		switch x := rng.Float64(); {
		case x < 0.20:
			return receiver.HTTPStatus(500 + rng.IntN(5))
		case x < 0.28:
			return receiver.HTTPReset()
		case x < 0.29:
			return receiver.HTTPHang()
		case x < 0.34:
			return receiver.HTTPSlow(time.Duration(1+rng.IntN(4))*time.Millisecond, 200)
		case x < 0.36:
			return receiver.HTTPStatus(400 + rng.IntN(30))
		default:
			return receiver.HTTPStatus(200)
		}
	}
}

// failed tells a failed attempt (to be retried) from an answer.
func failed(a ledger.Attempt) bool { return a.Error != "" || a.Status >= 500 }

func TestPropertyLedgerHoldsUnderReceiverFaults(t *testing.T) {
	const total = 100_000
	f := newFixture(t, func(s *scenarios.Stream) { s.Concurrency = 2 },
		receiver.WithHTTPScript(faultyReceiver(42)))
	// Every timer that falls due while a request hangs costs Advance one patience span
	// of wall time; a shorter one keeps the test quick. Should a busy machine stretch a
	// normal request past it, that request times out in emulator time: a genuine
	// failed attempt, which the properties below allow for.
	f.clk.SetPatience(50 * time.Millisecond)
	rng := rand.New(rand.NewPCG(7, 7))

	// The invariant must hold at every moment, not only between steps: check it on
	// every change the ledger signals.
	ctx, stop := context.WithCancel(context.Background())
	watched := make(chan error, 1)
	go func() {
		tot, err := f.led.Wait(ctx, func(t ledger.Totals) bool { return !t.Balanced() })
		if err == nil {
			watched <- errUnbalanced(tot)
		}
		close(watched)
	}()

	published, filtered := 0, 0
	for published < total {
		n := min(500+rng.IntN(2500), total-published)
		evs := pushEventsFrom(published, n)
		for i := range evs {
			if rng.IntN(20) == 0 { // 5% the stream does not subscribe to
				evs[i].EventName = "Push Opened"
				filtered++
			}
		}
		f.hub.Publish(evs)
		published += n
		f.clk.Advance(time.Duration(rng.IntN(20)) * time.Minute)
		if tot := checkLedger(t, f.led); tot.Generated != published || tot.Filtered != filtered {
			t.Fatalf("after %d published (%d filtered): %+v", published, filtered, tot)
		}
	}
	for i := 0; i < 24 && f.led.Totals().Pending > 0; i++ {
		f.clk.Advance(time.Hour)
	}
	stop()
	if err := <-watched; err != nil {
		t.Fatal(err)
	}

	tot := checkLedger(t, f.led)
	if tot.Pending != 0 || tot.Generated != total || tot.Filtered != filtered {
		t.Fatalf("final totals %+v: want every one of %d events terminal, %d filtered", tot, total, filtered)
	}
	if tot.Dropped == 0 || tot.Delivered == 0 {
		t.Fatalf("final totals %+v: the faults should have both delivered and dropped some", tot)
	}
	counts := f.rcv.Counts()
	for _, q := range f.rcv.Requests() {
		if n := len(q.Events); n == 0 || n > 100 {
			t.Fatalf("request %d carried %d events, want 1..100", q.N, n)
		}
	}
	retried := 0
	for _, r := range f.led.Records(ledger.Query{}) {
		got := counts[r.Event.UUID]
		if r.State == ledger.Filtered {
			if got != 0 || len(r.Attempts) != 0 {
				t.Fatalf("filtered %s was received %d times, %d attempts", r.Event.UUID, got, len(r.Attempts))
			}
			continue
		}
		as := r.Attempts
		nfailed := 0
		for i, a := range as {
			if a.Batch != as[0].Batch || (i > 0 && !a.At.After(as[i-1].At)) {
				t.Fatalf("%s: attempts %+v: want one batch, strictly later each time", r.Event.UUID, as)
			}
			if failed(a) {
				nfailed++
			}
		}
		last := as[len(as)-1]
		switch r.State {
		case ledger.Delivered:
			if failed(last) || nfailed != len(as)-1 || got < 1 {
				t.Fatalf("delivered %s: attempts %+v, received %d", r.Event.UUID, as, got)
			}
		case ledger.Dropped:
			if len(as) != 4 || nfailed != 4 {
				t.Fatalf("dropped %s after attempts %+v: want 4 failed attempts", r.Event.UUID, as)
			}
		default:
			t.Fatalf("%s ended %v", r.Event.UUID, r.State)
		}
		// Received more than once only when an earlier attempt of its batch failed.
		if got > len(as) || (got > 1 && nfailed < got-1) {
			t.Fatalf("%s received %d times with attempts %+v", r.Event.UUID, got, as)
		}
		if got > 1 {
			retried++
		}
	}
	t.Logf("totals %+v; %d requests; %d events received more than once after a failed attempt",
		tot, f.rcv.Stats().Requests, retried)
}

type errUnbalanced ledger.Totals

func (e errUnbalanced) Error() string {
	return fmt.Sprintf("ledger unbalanced while running: %+v", ledger.Totals(e))
}
