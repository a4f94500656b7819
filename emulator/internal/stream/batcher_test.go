package stream_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/scenarios"
)

func TestBacklogGoesOutAsFullBatchesThenTheRestAfterTheInterval(t *testing.T) {
	f := newFixture(t, nil)
	f.hub.Publish(pushEvents(250))
	f.clk.Advance(0)
	if got, want := batchSizes(f.rcv), []int{100, 100}; !slices.Equal(got, want) {
		t.Fatalf("after Advance(0) the receiver got batches %v, want %v", got, want)
	}
	f.clk.Advance(59 * time.Minute)
	if got := f.rcv.Stats().Events; got != 200 {
		t.Fatalf("after 59m the receiver has %d events, want still 200", got)
	}
	f.clk.Advance(time.Minute)
	if got, want := batchSizes(f.rcv), []int{100, 100, 50}; !slices.Equal(got, want) {
		t.Fatalf("after 1h the receiver got batches %v, want %v", got, want)
	}
	reqs := f.rcv.Requests()
	last := recordOf(t, f.led, reqs[2].Events[0].UUID)
	if got := attemptOffsets(last); !slices.Equal(got, []time.Duration{time.Hour}) {
		t.Fatalf("the last 50 went out at %v, want [1h]", got)
	}
	tot := checkLedger(t, f.led)
	if tot.Delivered != 250 || tot.Pending != 0 {
		t.Fatalf("totals %+v, want 250 delivered", tot)
	}
	if st := f.rcv.Stats(); st.Unique != 250 || st.Duplicates != 0 {
		t.Fatalf("receiver stats %+v, want 250 unique uuids and no duplicate", st)
	}
}

func TestIntervalCountsFromTheLatestTransmission(t *testing.T) {
	f := newFixture(t, nil)
	f.clk.Advance(30 * time.Minute)
	f.hub.Publish(pushEvents(100)) // size trigger at 30m: the timer now aims at 1h30m
	f.hub.Publish(pushEventsFrom(100, 5))
	f.clk.Advance(59 * time.Minute) // 1h29m
	if got := batchSizes(f.rcv); !slices.Equal(got, []int{100}) {
		t.Fatalf("at 1h29m batches %v, want [100]", got)
	}
	f.clk.Advance(time.Minute)
	if got := batchSizes(f.rcv); !slices.Equal(got, []int{100, 5}) {
		t.Fatalf("at 1h30m batches %v, want [100 5]", got)
	}
}

func TestNeverAnEmptyBatch(t *testing.T) {
	f := newFixture(t, nil)
	for range 5 {
		f.clk.Advance(time.Hour) // the timer fires with nothing queued and re-arms
	}
	if st := f.rcv.Stats(); st.Requests != 0 {
		t.Fatalf("the receiver got %d requests with nothing published, want 0", st.Requests)
	}
	if err := f.hub.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := f.rcv.Stats(); st.Requests != 0 {
		t.Fatalf("Flush with nothing queued sent %d requests, want 0", st.Requests)
	}
	// the timer is still periodic: an event published now waits at most one hour
	f.hub.Publish(pushEvents(1))
	f.clk.Advance(time.Hour)
	if got := batchSizes(f.rcv); !slices.Equal(got, []int{1}) {
		t.Fatalf("batches %v, want [1]", got)
	}
}

func TestBatchSizeAndIntervalComeFromTheScenario(t *testing.T) {
	f := newFixture(t, func(s *scenarios.Stream) {
		s.Batch = scenarios.Batch{Size: 10, Interval: scenarios.Duration(5 * time.Minute)}
	})
	f.hub.Publish(pushEvents(25))
	f.clk.Advance(0)
	if got := batchSizes(f.rcv); !slices.Equal(got, []int{10, 10}) {
		t.Fatalf("batches %v, want [10 10]", got)
	}
	f.clk.Advance(5 * time.Minute)
	if got := batchSizes(f.rcv); !slices.Equal(got, []int{10, 10, 5}) {
		t.Fatalf("batches %v, want [10 10 5]", got)
	}
}

func TestFlushSendsPendingBatchesOnce(t *testing.T) {
	f := newFixture(t, nil)
	f.hub.Publish(pushEvents(130))
	f.clk.Advance(0)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := f.hub.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if got := batchSizes(f.rcv); !slices.Equal(got, []int{100, 30}) {
		t.Fatalf("batches %v, want [100 30]", got)
	}
	if err := f.hub.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	f.clk.Advance(2 * time.Hour)
	if got := f.rcv.Stats().Requests; got != 2 {
		t.Fatalf("requests after a second Flush and 2h: %d, want 2", got)
	}
	if tot := checkLedger(t, f.led); tot.Delivered != 130 {
		t.Fatalf("totals %+v, want 130 delivered", tot)
	}
}

func TestFlushIsBoundedByItsContext(t *testing.T) {
	f := newFixture(t, nil)
	f.rcv.SetDefault(hang())
	f.hub.Publish(pushEvents(10))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := f.hub.Flush(ctx) // the manual clock stands still: the 30 s timeout never comes
	if err == nil {
		t.Fatal("Flush returned nil with a receiver that never answers")
	}
	if want := "1 batches not sent"; !contains(err.Error(), want) {
		t.Fatalf("Flush error %q does not say %q", err, want)
	}
}

func TestCloseStopsEverythingAndKeepsEventsPending(t *testing.T) {
	f := newFixture(t, nil)
	f.rcv.SetDefault(hang())
	f.hub.Publish(pushEvents(150)) // 100 in flight (hanging), 50 queued
	waitRequests(t, f, 1)
	if err := f.hub.Close(); err != nil {
		t.Fatal(err)
	}
	f.hub.Publish(pushEvents(100))
	f.clk.Advance(3 * time.Hour)
	if got := f.rcv.Stats().Requests; got != 1 {
		t.Fatalf("requests after Close: %d, want only the 1 sent before", got)
	}
	tot := checkLedger(t, f.led)
	if tot.Pending != 250 || tot.Generated != 250 {
		t.Fatalf("totals %+v, want all 250 pending", tot)
	}
	r := f.led.Records(ledger.Query{Limit: 1})[0]
	if len(r.Attempts) != 1 || r.Attempts[0].Error != "cancelled: emulator closed" {
		t.Fatalf("attempts of the batch cut by Close: %+v", r.Attempts)
	}
	if err := f.hub.Flush(context.Background()); err == nil {
		t.Fatal("Flush after Close returned nil")
	}
}
