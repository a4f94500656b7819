package ledger

import (
	"time"

	"github.com/pwemu/pwemu/emulator/events"
)

// Record is the public view of one ledger record, as GET /_pwemu/ledger shows it.
type Record struct {
	ID          ID           `json:"id"`
	Integration string       `json:"integration"`
	State       State        `json:"state"`
	Reason      string       `json:"reason,omitempty"` // why a filtered event was kept out
	GeneratedAt time.Time    `json:"generated_at"`
	SettledAt   *time.Time   `json:"settled_at,omitempty"`
	Latency     string       `json:"latency,omitempty"` // generated → settled, emulator time
	Event       events.Event `json:"event"`
	Attempts    []Attempt    `json:"attempts"`
}

// Query selects records. The zero value selects all of them.
type Query struct {
	State       *State
	Integration string
	UUID        string
	Offset      int
	Limit       int // 0: no limit
}

func (q Query) match(l *Ledger, r *record) bool {
	if q.State != nil && r.state != *q.State {
		return false
	}
	if q.Integration != "" && l.integrations[r.integration] != q.Integration {
		return false
	}
	return q.UUID == "" || r.uuid == q.UUID
}

// Records returns the records a query selects, oldest first.
func (l *Ledger) Records(q Query) []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := []Record{}
	skipped := 0
	for i := 0; i < l.n; i++ {
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

// Record returns one record.
func (l *Ledger) Record(id ID) Record {
	l.mu.Lock()
	defer l.mu.Unlock()
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

// MaxLatency is the longest generated → delivered span among delivered records, in
// emulator time.
func (l *Ledger) MaxLatency() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	var max time.Duration
	for i := 0; i < l.n; i++ {
		r := l.rec(ID(i))
		if r.state == Delivered {
			if d := time.Duration(r.settledAt - r.generatedAt); d > max {
				max = d
			}
		}
	}
	return max
}

// StatusCounts counts delivery attempts by HTTP status (0 for attempts that got none:
// transport errors, timeouts, gRPC).
func (l *Ledger) StatusCounts() map[int]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[int]int{}
	for i := 0; i < l.n; i++ {
		for _, a := range l.rec(ID(i)).attempts {
			out[a.Status]++
		}
	}
	return out
}
