package api

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net"
	"net/http"
	"reflect"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

// The scenario's api: rules change how the API answers. A rule matches a call by
// method ("*" for all) and, with match, by top-level request fields compared as JSON
// values. It applies while its during window [from, to) of emulator time since
// Options.Start is open, for its first times calls (0: every call), and with its
// probability (1: always), drawn from a generator seeded by Options.Seed, so
// the same seed and the same calls give the same outcomes. The first rule that
// applies answers: after its latency (a fixed or random span of emulator time), with
// its respond — an HTTP status, a named answer, a warning on top of normal
// behaviour, a custom envelope or a connection fault — or normally when respond is
// empty. When no rule applies the API answers normally.

// faultGone is the internal fault of a call whose client went away while it waited;
// the faults a rule scripts are catalog.Faults.
const faultGone = "gone"

// HangLimit is how long, in emulator time, a hang fault holds a call before the
// connection is closed.
const HangLimit = 30 * time.Second

// malformedBody is what a malformed fault answers: what a broken proxy might send.
var malformedBody = []byte("<html><body><h1>502 Bad Gateway</h1><p>pwemu: scripted malformed answer</p></body></html>\n")

type rule struct {
	scenarios.RulePlan
	used int // calls the rule answered, against Times
}

// ruleSet holds the rules with their state (times used, random draws).
type ruleSet struct {
	start time.Time
	mu    sync.Mutex
	rules []*rule
	rng   *rand.Rand // probabilities and latency ranges, seeded
}

func newRuleSet(rules []scenarios.RulePlan, start time.Time, seed uint64) *ruleSet {
	rs := &ruleSet{start: start, rng: rand.New(rand.NewPCG(seed, saltRules))}
	for _, r := range rules {
		rs.rules = append(rs.rules, &rule{RulePlan: r})
	}
	return rs
}

// pick finds the rule that answers a call, and the latency it adds; nil when normal
// behaviour answers.
func (rs *ruleSet) pick(in *incoming, now time.Time) (*rule, time.Duration) {
	// Decode the request fields before taking the lock, when a rule for this method
	// matches on them: a body of up to MaxBodyBytes must not hold up every other call.
	// A rule's method and match never change, so reading them needs no lock.
	var fields map[string]json.RawMessage
	for _, r := range rs.rules {
		if len(r.Match) > 0 && (r.Method == catalog.AnyMethod || r.Method == in.method) {
			fields = callFields(in)
			break
		}
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, r := range rs.rules {
		if r.Method != catalog.AnyMethod && r.Method != in.method {
			continue
		}
		if r.Times > 0 && r.used >= r.Times {
			continue
		}
		if elapsed := now.Sub(rs.start); elapsed < r.From || r.Until > 0 && elapsed >= r.Until {
			continue
		}
		if len(r.Match) > 0 && !matches(r.Match, fields) {
			continue
		}
		if r.Probability < 1 && rs.rng.Float64() >= r.Probability {
			continue
		}
		r.used++
		d := r.LatencyMin
		if span := r.LatencyMax - r.LatencyMin; span > 0 {
			d += time.Duration(rs.rng.Int64N(int64(span) + 1))
		}
		return r, d
	}
	return nil, 0
}

// callFields are the top-level fields of a call's request object (of the body itself
// on the v2 API).
func callFields(in *incoming) map[string]json.RawMessage {
	var env map[string]json.RawMessage
	if json.Unmarshal(in.body, &env) != nil {
		return nil
	}
	if !isNull(env["request"]) {
		var fields map[string]json.RawMessage
		if json.Unmarshal(env["request"], &fields) == nil {
			return fields
		}
	}
	return env
}

// matches compares a rule's match values with request fields, as JSON values.
func matches(want map[string]any, fields map[string]json.RawMessage) bool {
	for k, v := range want {
		raw, found := fields[k]
		if !found {
			return false
		}
		var got any
		if json.Unmarshal(raw, &got) != nil {
			return false
		}
		if !reflect.DeepEqual(v, got) {
			return false
		}
	}
	return true
}

// apply answers a call: through the first rule that applies, else normally.
func (rs *ruleSet) apply(ctx context.Context, s *Server, in *incoming, handle func(context.Context, *incoming) reply) reply {
	if len(rs.rules) == 0 {
		return handle(ctx, in)
	}
	r, latency := rs.pick(in, in.arrive)
	if r == nil {
		return handle(ctx, in)
	}
	if latency > 0 && !s.wait(ctx, latency) {
		return s.interrupted()
	}
	return rs.respond(ctx, s, r.Answer, in, handle)
}

func (rs *ruleSet) respond(ctx context.Context, s *Server, a scenarios.AnswerPlan, in *incoming, handle func(context.Context, *incoming) reply) reply {
	switch a.Kind {
	case scenarios.AnswerFault:
		switch a.Fault {
		case catalog.FaultHang:
			if !s.wait(ctx, HangLimit) {
				return s.interrupted()
			}
			return reply{fault: catalog.FaultReset}
		case catalog.FaultMalformed:
			return reply{status: http.StatusOK, code: 200, raw: malformedBody}
		}
		return reply{fault: catalog.FaultReset}
	case scenarios.AnswerWarning:
		return handle(ctx, in).withWarning(a.StatusMessage)
	case scenarios.AnswerEnvelope:
		return reply{status: a.HTTP, code: a.StatusCode, message: a.StatusMessage, body: a.Response}
	case scenarios.AnswerHTTP:
		r := httpError(a.HTTP)
		if a.HTTP < 300 {
			r.message = catalog.MsgOK
		}
		return r
	}
	return handle(ctx, in) // a latency-only rule
}

// wait holds for d of emulator time; false when ctx ended or the server closed first.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	done := make(chan struct{})
	t := s.clk.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return true
	case <-ctx.Done():
	case <-s.closed:
	}
	t.Stop()
	return false
}

// interrupted is the answer to a call whose wait was cut short: nothing when the client
// went away, a 503 envelope when the scenario was replaced or reset under it (its
// clock will never move again).
func (s *Server) interrupted() reply {
	select {
	case <-s.closed:
		return reply{status: http.StatusServiceUnavailable, code: http.StatusServiceUnavailable, message: catalog.MsgReplaced}
	default:
		return reply{fault: faultGone}
	}
}

// reset cuts the connection without an answer: a TCP reset where possible.
func (s *Server) reset(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // HTTP/2: abort the stream
	}
	raw := conn
	if nc, ok := conn.(interface{ NetConn() net.Conn }); ok { // TLS
		raw = nc.NetConn()
	}
	if tcp, ok := raw.(*net.TCPConn); ok {
		tcp.SetLinger(0) //nolint:errcheck // best effort: a FIN instead of a RST is fine too
	}
	conn.Close()
}
