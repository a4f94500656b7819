package ledger

import (
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestDetailIsBoundedTotalsStayExact(t *testing.T) {
	const max = 1000
	l := NewBounded(max)
	in := l.Integration("s")
	at := time.Unix(0, 0)
	var ids []ID
	// 3 chunks' worth of events and a little more: chunks are freed as they empty.
	n := 3*chunkSize + 17
	for i := 0; i < n; i++ {
		ids = append(ids, l.Add(in, at, &catalog.Event{UUID: strconv.Itoa(i), EventName: "Push Sent"}))
	}
	// The oldest pending event is evicted from the detail but can still be delivered.
	oldest := ids[0]
	if evs := l.Events(nil, []ID{oldest}); evs[0].UUID != "0" {
		t.Fatalf("an evicted pending event reads back as %+v", evs[0])
	}
	l.Settle(ids[:n-10], Delivered, at)
	snap := l.Snapshot(Query{})
	if len(snap.Records) != max || snap.Evicted != n-max {
		t.Fatalf("kept %d records, evicted %d; want %d and %d", len(snap.Records), snap.Evicted, max, n-max)
	}
	want := Totals{Generated: n, Delivered: n - 10, Pending: 10}
	if snap.Totals != want || !snap.Totals.Balanced() {
		t.Fatalf("totals %+v, want %+v", snap.Totals, want)
	}
	if first := snap.Records[0]; first.Event.UUID != strconv.Itoa(n-max) {
		t.Fatalf("oldest kept record is %q, want %d", first.Event.UUID, n-max)
	}
	if len(l.held) != 0 {
		t.Fatalf("%d evicted records held after they settled", len(l.held))
	}
	if len(l.chunks) > max/chunkSize+2 {
		t.Fatalf("%d chunks kept for %d records", len(l.chunks), max)
	}
	// Settling an evicted record twice changes nothing.
	l.Settle(ids[:5], Dropped, at)
	if got := l.Totals(); got != want {
		t.Fatalf("totals moved on a second settle of evicted records: %+v", got)
	}
}

func TestCountedEventsStoreNothing(t *testing.T) {
	l := NewBounded(10)
	none := l.Integration("")
	l.Count(none, 1_000_000, "no integration takes it")
	if got := l.Totals(); got != (Totals{Generated: 1_000_000, Filtered: 1_000_000}) {
		t.Fatalf("totals %+v", got)
	}
	if snap := l.Snapshot(Query{}); len(snap.Records) != 0 || len(l.chunks) != 0 {
		t.Fatalf("counted events were stored: %d records, %d chunks", len(snap.Records), len(l.chunks))
	}
}

// One answer once showed 6,300 records against totals of 5,400: a snapshot's records
// and totals come from the same moment.
func TestSnapshotIsConsistent(t *testing.T) {
	l := New()
	in := l.Integration("s")
	at := time.Unix(0, 0)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Bounded below the ledger's record bound: evicted records would no longer add
		// up to the totals, which is right but not what this test checks.
		for range 1_000 { // 50 records each: far below the bound
			select {
			case <-stop:
				return
			default:
			}
			ids := l.AddBatch(in, at, make([]catalog.Event, 50), nil)
			l.Settle(ids[:25], Delivered, at)
		}
	}()
	for range 50 {
		snap := l.Snapshot(Query{})
		byState := Totals{Generated: len(snap.Records)}
		for _, r := range snap.Records {
			byState.add(r.State, 1)
		}
		if byState != snap.Totals {
			close(stop)
			wg.Wait()
			t.Fatalf("records add up to %+v, totals say %+v", byState, snap.Totals)
		}
	}
	close(stop)
	wg.Wait()
}
