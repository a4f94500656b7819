package ledger

import (
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Record is the public view of one ledger record, as GET /_pwemu/ledger shows it.
type Record struct {
	ID          ID            `json:"id"`
	Integration string        `json:"integration"`
	State       State         `json:"state"`
	Reason      string        `json:"reason,omitempty"` // why a filtered event was kept out
	GeneratedAt time.Time     `json:"generated_at"`
	SettledAt   *time.Time    `json:"settled_at,omitempty"`
	Latency     string        `json:"latency,omitempty"` // generated → settled, emulator time
	Event       catalog.Event `json:"event"`
	Attempts    []Attempt     `json:"attempts"`
}

// Query selects records. The zero value selects all of them.
type Query struct {
	State       *State
	Integration string
	UUID        string
	// Text, when set, selects records that mention it (case-insensitive) in their
	// uuid, event name, hwid, user id, message code, platform or application code.
	Text   string
	Offset int
	Limit  int // 0: no limit; below 0: no records
}

func (q Query) match(l *Ledger, r *record) bool {
	if q.State != nil && r.state != *q.State {
		return false
	}
	if q.Integration != "" && l.integrations[r.integration] != q.Integration {
		return false
	}
	if q.Text != "" && !l.matchText(r, q.Text) {
		return false
	}
	return q.UUID == "" || r.uuid == q.UUID
}

// Records returns the records a query selects, oldest first, among those kept.
func (l *Ledger) Records(q Query) []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.recordsLocked(q)
}

func (l *Ledger) recordsLocked(q Query) []Record {
	out := []Record{}
	if q.Limit < 0 {
		return out
	}
	skipped := 0
	for i := l.first; i < l.n; i++ {
		if q.Limit > 0 && len(out) == q.Limit {
			break
		}
		r := l.rec(ID(i))
		if !q.match(l, r) {
			continue
		}
		if skipped < q.Offset {
			skipped++
			continue
		}
		out = append(out, l.view(ID(i), r))
	}
	return out
}

// Snapshot is the ledger at one moment: totals and records read under one lock.
type Snapshot struct {
	Totals       Totals
	Integrations map[string]Totals
	Records      []Record
	// Evicted counts the records whose detail was evicted to keep the bound; the
	// totals still count them.
	Evicted int
}

// Snapshot reads the totals and the records q selects at the same moment.
func (l *Ledger) Snapshot(q Query) Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	return Snapshot{Totals: l.totals, Integrations: l.integrationTotalsLocked(), Records: l.recordsLocked(q), Evicted: l.first}
}

// Record returns one record: the zero Record when it was evicted or never added.
func (l *Ledger) Record(id ID) Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	if int(id) >= l.n || int(id) < l.first {
		return Record{}
	}
	return l.view(id, l.rec(id))
}

func (l *Ledger) view(id ID, r *record) Record {
	v := Record{ID: id, State: r.state, GeneratedAt: time.Unix(0, r.generatedAt).UTC(),
		Event: l.event(r), Attempts: append([]Attempt{}, r.attempts...)}
	if int(r.integration) < len(l.integrations) {
		v.Integration = l.integrations[r.integration]
	}
	if r.state == Filtered {
		v.Reason = l.reasons[r.reason]
	}
	if r.state != Pending {
		t := time.Unix(0, r.settledAt).UTC()
		v.SettledAt = &t
		v.Latency = time.Duration(r.settledAt - r.generatedAt).String()
	}
	return v
}

// Summary is what the records add up to, beyond the totals: what `pwemu run` checks
// a scenario's expectations against.
type Summary struct {
	MaxLatency  time.Duration // longest single attempt: wall time, or the timeout that cut it
	MaxDelay    time.Duration // longest generated → delivered span, emulator time
	MaxAttempts int           // most attempts one event needed
	Duplicates  int           // events that reached the receiver more than once
	// StatusCounts counts requests (one per batch attempt, not per event) by HTTP
	// status; 0 stands for attempts without an HTTP answer (errors, timeouts, gRPC).
	StatusCounts map[int]int
}

// Summarize walks every record kept once (evicted ones are not in it).
func (l *Ledger) Summarize() Summary {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := Summary{StatusCounts: map[int]int{}}
	// The attempts of one request share its number, batch and start time.
	type request struct {
		batch, number uint64
		at            int64
	}
	seen := map[request]bool{}
	for i := l.first; i < l.n; i++ {
		r := l.rec(ID(i))
		if r.state == Delivered {
			s.MaxDelay = max(s.MaxDelay, time.Duration(r.settledAt-r.generatedAt))
		}
		s.MaxAttempts = max(s.MaxAttempts, len(r.attempts))
		arrived := 0
		for _, a := range r.attempts {
			s.MaxLatency = max(s.MaxLatency, a.Latency)
			if a.reached() {
				arrived++
			}
			k := request{a.Batch, a.Request, a.At.UnixNano()}
			if !seen[k] {
				seen[k] = true
				s.StatusCounts[a.Status]++
			}
		}
		if arrived > 1 {
			s.Duplicates++
		}
	}
	return s
}

// reached reports whether the receiver took the event in this attempt: an HTTP answer
// below 500, or a "Success" ack.
func (a Attempt) reached() bool {
	if a.Ack != "" || a.Transport == "grpc" {
		return a.Ack == "Success"
	}
	return a.Error == "" && a.Status > 0 && a.Status < 500
}

// The outcomes of an attempt, as metrics label them and run reports group them.
const (
	OutcomeSuccess     = "success"      // 2xx/3xx, or every event acked "Success"
	OutcomeRejected    = "rejected"     // 4xx: not retried, counts as delivered
	OutcomeServerError = "server_error" // 5xx: retried
	OutcomeNack        = "nack"         // a gRPC ack other than "Success"
	OutcomeTimeout     = "timeout"      // no answer within the integration's timeout
	OutcomeRefused     = "refused"      // the receiver did not accept the connection
	OutcomeError       = "error"        // any other transport error
)

// Outcome classifies the attempt (see the Outcome constants).
func (a Attempt) Outcome() string {
	switch {
	case a.Error != "":
		return errorOutcome(a.Error)
	case a.Transport == "grpc" || a.Ack != "":
		if a.Ack == "Success" {
			return OutcomeSuccess
		}
		return OutcomeNack
	case a.Status >= 500:
		return OutcomeServerError
	case a.Status >= 400:
		return OutcomeRejected
	}
	return OutcomeSuccess
}

func errorOutcome(msg string) string {
	switch {
	case strings.HasPrefix(msg, "timeout"), strings.Contains(msg, "deadline exceeded"):
		return OutcomeTimeout
	case strings.Contains(msg, "connection refused"):
		return OutcomeRefused
	}
	return OutcomeError
}
