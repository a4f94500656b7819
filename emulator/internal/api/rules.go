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
// probability (0 or 1: always), drawn from a generator seeded by Options.Seed, so
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
	scenarios.APIRule
	used int // calls the rule answered, against Times
}

// ruleSet holds the rules with their state (times used, random draws).
type ruleSet struct {
	start time.Time
	mu    sync.Mutex
	rules []*rule
	rng   *rand.Rand // probabilities and latency ranges, seeded
}

func newRuleSet(rules []scenarios.APIRule, start time.Time, seed uint64) *ruleSet {
	rs := &ruleSet{start: start, rng: rand.New(rand.NewPCG(seed, saltRules))}
	for _, r := range rules {
		rs.rules = append(rs.rules, &rule{APIRule: r})
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
		if !within(r.During, now.Sub(rs.start)) {
			continue
		}
		if len(r.Match) > 0 && !matches(r.Match, fields) {
			continue
		}
		if r.Probability > 0 && r.Probability < 1 && rs.rng.Float64() >= r.Probability {
			continue
		}
		r.used++
		var d time.Duration
		if r.Latency.Max > 0 {
			d = r.Latency.Min
			if span := r.Latency.Max - r.Latency.Min; span > 0 {
				d += time.Duration(rs.rng.Int64N(int64(span) + 1))
			}
		}
		return r, d
	}
	return nil, 0
}

// within reports whether elapsed lies in a during window [from, to).
func within(during []scenarios.Duration, elapsed time.Duration) bool {
	switch len(during) {
	case 0:
		return true
	case 1:
		return elapsed >= during[0].D()
	}
	return elapsed >= during[0].D() && elapsed < during[1].D()
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
		if !reflect.DeepEqual(normalize(v), got) {
			return false
		}
	}
	return true
}

// normalize turns a YAML value into what JSON decoding of the same value gives.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return v
	}
	return out
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
	return rs.respond(ctx, s, r.Respond, in, handle)
}

func (rs *ruleSet) respond(ctx context.Context, s *Server, rp scenarios.Respond, in *incoming, handle func(context.Context, *incoming) reply) reply {
	switch {
	case rp.Fault == catalog.FaultReset:
		return reply{fault: catalog.FaultReset}
	case rp.Fault == catalog.FaultHang:
		if !s.wait(ctx, HangLimit) {
			return s.interrupted()
		}
		return reply{fault: catalog.FaultReset}
	case rp.Fault == catalog.FaultMalformed:
		return reply{status: http.StatusOK, code: 200, raw: malformedBody}
	case rp.Code != "":
		named, found := catalog.ResponseNamed(rp.Code)
		if !found {
			s.log.Warn("api rule names an unknown answer; answering normally", "code", rp.Code)
			return handle(ctx, in)
		}
		if named.Warning {
			return handle(ctx, in).withWarning(named.StatusMessage)
		}
		return reply{status: named.HTTP, code: named.StatusCode, message: named.StatusMessage}
	case rp.Warning != "":
		named, found := catalog.ResponseNamed(rp.Warning)
		if !found || !named.Warning {
			s.log.Warn("api rule names an unknown warning; answering normally", "warning", rp.Warning)
			return handle(ctx, in)
		}
		return handle(ctx, in).withWarning(named.StatusMessage)
	case rp.StatusCode != 0 || rp.StatusMessage != "" || rp.Response != nil:
		status := rp.HTTP
		if status == 0 {
			status = http.StatusOK
		}
		code := rp.StatusCode
		if code == 0 {
			code = status
		}
		r := reply{status: status, code: code, message: rp.StatusMessage}
		if rp.Response != nil {
			b, err := json.Marshal(normalize(rp.Response))
			if err != nil {
				return httpError(http.StatusInternalServerError)
			}
			r.body = b
		}
		return r
	case rp.HTTP != 0:
		r := httpError(rp.HTTP)
		if rp.HTTP < 300 {
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
