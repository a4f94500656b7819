// Package api is the fake Pushwoosh HTTP API: POST /json/1.3/<method> and the
// messaging API v2 (/messaging/v2/notify, /messaging/v2/cancel), answering as
// Pushwoosh does (https://docs.pushwoosh.com/developer/api-reference/) from the in-memory state, with every call written to
// the journal and the scenario's API rules able to change any answer.
//
// Handlers return a reply; one adapter (Server.write) turns replies into HTTP
// responses, so every answer — errors included — is the JSON envelope
// {"status_code","status_message","response"}.
package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/journal"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
)

// MaxBodyBytes bounds a request body; larger ones are answered 413.
const MaxBodyBytes = 10 << 20

// Path prefixes the API serves.
const (
	PrefixV13 = "/json/1.3/"
	PrefixV2  = "/messaging/v2/"
)

// Options configure a Server.
type Options struct {
	Clock   clock.Clock          // nil: wall time
	State   *state.Store         // nil: an empty world
	Journal *journal.Journal     // nil: calls are not recorded
	Rules   []scenarios.RulePlan // the scenario's api: rules, checked
	Seed    int64                // message codes and rule probabilities derive from it
	Start   time.Time            // origin of the rules' during windows; zero means the clock's now at New
	// OnMessage is called for every message the API accepts, once per application,
	// with the devices it goes to; a scheduled message is passed on at its send date.
	OnMessage func(lifecycle.Message)
	// OnEvents receives the events devices report themselves (pushStat,
	// messageDeliveryEvent, in-app and inbox actions, …): the streams and the ledger.
	OnEvents func([]catalog.Event)
	Logger   *slog.Logger
	Journeys []scenarios.JourneyPlan // the scenario's Customer Journeys, running
	// OnCall, when set, is told of every answered call: its method, HTTP status and
	// envelope status_code (0 when the answer has none).
	OnCall func(method string, httpStatus, statusCode int)
}

// Server serves the API. It is an http.Handler for any Host.
type Server struct {
	clk       clock.Clock
	st        *state.Store
	jr        *journal.Journal
	rules     *ruleSet
	seed      uint64
	onMessage func(lifecycle.Message)
	onEvents  func([]catalog.Event)
	onCall    func(method string, httpStatus, statusCode int)
	log       *slog.Logger
	picks     *picker // seeded choices (which device a limited message goes to)
	fanOut    *fanOutQueue
	incomings sync.Pool // of *incoming

	held heldPoints // journey points waiting for their journey to run again

	closed    chan struct{} // closed by Close: calls waiting on the clock give up
	closeOnce sync.Once
}

// Close releases the calls that wait on the emulator clock (latency and hang rules):
// the emulator closes a server when it replaces or resets the scenario, after which
// nobody moves that server's clock.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closed) })
}

// New builds a Server.
func New(o Options) *Server {
	if o.Clock == nil {
		o.Clock = clock.NewReal()
	}
	if o.State == nil {
		o.State = state.New(nil)
	}
	if o.Start.IsZero() {
		o.Start = o.Clock.Now()
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{closed: make(chan struct{}), clk: o.Clock, st: o.State, jr: o.Journal, seed: uint64(o.Seed),
		onMessage: o.OnMessage, onEvents: o.OnEvents, onCall: o.OnCall, log: log, picks: newPicker(uint64(o.Seed)),
		fanOut: &fanOutQueue{clk: o.Clock}}
	s.incomings.New = func() any { return new(incoming) }
	s.rules = newRuleSet(o.Rules, o.Start, uint64(o.Seed))
	s.addScenarioJourneys(o.Journeys)
	return s
}

// routes is the router built from the catalog: the v1.3 methods share
// /json/1.3/{method} and the messaging API v2 /messaging/v2/{action}, each with a
// route for POST and one that answers other HTTP methods 405; under /api/ each
// endpoint has its own path template and HTTP method. It is built once per process
// (compiling the paths is most of what an emulator's start would cost) and shared by
// every Server: its handlers find theirs in the request's context (see ServeHTTP).
var routes = sync.OnceValue(func() *mux.Router {
	r := mux.NewRouter()
	r.SkipClean(true) // ServeHTTP tidies the slashes; "." segments are not the API's business
	v13 := PrefixV13 + "{method}"
	r.Path(v13).Methods(http.MethodPost).HandlerFunc(perServer((*Server).serveV13))
	r.Path(v13).HandlerFunc(perServer(func(s *Server, w http.ResponseWriter, r *http.Request) { s.serveNotPost("method", false)(w, r) }))
	v2 := PrefixV2 + "{action}"
	r.Path(v2).Methods(http.MethodPost).HandlerFunc(perServer((*Server).serveV2))
	r.Path(v2).HandlerFunc(perServer(func(s *Server, w http.ResponseWriter, r *http.Request) { s.serveNotPost("action", true)(w, r) }))
	r.Path(PrefixExportFiles + "{file}").Methods(http.MethodGet).HandlerFunc(perServer((*Server).serveExportFile))
	apiRoot := strings.TrimSuffix(PrefixAPI, "/") // a subrouter's paths continue its prefix
	api := r.PathPrefix(apiRoot).Subrouter()
	var paths []string
	for _, ep := range catalog.Endpoints() {
		var h func(s *Server, w http.ResponseWriter, r *http.Request)
		switch {
		case apiHandlers[ep] != nil:
			h = func(s *Server, w http.ResponseWriter, r *http.Request) { s.serveAPI(ep)(w, r) }
		case deviceGateway[ep]:
			h = func(s *Server, w http.ResponseWriter, r *http.Request) { s.serveDeviceAPI(ep)(w, r) }
		default:
			continue
		}
		api.Path(strings.TrimPrefix(ep.Path, apiRoot)).Methods(ep.HTTP).HandlerFunc(perServer(h))
		paths = append(paths, ep.Path)
	}
	// After every endpoint's route, the same paths for the other HTTP methods: mux's
	// MethodNotAllowedHandler does not see a mismatch a later route of a subrouter
	// clears.
	for _, p := range paths {
		api.Path(strings.TrimPrefix(p, apiRoot)).HandlerFunc(perServer(func(s *Server, w http.ResponseWriter, r *http.Request) {
			s.serveAPIRefusal(http.StatusMethodNotAllowed)(w, r)
		}))
	}
	api.NotFoundHandler = perServer(func(s *Server, w http.ResponseWriter, r *http.Request) {
		s.serveAPIRefusal(http.StatusNotFound)(w, r)
	})
	r.NotFoundHandler = perServer((*Server).serveUnknownPath)
	return r
})

// serverKey carries the Server a request is for through the shared router.
type serverKey struct{}

// perServer adapts a handler of a Server to the shared router.
func perServer(h func(s *Server, w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h(r.Context().Value(serverKey{}).(*Server), w, r)
	}
}

// methodName is the {method} (or {action}) of a POST under prefix, as the router
// would match it: one non-empty path segment.
func methodName(path, prefix string) (string, bool) {
	name, ok := strings.CutPrefix(path, prefix)
	return name, ok && name != "" && !strings.Contains(name, "/")
}

// tidyPath drops the slashes clients add around a path: "//json/1.3/x" from a base
// URL with a trailing slash, "/json/1.3/x/" from a client that ends every path so.
func tidyPath(p string) string {
	for len(p) > 1 && p[1] == '/' {
		p = p[1:]
	}
	for len(p) > 1 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if origin := r.Header.Get("Origin"); origin != "" {
		// The web SDK calls from the browser with credentials: echo the origin, as
		// "*" is not allowed with credentials.
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
		h.Add("Vary", "Origin")
		if r.Method == http.MethodOptions {
			allow := r.Header.Get("Access-Control-Request-Headers")
			if allow == "" {
				allow = "Authorization, Content-Type"
			}
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", allow)
			h.Set("Access-Control-Max-Age", "86400")
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	if r.Method == http.MethodOptions {
		w.Header().Set("Allow", "POST, OPTIONS")
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if p := tidyPath(r.URL.Path); p != r.URL.Path {
		tidy := *r
		u := *r.URL
		u.Path, u.RawPath = p, ""
		tidy.URL = &u
		r = &tidy
	}
	// The calls SDKs and servers make by the million, POSTs to a v1.3 method or a v2
	// action, go straight to their handler: the router would match them the same way
	// at the cost of a request copy to carry the match.
	if r.Method == http.MethodPost {
		if name, ok := methodName(r.URL.Path, PrefixV13); ok {
			s.serve(w, r, name, false, s.callV13)
			return
		}
		if name, ok := methodName(r.URL.Path, PrefixV2); ok {
			s.serve(w, r, name, true, s.callV2)
			return
		}
	}
	routes().ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), serverKey{}, s)))
}

// serveV13 serves POST /json/1.3/{method}.
func (s *Server) serveV13(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, mux.Vars(r)["method"], false, s.callV13)
}

// serveV2 serves POST /messaging/v2/{action}.
func (s *Server) serveV2(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, mux.Vars(r)["action"], true, s.callV2)
}

// serveNotPost answers 405 to the other HTTP methods on a POST path; the rules do
// not apply.
func (s *Server) serveNotPost(nameVar string, v2 bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, mux.Vars(r)[nameVar], v2, nil)
	}
}

func (s *Server) serveUnknownPath(w http.ResponseWriter, r *http.Request) {
	s.serve(w, r, "", false, func(context.Context, *incoming) reply { return httpError(http.StatusNotFound) })
}

// incoming is one API call as received, with the scratch space its handling needs.
// Incomings are pooled: a busy emulator would otherwise hand the garbage collector a
// kilobyte a call. Nothing may keep a pointer into one after the call.
type incoming struct {
	method string // API method: "createMessage", "notify", …
	path   string
	auth   string // the Authorization header
	host   string // the Host the call came to, for URLs in answers
	query  string // the URL's raw query
	tls    bool
	body   []byte
	arrive time.Time
	// Whether the body is JSON, for the journal; decoding finds out, else write does.
	jsonKnown, isJSON bool

	call call
	req  Request
}

// serve is the one adapter between HTTP and the method handlers: it reads the body,
// lets the rules and then handle answer, writes the reply and journals the call.
// A nil handle answers 405: the route took the call for another HTTP method.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, method string, v2 bool, handle func(context.Context, *incoming) reply) {
	in := s.incomings.Get().(*incoming)
	defer func() {
		*in = incoming{} // let go of the body and the rest before pooling
		s.incomings.Put(in)
	}()
	*in = incoming{method: method, path: r.URL.Path, auth: r.Header.Get("Authorization"), arrive: s.clk.Now()}
	in.host, in.tls, in.query = r.Host, r.TLS != nil, r.URL.RawQuery
	var rep reply
	body, status := readBody(w, r)
	in.body = body
	switch {
	case status != 0:
		rep = httpError(status)
	case handle == nil:
		rep = httpError(http.StatusMethodNotAllowed)
	default:
		rep = s.rules.apply(r.Context(), s, in, handle)
	}
	if v2 {
		rep = asV2(rep)
	}
	s.write(w, in, rep)
}

// bodyPresize bounds how much readBody allocates on the word of Content-Length: a
// header alone must not make the server allocate MaxBodyBytes before any of the body
// arrives.
const bodyPresize = 64 << 10

// readBody reads the request body, bounded by MaxBodyBytes; status is 413 for a
// larger body and 400 for one that ended early.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, int) {
	want := r.ContentLength // -1 when unknown
	if want > MaxBodyBytes {
		return nil, http.StatusRequestEntityTooLarge
	}
	size := int64(512)
	if want >= 0 {
		size = min(want, bodyPresize)
	}
	body := make([]byte, 0, size)
	rd := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	for want < 0 || int64(len(body)) < want {
		if len(body) == cap(body) {
			body = append(body, 0)[:len(body)] // grow as the body arrives
		}
		end := cap(body)
		if want >= 0 {
			end = int(min(int64(end), want)) // the bytes past Content-Length are not the body
		}
		n, err := rd.Read(body[len(body):end])
		body = body[:len(body)+n]
		var tooBig *http.MaxBytesError
		switch {
		case err == io.EOF && (want < 0 || int64(len(body)) == want):
			return body, 0
		case errors.As(err, &tooBig):
			return nil, http.StatusRequestEntityTooLarge
		case err != nil:
			return nil, http.StatusBadRequest
		}
	}
	return body, 0
}

// write journals the call, then sends the reply: a test that has its answer finds
// the call in the journal.
func (s *Server) write(w http.ResponseWriter, in *incoming, rep reply) {
	var out []byte
	switch {
	case rep.fault != "":
	case rep.raw != nil:
		out = rep.raw
	default:
		out = appendEnvelope(make([]byte, 0, 64+len(rep.message)+len(rep.body)), rep)
	}
	s.journal(in, rep, out)
	s.observe(in, rep, out)
	switch {
	case rep.fault == catalog.FaultReset:
		s.reset(w)
	case out != nil:
		h := w.Header()
		// Shared value slices: Set would make a new one for every answer.
		if rep.raw == nil || json.Valid(rep.raw) {
			h["Content-Type"] = jsonContentType
		} else {
			h["Content-Type"] = htmlContentType
		}
		h["Content-Length"] = []string{strconv.Itoa(len(out))}
		w.WriteHeader(rep.status)
		w.Write(out) //nolint:errcheck // the client went away: nothing to do
	}
}

var (
	jsonContentType = []string{"application/json; charset=utf-8"}
	htmlContentType = []string{"text/html; charset=utf-8"}
)

func (s *Server) journal(in *incoming, rep reply, out []byte) {
	if s.jr == nil {
		return
	}
	e := journal.Entry{Time: in.arrive, Method: in.method, Path: in.path, Request: in.body,
		Latency: s.clk.Now().Sub(in.arrive)}
	if !in.jsonKnown {
		in.isJSON = json.Valid(in.body)
	}
	if !in.isJSON && len(in.body) > 0 {
		e.Request = quote(in.body)
	}
	if out != nil {
		e.HTTPStatus = rep.status
		e.Response = out
		if rep.raw != nil && !json.Valid(rep.raw) {
			e.Response = quote(rep.raw)
		}
	}
	s.jr.Add(e)
}

// observe logs the call at debug level and counts it.
func (s *Server) observe(in *incoming, rep reply, out []byte) {
	status, code := 0, 0 // 0, 0: the connection was cut, nothing answered
	if out != nil {
		status, code = rep.status, rep.code
		if rep.raw != nil { // a scripted body: its status_code, if it has one
			var env struct {
				StatusCode int `json:"status_code"`
			}
			code = 0
			if json.Unmarshal(rep.raw, &env) == nil {
				code = env.StatusCode
			}
		}
	}
	if s.onCall != nil {
		s.onCall(in.method, status, code)
	}
	if s.log.Enabled(context.Background(), slog.LevelDebug) {
		args := []any{"method", in.method, "http_status", status, "status_code", code,
			"latency", s.clk.Now().Sub(in.arrive)}
		if rep.message != "" && code != 200 {
			args = append(args, "status_message", rep.message)
		}
		s.log.Debug("api call", args...)
	}
}

func quote(b []byte) json.RawMessage {
	q, _ := json.Marshal(string(b))
	return q
}
