package ledger

import (
	"sort"
	"strings"
	"time"
)

// Request is one request sent to a receiver (an HTTP batch, a gRPC stream, a webhook
// call), as the inspector's timeline shows it: the ledger's attempts, gathered.
type Request struct {
	Integration string        `json:"integration"`
	Transport   string        `json:"transport"`
	Batch       uint64        `json:"batch"`
	Request     uint64        `json:"request"`
	Try         int           `json:"try"` // 1 for the first send of the batch, 2 for its first retry, …
	At          time.Time     `json:"at"`  // emulator time
	Events      int           `json:"events"`
	Outcome     string        `json:"outcome"` // see the Outcome constants
	Status      int           `json:"status,omitempty"`
	Error       string        `json:"error,omitempty"`
	Latency     time.Duration `json:"latency_ns"`
	// Dropped counts the events this request was the last try for and that were
	// dropped: the retries were used up.
	Dropped int `json:"dropped,omitempty"`
}

// Requests returns the latest limit requests (all of them when limit ≤ 0), oldest
// first, and how many there are in all.
func (l *Ledger) Requests(limit int) ([]Request, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	type key struct {
		integration   uint16
		batch, number uint64
		at            int64
	}
	index := map[key]int{}
	var out []Request
	for i := l.first; i < l.n; i++ {
		r := l.rec(ID(i))
		for n, a := range r.attempts {
			k := key{r.integration, a.Batch, a.Request, a.At.UnixNano()}
			j, ok := index[k]
			if !ok {
				j = len(out)
				index[k] = j
				req := Request{Transport: a.Transport, Batch: a.Batch, Request: a.Request, Try: n + 1, At: a.At,
					Outcome: a.Outcome(), Status: a.Status, Error: a.Error, Latency: a.Latency}
				if int(r.integration) < len(l.integrations) {
					req.Integration = l.integrations[r.integration]
				}
				out = append(out, req)
			}
			out[j].Events++
			if a.Ack != "" && a.Ack != "Success" {
				out[j].Outcome = OutcomeNack
			}
			if n == len(r.attempts)-1 && r.state == Dropped {
				out[j].Dropped++
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		return out[i].Request < out[j].Request
	})
	total := len(out)
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	return out, total
}

// matchText reports whether a record mentions text (case-insensitive) in its uuid,
// event name, hwid, user id, message code, platform or application code.
func (l *Ledger) matchText(r *record, text string) bool {
	for _, s := range []string{r.uuid, r.shape.EventName, r.hwid, r.userID, r.shape.MessageCode,
		r.shape.Platform, r.shape.ApplicationCode} {
		if containsFold(s, text) {
			return true
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	return len(s) >= len(sub) && strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// Matching is the number of records a query selects, ignoring its offset and limit.
func (l *Ledger) Matching(q Query) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for i := l.first; i < l.n; i++ {
		if q.match(l, l.rec(ID(i))) {
			n++
		}
	}
	return n
}
