package journal_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pwemu/pwemu/emulator/internal/journal"
)

func entry(i int) journal.Entry {
	return journal.Entry{Method: "m" + strconv.Itoa(i), Path: "/json/1.3/m", HTTPStatus: 200,
		Request: json.RawMessage(`{"request":{}}`), Response: json.RawMessage(`{"status_code":200}`)}
}

// entrySize is what entry(i) counts against the bound for a one-digit i.
var entrySize = func() int {
	j := journal.New(0)
	j.Add(entry(0))
	return j.Bytes()
}()

func TestJournalIsBoundedByBytesOldestFirst(t *testing.T) {
	j := journal.New(3 * entrySize)
	for i := range 5 {
		j.Add(entry(i))
	}
	if j.Len() != 3 || j.Total() != 5 || j.Bytes() > 3*entrySize {
		t.Fatalf("Len, Total, Bytes = %d, %d, %d; want 3, 5, ≤ %d", j.Len(), j.Total(), j.Bytes(), 3*entrySize)
	}
	got := j.Entries()
	for i, want := range []string{"m2", "m3", "m4"} {
		if got[i].Method != want {
			t.Fatalf("entries = %v, want methods m2 m3 m4", got)
		}
	}
	j.Add(entry(5))
	if got := j.Entries(); got[0].Method != "m3" || got[2].Method != "m5" {
		t.Fatalf("after one more add: first %s last %s, want m3 m5", got[0].Method, got[2].Method)
	}
	// One large call pushes out as many small ones as its size needs.
	big := entry(6)
	big.Response = json.RawMessage(`"` + strings.Repeat("x", 2*entrySize) + `"`)
	j.Add(big)
	if got := j.Entries(); len(got) != 1 || got[0].Method != "m6" {
		t.Fatalf("after a call thrice the size of the others: %d entries, want only it", len(got))
	}
	if p := j.Page("", 0, 10); p.Evicted != 6 || p.Total != 1 {
		t.Fatalf("page: evicted %d, total %d; want 6, 1", p.Evicted, p.Total)
	}
}

// 30,000 calls of 64 KiB once took gigabytes: the bound holds whatever comes in.
func TestJournalBytesStayWithinTheBoundUnderLargeCalls(t *testing.T) {
	const bound = 1 << 20
	j := journal.New(bound)
	body := json.RawMessage(`"` + strings.Repeat("y", journal.MaxRequestBytes) + `"`)
	for i := range 2000 {
		j.Add(journal.Entry{Method: "setTags", Request: body, Response: body, HTTPStatus: 200 + i%2})
		if j.Bytes() > bound {
			t.Fatalf("after %d calls the journal holds %d bytes, over its bound %d", i+1, j.Bytes(), bound)
		}
	}
	if j.Len() == 0 || j.Total() != 2000 {
		t.Fatalf("Len %d Total %d", j.Len(), j.Total())
	}
}

func TestJournalEntryJSON(t *testing.T) {
	j := journal.New(0)
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	j.Add(journal.Entry{Time: at, Method: "setTags", Path: "/json/1.3/setTags", HTTPStatus: 400,
		Request: json.RawMessage(`"not json {"`), Latency: 250 * time.Millisecond})
	b, err := json.Marshal(j.Entries())
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"time":"2026-01-01T00:00:00Z","method":"setTags","path":"/json/1.3/setTags","request":"not json {","http_status":400,"response":null,"latency_ns":250000000}]`
	if string(b) != want {
		t.Fatalf("JSON\n got %s\nwant %s", b, want)
	}
}

func TestJournalConcurrentAdds(t *testing.T) {
	j := journal.New(100 * entrySize)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				j.Add(entry(g*1000 + i))
				_ = j.Len()
			}
		}()
	}
	wg.Wait()
	if j.Len() < 90 || j.Len() > 100 || j.Total() != 400 || j.Bytes() > 100*entrySize {
		t.Fatalf("Len, Total, Bytes = %d, %d, %d; want about 100, 400, ≤ %d", j.Len(), j.Total(), j.Bytes(), 100*entrySize)
	}
}

func TestJournalTruncatesLongRequests(t *testing.T) {
	j := journal.New(0)
	// The limit falls inside a rune: the cut backs off to the rune's start.
	long := `{"request":{"pd":"` + strings.Repeat("é€", journal.MaxRequestBytes) + `"}}`
	if utf8.RuneStart(long[journal.MaxRequestBytes]) {
		t.Fatal("fixture: the limit should fall inside a rune")
	}
	j.Add(journal.Entry{Method: "createMessage", Request: json.RawMessage(long)})
	atLimit := `{"pad":"` + strings.Repeat("x", journal.MaxRequestBytes-10) + `"}`
	j.Add(journal.Entry{Method: "setTags", Request: json.RawMessage(atLimit)})
	got := j.Entries()
	var kept string
	if err := json.Unmarshal(got[0].Request, &kept); err != nil {
		t.Fatalf("truncated request is not a JSON string: %v", err)
	}
	marker := "…(truncated, " + strconv.Itoa(len(long)) + " bytes)"
	prefix, ok := strings.CutSuffix(kept, marker)
	if !ok || !strings.HasPrefix(long, prefix) || !utf8.ValidString(prefix) {
		t.Fatalf("truncated request ends %q, want a valid prefix of the body and %q", kept[len(kept)-40:], marker)
	}
	if len(prefix) >= journal.MaxRequestBytes || len(prefix) < journal.MaxRequestBytes-2 {
		t.Fatalf("kept %d bytes of the body, want the first %d up to a rune boundary", len(prefix), journal.MaxRequestBytes)
	}
	if string(got[1].Request) != atLimit {
		t.Fatalf("a %d-byte request was changed", len(atLimit))
	}
}
