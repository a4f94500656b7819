// Package journal records the calls the fake Pushwoosh API received and what it
// answered, for tests and the control API (GET /_pwemu/journal).
//
// A Journal is bounded by bytes: it keeps the latest entries whose requests and
// answers fit in its bound and forgets older ones, so a long load test — or a few
// thousand large calls — cannot exhaust memory. Adding an entry is one short
// critical section with no encoding, because every API call adds one.
package journal

import (
	"encoding/json"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// DefaultMaxBytes is what a Journal keeps when New is given no positive bound.
const DefaultMaxBytes = 64 << 20

// MaxRequestBytes is how much of a request an Entry keeps (see Entry.Request).
const MaxRequestBytes = 64 << 10

// entryOverhead is what an entry costs beyond its variable bytes: the struct and the
// slice headers, rounded up.
const entryOverhead = 160

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
	mu       sync.Mutex
	maxBytes int
	entries  []Entry // entries[head:] are kept, oldest first
	head     int
	bytes    int // size of entries[head:]
	total    uint64
}

// New returns a journal that keeps at most maxBytes of entries (DefaultMaxBytes when
// maxBytes ≤ 0), the oldest forgotten first.
func New(maxBytes int) *Journal {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	return &Journal{maxBytes: maxBytes}
}

// size is what an entry counts against the bound.
func size(e *Entry) int {
	return entryOverhead + len(e.Method) + len(e.Path) + len(e.Request) + len(e.Response)
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
	n := size(&e)
	j.mu.Lock()
	defer j.mu.Unlock()
	j.total++
	for j.head < len(j.entries) && j.bytes+n > j.maxBytes {
		j.bytes -= size(&j.entries[j.head])
		j.entries[j.head] = Entry{}
		j.head++
	}
	if n > j.maxBytes {
		return // larger than the whole journal: counted, not kept
	}
	if j.head > 0 && j.head >= len(j.entries)/2 { // reuse the forgotten front
		k := copy(j.entries, j.entries[j.head:])
		clear(j.entries[k:])
		j.entries, j.head = j.entries[:k], 0
	}
	j.entries = append(j.entries, e)
	j.bytes += n
}

// Entries returns a copy of the entries kept, oldest first.
func (j *Journal) Entries() []Entry {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]Entry(nil), j.entries[j.head:]...)
}

// Page is one page of the kept entries of a method ("" for all), oldest first.
type Page struct {
	Entries []Entry
	Total   int    // kept entries that match
	Evicted uint64 // entries forgotten to keep the bound (of every method)
}

// Page copies the matching entries [offset, offset+limit) under one lock.
func (j *Journal) Page(method string, offset, limit int) Page {
	if method == "" {
		return j.PageWhere(nil, offset, limit)
	}
	return j.PageWhere(func(e *Entry) bool { return e.Method == method }, offset, limit)
}

// PageWhere is Page for the entries match selects (all of them for nil); a negative
// offset counts from the end: -n is the last n entries that match.
func (j *Journal) PageWhere(match func(*Entry) bool, offset, limit int) Page {
	j.mu.Lock()
	defer j.mu.Unlock()
	kept := j.entries[j.head:]
	if offset < 0 {
		n := 0
		for i := range kept {
			if match == nil || match(&kept[i]) {
				n++
			}
		}
		offset = max(0, n+offset)
	}
	p := Page{Evicted: j.total - uint64(len(kept))}
	for i := range kept {
		if match != nil && !match(&kept[i]) {
			continue
		}
		if p.Total >= offset && len(p.Entries) < limit {
			p.Entries = append(p.Entries, kept[i])
		}
		p.Total++
	}
	return p
}

// Methods counts the entries kept by method.
func (j *Journal) Methods() map[string]int {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := map[string]int{}
	for i := range j.entries[j.head:] {
		out[j.entries[j.head+i].Method]++
	}
	return out
}

// Len is the number of entries kept.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.entries) - j.head
}

// Bytes is the size of the entries kept, as counted against the bound.
func (j *Journal) Bytes() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.bytes
}

// Total is the number of entries ever added, forgotten ones included.
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
