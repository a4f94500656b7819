// Package control serves pwemu's control API under /_pwemu/: what tests and CI use to
// read the ledger and journal, inject events, move the manual clock, wait for
// conditions and replace or reset the scenario. The paths and JSON shapes are a
// contract: testkit.Client and testkit/container drive an emulator of another
// version through them, so they change only by addition.
package control

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/journal"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/ui"
	"github.com/pwemu/pwemu/scenarios"
)

// Prefix is where the control API lives.
const Prefix = "/_pwemu"

// maxBody bounds control request bodies (a scenario, a batch of injected events).
const maxBody = 64 << 20

// Backend is the running emulator as the control API sees it.
type Backend interface {
	// Ready reports nil once the emulator serves.
	Ready() error
	ClockInfo() ClockInfo
	// Advance moves a manual clock; it fails with ErrNotManual on other clocks.
	// Advance stops early when ctx ends (the client went away).
	Advance(ctx context.Context, d time.Duration) (time.Time, error)
	ScenarioYAML() []byte
	// ReplaceScenario loads YAML and swaps the running scenario; a bad scenario
	// leaves the running one untouched and returns *scenarios.Errors. vars holds the
	// ${NAME} values the request supplied: a scenario sent over the network never
	// reads the process environment but for the names the operator allowed.
	ReplaceScenario(source string, yaml []byte, vars map[string]string) error
	Inject(evs []catalog.Event) int
	// Generate makes and publishes the events of spec, the JSON generate spec of POST
	// /_pwemu/events {"generate": …} as the request gave it: the backend checks it
	// against the running scenario (a bad spec is an error saying what is wrong).
	Generate(spec json.RawMessage) (int, error)
	Ledger() *ledger.Ledger
	Journal() *journal.Journal
	Reset() error
	// Pushes lists what was pushed to a device, oldest first, as JSON-encodable
	// values with message_code, hash, platform and payload.
	Pushes(hwid string) any
	// Wait blocks until cond holds for the ledger totals or ctx ends; on a manual
	// clock it returns *StalledError at once when only Advance could change them.
	Wait(ctx context.Context, cond func(ledger.Totals) bool) (ledger.Totals, error)
	// Report is the verdict `pwemu run` would give now, as its JSON report; nil when
	// the emulator was given no judge.
	Report() ([]byte, error)
}

// ErrNotManual is returned by Advance on a real or scaled clock.
var ErrNotManual = errors.New("the clock is not manual: start pwemu with --clock manual or a scenario with clock: {mode: manual}")

// ClockInfo describes the emulator clock.
type ClockInfo struct {
	Mode  string    `json:"mode"`
	Now   time.Time `json:"now"`
	Speed float64   `json:"speed,omitempty"`
	// NextTimer is when the next timer of a manual clock fires, if one is set.
	NextTimer *time.Time `json:"next_timer,omitempty"`
}

// New returns the control API handler, guarded by o; mount it at Prefix.
func New(b Backend, o Options) http.Handler {
	s := &server{b: b}
	return o.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		routes().ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), serverKey{}, s)))
	}))
}

// serverKey carries the server a request is for to the shared routes.
type serverKey struct{}

// routes is the control API's router, built once per process (compiling its paths
// is most of what building it costs) and shared by every emulator: its handlers find
// their server in the request's context.
var routes = sync.OnceValue(func() *mux.Router {
	r := mux.NewRouter()
	p := r.PathPrefix(Prefix).Subrouter()
	p.Handle("/health", adapt((*server).health)).Methods(http.MethodGet, http.MethodHead)
	p.Handle("/scenario", adapt((*server).getScenario)).Methods(http.MethodGet)
	p.Handle("/scenario", adapt((*server).putScenario)).Methods(http.MethodPut, http.MethodPost)
	p.Handle("/events", adapt((*server).postEvents)).Methods(http.MethodPost)
	p.Handle("/clock", adapt((*server).getClock)).Methods(http.MethodGet)
	p.Handle("/clock/advance", adapt((*server).advance)).Methods(http.MethodPost)
	p.Handle("/ledger", adapt((*server).getLedger)).Methods(http.MethodGet)
	p.Handle("/journal", adapt((*server).getJournal)).Methods(http.MethodGet)
	p.Handle("/wait", adapt((*server).wait)).Methods(http.MethodPost)
	p.Handle("/reset", adapt((*server).reset)).Methods(http.MethodPost)
	p.Handle("/pushes", adapt((*server).pushes)).Methods(http.MethodGet)
	p.Handle("/methods", adapt((*server).methods)).Methods(http.MethodGet)
	p.Handle("/report", adapt((*server).report)).Methods(http.MethodGet)
	p.Handle("/requests", adapt((*server).requests)).Methods(http.MethodGet)
	p.Handle("/ui", http.RedirectHandler(Prefix+"/ui/", http.StatusMovedPermanently)).Methods(http.MethodGet)
	p.PathPrefix("/ui/").Handler(ui.Handler(Prefix+"/ui/")).Methods(http.MethodGet, http.MethodHead)
	r.NotFoundHandler = adapt(func(_ *server, r *http.Request) (any, error) {
		return nil, fail(http.StatusNotFound, "no control endpoint %s %s (see GET %s/health, /ledger, /journal, …)", r.Method, r.URL.Path, Prefix)
	})
	r.MethodNotAllowedHandler = adapt(func(_ *server, r *http.Request) (any, error) {
		return nil, fail(http.StatusMethodNotAllowed, "%s is not allowed on %s", r.Method, r.URL.Path)
	})
	return r
})

type server struct{ b Backend }

// handler returns the value to write as JSON, or an error.
type handler func(s *server, r *http.Request) (any, error)

// raw is a response written as is.
type raw struct {
	contentType string
	body        []byte
}

// Error is a control API failure with its HTTP status; it is written as
// {"error": message, "details": …}.
type Error struct {
	Status  int    `json:"-"`
	Message string `json:"error"`
	Details any    `json:"details,omitempty"`
}

func (e *Error) Error() string { return e.Message }

func fail(status int, format string, args ...any) *Error {
	return &Error{Status: status, Message: fmt.Sprintf(format, args...)}
}

// adapt is the one place that writes responses.
func adapt(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := h(r.Context().Value(serverKey{}).(*server), r)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				ce = &Error{Status: http.StatusInternalServerError, Message: err.Error()}
			}
			writeJSON(w, ce.Status, ce)
			return
		}
		if rw, ok := v.(raw); ok {
			w.Header().Set("Content-Type", rw.contentType)
			w.Write(rw.body)
			return
		}
		if l, ok := v.(list); ok {
			l.write(w)
			return
		}
		writeJSON(w, http.StatusOK, v)
	})
}

// writeJSON encodes before it writes the status, so that a value that cannot be
// encoded becomes a 500 with a message, never a 200 with an empty body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		json.NewEncoder(&buf).Encode(Error{Message: "control API: encoding the answer: " + err.Error()})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, fail(http.StatusRequestEntityTooLarge, "request body over %d bytes", maxBody)
		}
		return nil, fail(http.StatusBadRequest, "reading the body: %v", err)
	}
	return body, nil
}

func decodeJSON(body []byte, v any, what string) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fail(http.StatusBadRequest, "%s: malformed JSON: %v", what, err)
	}
	return nil
}

// methods answers GET /_pwemu/methods: the emulated endpoints, from the catalog.
func (*server) methods(*http.Request) (any, error) { return catalog.Listings(), nil }

func (s *server) health(*http.Request) (any, error) {
	if err := s.b.Ready(); err != nil {
		return nil, &Error{Status: http.StatusServiceUnavailable, Message: err.Error()}
	}
	return map[string]any{"status": "ok", "clock": s.b.ClockInfo()}, nil
}

func (s *server) getScenario(*http.Request) (any, error) {
	return raw{contentType: "application/yaml", body: RedactYAML(s.b.ScenarioYAML())}, nil
}

// EnvHeader carries a ${NAME} value of a scenario sent with PUT /_pwemu/scenario, as
// NAME=value; the header may repeat. The query parameter env.NAME=value does the same.
const EnvHeader = "Pwemu-Env"

// requestVars reads the ${NAME} values a PUT /_pwemu/scenario supplies.
func requestVars(r *http.Request) (map[string]string, error) {
	vars := map[string]string{}
	for k, vs := range r.URL.Query() {
		if name, ok := strings.CutPrefix(k, "env."); ok && len(vs) > 0 {
			if name == "" {
				return nil, fail(http.StatusBadRequest, "scenario: query parameter %q names no variable: write env.NAME=value", k)
			}
			vars[name] = vs[len(vs)-1]
		}
	}
	for _, kv := range r.Header.Values(EnvHeader) {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name == "" {
			return nil, fail(http.StatusBadRequest, "scenario: %s header: want NAME=value", EnvHeader)
		}
		vars[strings.TrimSpace(name)] = val
	}
	return vars, nil
}

func (s *server) putScenario(r *http.Request) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	vars, err := requestVars(r)
	if err != nil {
		return nil, err
	}
	if err := s.b.ReplaceScenario("scenario", body, vars); err != nil {
		var se *scenarios.Errors
		if errors.As(err, &se) {
			return nil, &Error{Status: http.StatusBadRequest, Message: "invalid scenario", Details: se.List}
		}
		return nil, &Error{Status: http.StatusBadRequest, Message: err.Error()}
	}
	return map[string]any{"ok": true, "clock": s.b.ClockInfo()}, nil
}

// postEvents takes a JSON array of events, or {"generate": {…}}.
func (s *server) postEvents(r *http.Request) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var req struct {
			Generate json.RawMessage `json:"generate"`
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil || len(req.Generate) == 0 || req.Generate[0] != '{' {
			return nil, fail(http.StatusBadRequest, `events: want a JSON array of events or {"generate": {"count": N, …}}`)
		}
		n, err := s.b.Generate(req.Generate)
		if err != nil {
			return nil, fail(http.StatusBadRequest, "events: generate: %v", err)
		}
		return map[string]any{"accepted": n}, nil
	}
	var evs []catalog.Event
	if err := decodeJSON(body, &evs, "events"); err != nil {
		return nil, err
	}
	for i, e := range evs {
		if e.EventName == "" || e.Platform == "" {
			return nil, fail(http.StatusBadRequest, "events[%d]: event_name and platform are required", i)
		}
	}
	return map[string]any{"accepted": s.b.Inject(evs)}, nil
}

func (s *server) getClock(*http.Request) (any, error) { return s.b.ClockInfo(), nil }

func (s *server) advance(r *http.Request) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var req struct {
		By string `json:"by"`
	}
	if err := decodeJSON(body, &req, "clock/advance"); err != nil {
		return nil, err
	}
	d, err := time.ParseDuration(req.By)
	if err != nil || d < 0 {
		return nil, fail(http.StatusBadRequest, `clock/advance: "by" must be a non-negative Go duration such as "1h" or "30s", got %q`, req.By)
	}
	if d > clock.MaxAdvance {
		return nil, fail(http.StatusBadRequest, `clock/advance: "by" %q is over the maximum step of %v (a year): advance in steps`, req.By, clock.MaxAdvance)
	}
	now, err := s.b.Advance(r.Context(), d)
	if err != nil {
		return nil, &Error{Status: http.StatusConflict, Message: err.Error()}
	}
	info := s.b.ClockInfo()
	info.Now = now
	return info, nil
}

// LedgerView is the body of GET /_pwemu/ledger: totals and records read at one
// moment.
type LedgerView struct {
	Totals       ledger.Totals            `json:"totals"`
	Integrations map[string]ledger.Totals `json:"integrations"`
	Events       []ledger.Record          `json:"events"`
	// NextOffset, when not 0, is the offset of the records this answer left out.
	NextOffset int `json:"next_offset,omitempty"`
	// Evicted counts the oldest records whose detail was dropped to keep the ledger's
	// bound; the totals still count them.
	Evicted int `json:"evicted"`
	// Matched counts the records the query selects, when asked with count=true.
	Matched *int `json:"matched,omitempty"`
}

// Page sizes of the list endpoints (ledger, journal): what an answer holds when the
// request names no limit, and the most it may ask for.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

// page reads limit and offset: limit defaults to DefaultPageSize and may not pass
// MaxPageSize.
func page(q url.Values) (offset, limit int, err error) {
	if offset, err = intParam(q.Get("offset")); err != nil {
		return 0, 0, err
	}
	if limit, err = intParam(q.Get("limit")); err != nil {
		return 0, 0, err
	}
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit > MaxPageSize {
		return 0, 0, fail(http.StatusBadRequest, "limit %d is over the maximum page size %d: read further pages with offset (next_offset)", limit, MaxPageSize)
	}
	return offset, limit, nil
}

func (s *server) getLedger(r *http.Request) (any, error) {
	q := r.URL.Query()
	var query ledger.Query
	if st := q.Get("state"); st != "" {
		found := false
		for _, cand := range []ledger.State{ledger.Pending, ledger.Delivered, ledger.Dropped, ledger.Filtered} {
			if cand.String() == st {
				query.State, found = &cand, true
			}
		}
		if !found {
			return nil, fail(http.StatusBadRequest, "ledger: state %q: want pending, delivered, dropped or filtered", st)
		}
	}
	query.Integration, query.UUID, query.Text = q.Get("integration"), q.Get("uuid"), q.Get("q")
	offset, limit, err := page(q)
	if err != nil {
		return nil, err
	}
	query.Offset, query.Limit = offset, limit+1 // one more tells whether records were left out
	if q.Get("events") == "false" {
		query.Limit = -1 // none
	}
	snap := s.b.Ledger().Snapshot(query)
	nextOffset := 0
	if len(snap.Records) > limit {
		snap.Records = snap.Records[:limit]
		nextOffset = offset + limit
	}
	head := []field{{"totals", snap.Totals}, {"integrations", snap.Integrations}}
	if q.Get("count") == "true" {
		head = append(head, field{"matched", s.b.Ledger().Matching(query)})
	}
	tail := []field{{"evicted", snap.Evicted}}
	if nextOffset > 0 {
		tail = append(tail, field{"next_offset", nextOffset})
	}
	return list{head: head, name: "events", n: len(snap.Records), item: func(i int) any { return &snap.Records[i] }, tail: tail}, nil
}

func intParam(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fail(http.StatusBadRequest, "want a non-negative number, got %q", s)
	}
	return n, nil
}

// JournalView is the body of GET /_pwemu/journal: Total counts the calls kept that
// match, Calls holds the page asked for.
type JournalView struct {
	Total      int             `json:"total"`
	Calls      []journal.Entry `json:"calls"`
	NextOffset int             `json:"next_offset,omitempty"`
	// Evicted counts the oldest calls forgotten to keep the journal's byte bound.
	Evicted int `json:"evicted"`
	// Methods counts the calls kept by method, when asked with methods=true.
	Methods map[string]int `json:"methods,omitempty"`
}

// statusFilter reads a journal status filter: an HTTP status (404) or a class (4xx).
func statusFilter(s string) (func(int) bool, error) {
	if s == "" {
		return nil, nil
	}
	if len(s) == 3 && (s[1:] == "xx" || s[1:] == "XX") && s[0] >= '1' && s[0] <= '5' {
		class := int(s[0] - '0')
		return func(st int) bool { return st/100 == class }, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return nil, fail(http.StatusBadRequest, "journal: status %q: want an HTTP status such as 404 or a class such as 4xx", s)
	}
	return func(st int) bool { return st == n }, nil
}

func (s *server) getJournal(r *http.Request) (any, error) {
	q := r.URL.Query()
	offset, limit, err := page(q)
	if err != nil {
		return nil, err
	}
	status, err := statusFilter(q.Get("status"))
	if err != nil {
		return nil, err
	}
	var match func(*journal.Entry) bool
	if m := q.Get("method"); m != "" || status != nil {
		match = func(e *journal.Entry) bool {
			return (m == "" || e.Method == m) && (status == nil || status(e.HTTPStatus))
		}
	}
	tailN, err := intParam(q.Get("tail"))
	if err != nil {
		return nil, err
	}
	if tailN > MaxPageSize {
		return nil, fail(http.StatusBadRequest, "tail %d is over the maximum page size %d", tailN, MaxPageSize)
	}
	if tailN > 0 { // the latest calls
		offset, limit = -tailN, tailN
	}
	j := s.b.Journal()
	p := j.PageWhere(match, offset, limit)
	if offset < 0 {
		offset = p.Total - len(p.Entries)
	}
	head := []field{{"total", p.Total}}
	if q.Get("methods") == "true" {
		head = append(head, field{"methods", j.Methods()})
	}
	tail := []field{{"evicted", p.Evicted}}
	if offset+len(p.Entries) < p.Total {
		tail = append(tail, field{"next_offset", offset + len(p.Entries)})
	}
	return list{head: head, name: "calls", n: len(p.Entries),
		item: func(i int) any { return &p.Entries[i] }, tail: tail}, nil
}

// WaitRequest is the body of POST /_pwemu/wait: every condition given must hold
// (each is "at least"); Settled waits until nothing is pending.
type WaitRequest struct {
	Generated *int   `json:"generated,omitempty"`
	Delivered *int   `json:"delivered,omitempty"`
	Dropped   *int   `json:"dropped,omitempty"`
	Filtered  *int   `json:"filtered,omitempty"`
	Pending   *int   `json:"pending,omitempty"` // at most
	Settled   bool   `json:"settled,omitempty"`
	Timeout   string `json:"timeout,omitempty"` // wall time; default 30s
}

// Holds reports whether the totals meet the request.
func (w WaitRequest) Holds(t ledger.Totals) bool {
	atLeast := func(want *int, got int) bool { return want == nil || got >= *want }
	return atLeast(w.Generated, t.Generated) && atLeast(w.Delivered, t.Delivered) &&
		atLeast(w.Dropped, t.Dropped) && atLeast(w.Filtered, t.Filtered) &&
		(w.Pending == nil || t.Pending <= *w.Pending) && (!w.Settled || t.Pending == 0)
}

func (s *server) wait(r *http.Request) (any, error) {
	body, err := readBody(r)
	if err != nil {
		return nil, err
	}
	var req WaitRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, fail(http.StatusBadRequest, "wait: %v (conditions: generated, delivered, dropped, filtered, pending, settled; timeout)", err)
	}
	timeout := 30 * time.Second
	if req.Timeout != "" {
		if timeout, err = time.ParseDuration(req.Timeout); err != nil || timeout <= 0 {
			return nil, fail(http.StatusBadRequest, "wait: timeout %q is not a positive Go duration", req.Timeout)
		}
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	totals, err := s.b.Wait(ctx, req.Holds)
	var stalled *StalledError
	if errors.As(err, &stalled) {
		return nil, &Error{Status: http.StatusConflict, Message: "wait: " + err.Error(),
			Details: map[string]any{"totals": totals, "now": stalled.Now, "next_timer": nextTimer(stalled)}}
	}
	if errors.Is(err, ledger.ErrClosed) {
		return nil, &Error{Status: http.StatusConflict, Message: "wait: " + err.Error() + "; wait again on the new one",
			Details: map[string]any{"totals": totals}}
	}
	if err != nil {
		return nil, &Error{Status: http.StatusRequestTimeout, Message: "wait: the condition did not hold within " + timeout.String(),
			Details: map[string]any{"totals": totals}}
	}
	return map[string]any{"ok": true, "totals": totals}, nil
}

// report is the verdict on the run so far, as `pwemu run --json` writes it.
func (s *server) report(*http.Request) (any, error) {
	body, err := s.b.Report()
	if err != nil {
		return nil, err
	}
	if body == nil {
		return nil, fail(http.StatusNotImplemented, "report: this emulator was started without a judge (emulator.Config.Judge; pwemu serve and testkit set one)")
	}
	return raw{contentType: "application/json", body: body}, nil
}

// RequestsView is the body of GET /_pwemu/requests: the latest requests sent to
// receivers, oldest first, and how many there were in all.
type RequestsView struct {
	Total    int              `json:"total"`
	Requests []ledger.Request `json:"requests"`
}

// requests answers GET /_pwemu/requests?limit=N: the latest N requests, N as the
// other lists' pages (DefaultPageSize unless told, MaxPageSize at most).
func (s *server) requests(r *http.Request) (any, error) {
	limit, err := intParam(r.URL.Query().Get("limit"))
	if err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = DefaultPageSize
	}
	if limit > MaxPageSize {
		return nil, fail(http.StatusBadRequest, "limit %d is over the maximum page size %d", limit, MaxPageSize)
	}
	reqs, total := s.b.Ledger().Requests(limit)
	if reqs == nil {
		reqs = []ledger.Request{}
	}
	return RequestsView{Total: total, Requests: reqs}, nil
}

func nextTimer(e *StalledError) any {
	if !e.HasNext {
		return nil
	}
	return e.Next
}

func (s *server) reset(*http.Request) (any, error) {
	if err := s.b.Reset(); err != nil {
		return nil, err
	}
	return map[string]any{"ok": true, "clock": s.b.ClockInfo()}, nil
}

// pushes answers GET /_pwemu/pushes?hwid=H: what pwemu pushed to that device, newest
// last, each with the hash its SDK sends back in pushStat and messageDeliveryEvent.
func (s *server) pushes(r *http.Request) (any, error) {
	hwid := r.URL.Query().Get("hwid")
	if hwid == "" {
		return nil, fail(http.StatusBadRequest, "pushes: the hwid query parameter is required (GET %s/pushes?hwid=…)", Prefix)
	}
	return s.b.Pushes(hwid), nil
}
