// Package ledger accounts for every event pwemu generates.
//
// Each event taken by an integration (or by none) gets one record: whether it was
// filtered out, every delivery attempt (emulator time, transport, batch, status or
// error, latency) and one terminal state. At every moment
//
//	generated = delivered + dropped + filtered + pending
//
// Records are stored compactly — the fields that events of one message share are
// interned — because a receiver that is down can leave a million events pending.
// The detail is bounded by a number of records: past it the oldest records are
// evicted (a pending one keeps what its delivery needs until it settles), while the
// totals keep counting every event, evicted or not.
package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// State is where an event stands.
type State uint8

// The states of a record. Pending is the only one that is not terminal.
const (
	Pending State = iota
	Delivered
	Dropped
	Filtered
)

var stateNames = [...]string{"pending", "delivered", "dropped", "filtered"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler.
func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *State) UnmarshalText(b []byte) error {
	for i, n := range stateNames {
		if n == string(b) {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("ledger: unknown state %q", b)
}

// ID names one record.
type ID uint32

// Totals counts records by state.
type Totals struct {
	Generated int `json:"generated"`
	Delivered int `json:"delivered"`
	Dropped   int `json:"dropped"`
	Filtered  int `json:"filtered"`
	Pending   int `json:"pending"`
}

// Balanced reports whether the ledger invariant holds.
func (t Totals) Balanced() bool {
	return t.Generated == t.Delivered+t.Dropped+t.Filtered+t.Pending
}

func (t *Totals) move(from, to State, n int) {
	t.add(from, -n)
	t.add(to, n)
}

func (t *Totals) add(s State, n int) {
	switch s {
	case Pending:
		t.Pending += n
	case Delivered:
		t.Delivered += n
	case Dropped:
		t.Dropped += n
	case Filtered:
		t.Filtered += n
	}
}

// Attempt is one try at delivering an event.
type Attempt struct {
	At        time.Time `json:"at"`        // emulator time the attempt started
	Transport string    `json:"transport"` // "http", "grpc" or "webhook"
	Batch     uint64    `json:"batch"`     // HTTP batch or gRPC stream number
	// Request numbers the request (HTTP POST or gRPC stream) the attempt was part of,
	// unique per emulator run: a retry or a chaos duplicate is a new request even when
	// it starts at the same emulator time as another one of the batch.
	Request uint64        `json:"request,omitempty"`
	Status  int           `json:"status,omitempty"`
	Ack     string        `json:"ack,omitempty"` // gRPC ack status
	Error   string        `json:"error,omitempty"`
	Latency time.Duration `json:"latency_ns"` // wall time the attempt took; the timeout when it timed out
}

// shape is the part of an event that the events of one message share.
type shape struct {
	EventName, MessageCode, Platform, Payload, ApplicationCode string
	JourneyTitle, JourneyPointTitle                            string
	MessageID, CampaignID                                      uint64
}

type record struct {
	shape          *shape
	uuid, hwid     string
	userID, liveID string
	timestamp      int64
	generatedAt    int64 // emulator unix nanoseconds
	settledAt      int64
	attempts       []Attempt
	integration    uint16
	reason         uint8 // index into reasons, for filtered records
	state          State
}

const (
	chunkBits = 16
	chunkSize = 1 << chunkBits
	// maxShapes bounds the intern table: events with unique payloads are not worth it.
	maxShapes = 1 << 16
)

// DefaultMaxRecords is how many records a Ledger keeps in detail unless told otherwise.
const DefaultMaxRecords = 1_000_000

// Ledger is safe for concurrent use.
type Ledger struct {
	mu     sync.Mutex
	max    int                  // records kept in detail
	chunks []*[chunkSize]record // chunks[0] holds the record first
	chunk0 int                  // index, among all chunks ever made, of chunks[0]
	first  int                  // oldest record kept: first evicted so far
	n      int                  // records ever added
	// held keeps evicted records that are still pending: their delivery reads them.
	held         map[ID]*record
	shapes       map[shape]*shape
	totals       Totals
	byIntegr     []Totals
	integrations []string
	reasons      []string
	changed      chan struct{}
	closed       bool
}

// ErrClosed is what Wait returns once the ledger is closed.
var ErrClosed = errors.New("ledger closed: the scenario was replaced or reset")

// New returns an empty ledger keeping DefaultMaxRecords records in detail.
func New() *Ledger { return NewBounded(DefaultMaxRecords) }

// NewBounded returns an empty ledger that keeps the latest maxRecords records in
// detail (DefaultMaxRecords when maxRecords ≤ 0).
func NewBounded(maxRecords int) *Ledger {
	if maxRecords <= 0 {
		maxRecords = DefaultMaxRecords
	}
	return &Ledger{max: maxRecords, held: map[ID]*record{}, shapes: make(map[shape]*shape),
		reasons: []string{""}, changed: make(chan struct{})}
}

// Integration registers a destination by name (e.g. "streams[0]") and returns the
// number its records carry. The name "" stands for events no integration takes.
func (l *Ledger) Integration(name string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, n := range l.integrations {
		if n == name {
			return i
		}
	}
	l.integrations = append(l.integrations, name)
	l.byIntegr = append(l.byIntegr, Totals{})
	return len(l.integrations) - 1
}

// Add records one generated event for an integration, pending.
func (l *Ledger) Add(integration int, at time.Time, e *catalog.Event) ID {
	return l.AddBatch(integration, at, []catalog.Event{*e}, nil)[0]
}

// AddBatch records evs, generated at at, for one integration under one lock and with
// one wake-up of the waiters: event i is filtered with reasons[i] when that is not "",
// else pending (events past the end of reasons, e.g. all of them for nil, are
// pending). It returns the IDs of the pending records, in order.
func (l *Ledger) AddBatch(integration int, at time.Time, evs []catalog.Event, reasons []string) []ID {
	reasons = reasons[:min(len(reasons), len(evs))]
	n := len(evs)
	for _, r := range reasons {
		if r != "" {
			n--
		}
	}
	pending := make([]ID, 0, n)
	ns := at.UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range evs {
		if i < len(reasons) && reasons[i] != "" {
			l.addLocked(integration, ns, &evs[i], Filtered, reasons[i])
			continue
		}
		pending = append(pending, l.addLocked(integration, ns, &evs[i], Pending, ""))
	}
	if len(evs) > 0 {
		l.signal()
	}
	return pending
}

// Count accounts for n events that are counted, not stored: events no integration
// takes, filtered with reason.
func (l *Ledger) Count(integration int, n int, reason string) {
	if n <= 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.totals.Generated += n
	l.totals.Filtered += n
	if integration >= 0 && integration < len(l.byIntegr) {
		l.byIntegr[integration].Generated += n
		l.byIntegr[integration].Filtered += n
	}
	if reason != "" {
		l.reasonIndex(reason)
	}
	l.signal()
}

// addLocked appends one record, evicting the oldest past the bound; l.mu must be held.
func (l *Ledger) addLocked(integration int, at int64, e *catalog.Event, s State, reason string) ID {
	if l.n%chunkSize == 0 && l.n/chunkSize-l.chunk0 == len(l.chunks) {
		l.chunks = append(l.chunks, new([chunkSize]record))
	}
	id := ID(l.n)
	r := l.rec(id)
	*r = record{
		shape: l.intern(e), uuid: e.UUID, hwid: e.HWID, userID: e.UserID, liveID: e.LiveActivityID,
		timestamp: e.Timestamp, generatedAt: at, integration: uint16(integration), state: s,
	}
	if s != Pending {
		r.settledAt = r.generatedAt
	}
	if reason != "" {
		r.reason = l.reasonIndex(reason)
	}
	l.n++
	for l.n-l.first > l.max {
		l.evictLocked()
	}
	l.totals.Generated++
	l.totals.add(s, 1)
	if integration < len(l.byIntegr) {
		l.byIntegr[integration].Generated++
		l.byIntegr[integration].add(s, 1)
	}
	return id
}

// evictLocked forgets the oldest record kept; a pending one moves to held.
func (l *Ledger) evictLocked() {
	c := l.chunks[0]
	r := &c[l.first&(chunkSize-1)]
	if r.state == Pending {
		kept := *r
		l.held[ID(l.first)] = &kept
	}
	*r = record{}
	l.first++
	if l.first%chunkSize == 0 {
		l.chunks[0] = nil
		l.chunks = l.chunks[1:]
		l.chunk0++
	}
}

// rec is the record of id, nil when it was evicted (and is no longer pending).
func (l *Ledger) rec(id ID) *record {
	if int(id) < l.first {
		return l.held[id]
	}
	return &l.chunks[int(id>>chunkBits)-l.chunk0][id&(chunkSize-1)]
}

func (l *Ledger) intern(e *catalog.Event) *shape {
	k := shape{e.EventName, e.MessageCode, e.Platform, e.Payload, e.ApplicationCode,
		e.JourneyTitle, e.JourneyPointTitle, e.MessageID, e.CampaignID}
	if p, ok := l.shapes[k]; ok {
		return p
	}
	p := new(shape) // not &k: k would then live on the heap for hits too
	*p = k
	if len(l.shapes) < maxShapes {
		l.shapes[k] = p
	}
	return p
}

func (l *Ledger) reasonIndex(reason string) uint8 {
	for i, r := range l.reasons {
		if r == reason {
			return uint8(i)
		}
	}
	if len(l.reasons) == 255 {
		return 0
	}
	l.reasons = append(l.reasons, reason)
	return uint8(len(l.reasons) - 1)
}

// Events appends the events of ids to dst, in order.
func (l *Ledger) Events(dst []catalog.Event, ids []ID) []catalog.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range ids {
		if r := l.rec(id); r != nil {
			dst = append(dst, l.event(r))
		} else {
			dst = append(dst, catalog.Event{}) // cannot happen: pending records are held
		}
	}
	return dst
}

func (l *Ledger) event(r *record) catalog.Event {
	s := r.shape
	return catalog.Event{UUID: r.uuid, EventName: s.EventName, MessageCode: s.MessageCode,
		MessageID: s.MessageID, CampaignID: s.CampaignID, Platform: s.Platform, Payload: s.Payload,
		ApplicationCode: s.ApplicationCode, HWID: r.hwid, UserID: r.userID, Timestamp: r.timestamp,
		JourneyTitle: s.JourneyTitle, JourneyPointTitle: s.JourneyPointTitle, LiveActivityID: r.liveID}
}

// Attempt adds one attempt to each of ids.
//
// Records with the same history (the events of one batch) share the new one: a
// million events that failed once hold ten thousand histories, not a million.
// Sharing is safe because a history is never appended to in place.
func (l *Ledger) Attempt(ids []ID, a Attempt) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var prevOld, prevNew []Attempt
	for i, id := range ids {
		r := l.rec(id)
		if r == nil {
			continue
		}
		old := r.attempts
		if i > 0 && sameHistory(old, prevOld) {
			r.attempts = prevNew
			continue
		}
		h := make([]Attempt, len(old)+1)
		copy(h, old)
		h[len(old)] = a
		r.attempts = h
		prevOld, prevNew = old, h
	}
	l.signal()
}

// sameHistory reports whether a and b are the same shared history.
func sameHistory(a, b []Attempt) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// Settle moves pending records to a terminal state at emulator time at. Records that
// already have a terminal state keep it: an event is settled once.
func (l *Ledger) Settle(ids []ID, s State, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ns := at.UnixNano()
	for _, id := range ids {
		r := l.rec(id)
		if r == nil || r.state != Pending {
			continue
		}
		r.state, r.settledAt = s, ns
		if int(id) < l.first {
			delete(l.held, id) // evicted: only the totals remember it now
		}
		l.totals.move(Pending, s, 1)
		if int(r.integration) < len(l.byIntegr) {
			l.byIntegr[r.integration].move(Pending, s, 1)
		}
	}
	l.signal()
}

// Totals counts all records by state.
func (l *Ledger) Totals() Totals {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.totals
}

// IntegrationTotals counts the records of each registered integration, by name.
func (l *Ledger) IntegrationTotals() map[string]Totals {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.integrationTotalsLocked()
}

func (l *Ledger) integrationTotalsLocked() map[string]Totals {
	out := make(map[string]Totals, len(l.integrations))
	for i, n := range l.integrations {
		out[n] = l.byIntegr[i]
	}
	return out
}

// Close wakes every Wait and makes it, and every later one, return ErrClosed: the
// world that fed the ledger is gone, so what a waiter waits for will not come. The
// records stay readable.
func (l *Ledger) Close() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.signal()
}

// signal wakes waiters; l.mu must be held.
func (l *Ledger) signal() {
	// The channel is made only when someone waits: adding an event allocates nothing.
	if l.changed != nil {
		close(l.changed)
		l.changed = nil
	}
}

// Wait blocks until cond holds for the totals, ctx ends or the ledger is closed
// (ErrClosed).
func (l *Ledger) Wait(ctx context.Context, cond func(Totals) bool) (Totals, error) {
	for {
		l.mu.Lock()
		if l.changed == nil {
			l.changed = make(chan struct{})
		}
		t, ch, closed := l.totals, l.changed, l.closed
		l.mu.Unlock()
		if closed {
			return t, ErrClosed
		}
		if cond(t) {
			return t, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return t, ctx.Err()
		}
	}
}

// Watch returns the totals now and a channel closed at the next change, for waits
// that also watch something else; err is ErrClosed once the ledger is closed.
func (l *Ledger) Watch() (Totals, <-chan struct{}, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return l.totals, nil, ErrClosed
	}
	if l.changed == nil {
		l.changed = make(chan struct{})
	}
	return l.totals, l.changed, nil
}
