// Package journal records the calls the fake Pushwoosh API received and what it
// answered, for tests and the control API (GET /_pwemu/journal).
//
// A Journal is bounded: it keeps the last max entries and forgets older ones, so a
// long load test cannot exhaust memory. Adding an entry is one short critical
// section with no encoding, because every API call adds one.
package journal

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultMax is how many entries a Journal keeps when New is given no positive bound.
const DefaultMax = 100_000

// MaxRequestBytes is how much of a request an Entry keeps (see Entry.Request).
const MaxRequestBytes = 64 << 10

// Entry is one API call and its answer.
type Entry struct {
	// Time is when the call arrived, on the emulator clock.
	Time time.Time `json:"time"`
	// Method is the API method called: "createMessage", "registerDevice", … or
	// "notify" / "cancel" for the messaging API v2.
	Method string `json:"method"`
	// Path is the URL path requested.
	Path string `json:"path"`
	// Request is the body as received when it is JSON, else the body as a JSON string
	// (null when empty). A Request longer than MaxRequestBytes is kept as a JSON
	// string instead: its first MaxRequestBytes bytes of JSON text (cut on a UTF-8
	// boundary) followed by "…(truncated, N bytes)", N being its full length, so that
	// a bounded journal also bounds its memory.
	Request json.RawMessage `json:"request"`
	// HTTPStatus is the HTTP status answered (0 when the connection was cut).
	HTTPStatus int `json:"http_status"`
	// Response is the body answered: the JSON envelope, or a JSON string when it was
	// not JSON (a scripted fault), null when nothing was answered.
	Response json.RawMessage `json:"response"`
	// Latency is how long the answer took, in emulator time (scripted latency
	// included), in nanoseconds.
	Latency time.Duration `json:"latency_ns"`
}

// Journal is a bounded, concurrency-safe record of API calls, oldest first.
type Journal struct {
	mu    sync.Mutex
	max   int
	ring  []Entry // grows to max, then wraps
	next  int     // where the next entry goes once the ring is full
	total uint64
}

// New returns a journal that keeps the last max entries (DefaultMax when max ≤ 0).
func New(max int) *Journal {
	if max <= 0 {
		max = DefaultMax
	}
	return &Journal{max: max}
}

// Add records an entry. The journal keeps e's byte slices (but for a truncated
// Request): the caller must not change them afterwards.
func (j *Journal) Add(e Entry) {
	if len(e.Request) == 0 {
		e.Request = null
	} else if len(e.Request) > MaxRequestBytes {
		e.Request = truncate(e.Request)
	}
	if len(e.Response) == 0 {
		e.Response = null
	}
	j.mu.Lock()
	if len(j.ring) < j.max {
		j.ring = append(j.ring, e)
	} else {
		j.ring[j.next] = e
		j.next = (j.next + 1) % j.max
	}
	j.total++
	j.mu.Unlock()
}

// Entries returns a copy of the entries kept, oldest first.
func (j *Journal) Entries() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Entry, 0, len(j.ring))
	out = append(out, j.ring[j.next:]...)
	return append(out, j.ring[:j.next]...)
}

// Len is the number of entries kept (at most the bound).
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.ring)
}

// Total is the number of entries ever added since New, forgotten ones
// included.
func (j *Journal) Total() uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.total
}

var null = json.RawMessage("null")

// truncate turns a too long request into a JSON string of its start and a marker.
func truncate(req json.RawMessage) json.RawMessage {
	cut := MaxRequestBytes
	for cut > 0 && !utf8.RuneStart(req[cut]) {
		cut--
	}
	s, _ := json.Marshal(string(req[:cut]) + "…(truncated, " + strconv.Itoa(len(req)) + " bytes)")
	return s
}
