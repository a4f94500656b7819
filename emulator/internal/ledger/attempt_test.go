package ledger

import (
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestSharedHistoriesStayIndependent(t *testing.T) {
	l := New()
	in := l.Integration("s")
	at := time.Unix(0, 0)
	var ids []ID
	for i := range 3 {
		ids = append(ids, l.Add(in, at, &catalog.Event{UUID: string(rune('a' + i))}))
	}
	l.Attempt(ids, Attempt{Batch: 1, Status: 503})
	if &l.rec(ids[0]).attempts[0] != &l.rec(ids[2]).attempts[0] {
		t.Fatal("the records of one batch do not share their history")
	}
	l.Attempt(ids[:1], Attempt{Batch: 1, Ack: "Failure"}) // one event retried alone
	l.Attempt(ids[1:], Attempt{Batch: 1, Ack: "Success"})
	l.Attempt(ids[2:], Attempt{Batch: 9, Status: 200})
	want := [][]Attempt{
		{{Batch: 1, Status: 503}, {Batch: 1, Ack: "Failure"}},
		{{Batch: 1, Status: 503}, {Batch: 1, Ack: "Success"}},
		{{Batch: 1, Status: 503}, {Batch: 1, Ack: "Success"}, {Batch: 9, Status: 200}},
	}
	for i, id := range ids {
		got := l.Record(id).Attempts
		if len(got) != len(want[i]) {
			t.Fatalf("record %d attempts %+v, want %+v", i, got, want[i])
		}
		for j := range got {
			if got[j] != want[i][j] {
				t.Fatalf("record %d attempts %+v, want %+v", i, got, want[i])
			}
		}
	}
}
