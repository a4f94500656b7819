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

func TestJournalKeepsTheLastMaxEntriesOldestFirst(t *testing.T) {
	j := journal.New(3)
	for i := range 5 {
		j.Add(entry(i))
	}
	if j.Len() != 3 || j.Total() != 5 {
		t.Fatalf("Len, Total = %d, %d; want 3, 5", j.Len(), j.Total())
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
	j := journal.New(100)
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
	if j.Len() != 100 || j.Total() != 400 {
		t.Fatalf("Len, Total = %d, %d; want 100, 400", j.Len(), j.Total())
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
