package ledger

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestAddBatchRecordsPendingAndFilteredInOneCall(t *testing.T) {
	l := New()
	other := l.Integration("other")
	in := l.Integration("s")
	l.Add(other, time.Unix(0, 0), &catalog.Event{UUID: "before"})
	at := time.Unix(100, 0)
	evs := []catalog.Event{{UUID: "a"}, {UUID: "b"}, {UUID: "c"}, {UUID: "d"}}

	pending := l.AddBatch(in, at, evs, []string{"", "platform not subscribed", "", "campaign filter"})
	if want := []ID{1, 3}; !slices.Equal(pending, want) {
		t.Fatalf("pending IDs %v, want %v", pending, want)
	}
	want := []struct {
		uuid   string
		state  State
		reason string
	}{{"a", Pending, ""}, {"b", Filtered, "platform not subscribed"}, {"c", Pending, ""}, {"d", Filtered, "campaign filter"}}
	recs := l.Records(Query{Integration: "s"})
	if len(recs) != len(want) {
		t.Fatalf("%d records, want %d", len(recs), len(want))
	}
	for i, r := range recs {
		w := want[i]
		if r.Event.UUID != w.uuid || r.State != w.state || r.Reason != w.reason || !r.GeneratedAt.Equal(at) {
			t.Fatalf("record %d: %+v, want %s %v %q generated at %v", i, r, w.uuid, w.state, w.reason, at)
		}
		if (r.SettledAt != nil) != (w.state == Filtered) || r.SettledAt != nil && !r.SettledAt.Equal(at) {
			t.Fatalf("record %d settled at %v, want %v only when filtered", i, r.SettledAt, at)
		}
	}
	if got := l.IntegrationTotals()["s"]; got != (Totals{Generated: 4, Filtered: 2, Pending: 2}) {
		t.Fatalf("totals of s: %+v", got)
	}
	if got := l.Totals(); got != (Totals{Generated: 5, Filtered: 2, Pending: 3}) {
		t.Fatalf("totals: %+v", got)
	}

	// nil reasons: every event pending.
	if got := l.AddBatch(in, at, evs[:2], nil); !slices.Equal(got, []ID{5, 6}) {
		t.Fatalf("pending IDs %v, want [5 6]", got)
	}
	if got := l.AddBatch(in, at, nil, nil); len(got) != 0 {
		t.Fatalf("no events gave IDs %v", got)
	}
}

func TestAddBatchWakesWaiters(t *testing.T) {
	l := New()
	in := l.Integration("s")
	done := make(chan error, 1)
	go func() {
		_, err := l.Wait(t.Context(), func(t Totals) bool { return t.Pending == 3 })
		done <- err
	}()
	l.AddBatch(in, time.Unix(0, 0), []catalog.Event{{UUID: "a"}, {UUID: "b"}, {UUID: "c"}}, nil)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-ctx.Done():
		t.Fatal("Wait did not see the batch")
	}
}

func TestCloseEndsEveryWait(t *testing.T) {
	l := New()
	in := l.Integration("s")
	id := l.Add(in, time.Unix(0, 0), &catalog.Event{UUID: "a"})
	l.Attempt([]ID{id}, Attempt{Batch: 1, Status: 503})

	done := make(chan error, 1)
	go func() {
		_, err := l.Wait(t.Context(), func(t Totals) bool { return t.Delivered == 1 }) // never
		done <- err
	}()
	l.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second) // bounds a regression
	defer cancel()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Fatalf("Wait returned %v, want ErrClosed", err)
		}
	case <-ctx.Done():
		t.Fatal("Close did not wake the waiter")
	}
	if ErrClosed.Error() != "ledger closed: the scenario was replaced or reset" {
		t.Fatalf("ErrClosed says %q", ErrClosed)
	}

	// A later Wait ends at once, even with a condition that holds.
	tot, err := l.Wait(t.Context(), func(Totals) bool { return true })
	if !errors.Is(err, ErrClosed) || tot != (Totals{Generated: 1, Pending: 1}) {
		t.Fatalf("Wait after Close: %+v, %v; want the totals and ErrClosed", tot, err)
	}
	// The records stay readable.
	r := l.Record(id)
	if r.Event.UUID != "a" || r.State != Pending || len(r.Attempts) != 1 || r.Attempts[0].Status != 503 {
		t.Fatalf("record after Close: %+v", r)
	}
	if n := len(l.Records(Query{})); n != 1 {
		t.Fatalf("%d records after Close, want 1", n)
	}
}

func TestSummarizeCountsEveryRequestOnce(t *testing.T) {
	l := New()
	in := l.Integration("s")
	at := time.Unix(0, 0)
	ids := l.AddBatch(in, at, []catalog.Event{{UUID: "a"}, {UUID: "b"}}, nil)
	// A batch and its chaos copy, sent at the same emulator time: two requests, each
	// shared by both events.
	l.Attempt(ids, Attempt{At: at, Batch: 1, Request: 1, Status: 200})
	l.Attempt(ids, Attempt{At: at, Batch: 1, Request: 2, Status: 200})
	if got := l.Summarize().StatusCounts; len(got) != 1 || got[200] != 2 {
		t.Fatalf("StatusCounts %v, want map[200:2]", got)
	}
}
