package ledger

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Causes are the failed requests to one integration, grouped by what went wrong:
// what a person needs to see when a run fails.
type Causes struct {
	Integration string
	Requests    int // every request made, failed or not
	Groups      []Cause
}

// Cause is one kind of failure and when it happened, on the emulator clock.
type Cause struct {
	What        string // "connection refused (127.0.0.1:9001: is the receiver listening?)", "HTTP 503", …
	Count       int    // requests that failed so
	First, Last time.Time
}

// dialAddr finds the address a connection was attempted to in a Go or gRPC error.
var dialAddr = regexp.MustCompile(`dial (?:tcp|tcp4|tcp6|unix) (\S+?):? `)

// describe says what went wrong in a request, or "" when nothing did.
func (a Attempt) describe() string {
	switch a.Outcome() {
	case OutcomeRefused:
		if m := dialAddr.FindStringSubmatch(a.Error + " "); m != nil {
			return "connection refused (" + strings.TrimSuffix(m[1], ":") + ": is the receiver listening?)"
		}
		return "connection refused (is the receiver listening?)"
	case OutcomeTimeout:
		return "timeout after " + a.Latency.String()
	case OutcomeServerError, OutcomeRejected:
		return fmt.Sprintf("HTTP %d", a.Status)
	case OutcomeNack:
		return fmt.Sprintf("ack %q", a.Ack)
	case OutcomeError:
		msg := a.Error
		if len(msg) > 160 {
			msg = msg[:160] + "…"
		}
		return msg
	}
	return ""
}

// Causes groups the requests of each integration that failed or were answered 4xx
// (delivered, but what a no_4xx expectation catches), most frequent cause first;
// integrations whose requests all succeeded are left out.
func (l *Ledger) Causes() []Causes {
	l.mu.Lock()
	defer l.mu.Unlock()
	type request struct {
		integration   uint16
		batch, number uint64
		at            int64
		ack           string
	}
	seen, counted := map[request]bool{}, map[request]bool{}
	requests := map[uint16]int{}
	groups := map[uint16]map[string]*Cause{}
	for i := l.first; i < l.n; i++ {
		r := l.rec(ID(i))
		for _, a := range r.attempts {
			k := request{r.integration, a.Batch, a.Request, a.At.UnixNano(), a.Ack}
			if seen[k] {
				continue
			}
			seen[k] = true
			if k.ack = ""; !counted[k] { // the events of one request can hold several acks
				counted[k] = true
				requests[r.integration]++
			}
			what := a.describe()
			if what == "" {
				continue
			}
			g := groups[r.integration]
			if g == nil {
				g = map[string]*Cause{}
				groups[r.integration] = g
			}
			c := g[what]
			if c == nil {
				c = &Cause{What: what, First: a.At}
				g[what] = c
			}
			c.Count++
			if a.At.Before(c.First) {
				c.First = a.At
			}
			if a.At.After(c.Last) {
				c.Last = a.At
			}
		}
	}
	var out []Causes
	for integration, g := range groups {
		cs := Causes{Requests: requests[integration]}
		if int(integration) < len(l.integrations) {
			cs.Integration = l.integrations[integration]
		}
		for _, c := range g {
			cs.Groups = append(cs.Groups, *c)
		}
		sort.Slice(cs.Groups, func(i, j int) bool {
			if cs.Groups[i].Count != cs.Groups[j].Count {
				return cs.Groups[i].Count > cs.Groups[j].Count
			}
			return cs.Groups[i].What < cs.Groups[j].What
		})
		out = append(out, cs)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Integration < out[j].Integration })
	return out
}
