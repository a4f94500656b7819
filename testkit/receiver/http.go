package receiver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// HTTPResponse is how an HTTP receiver answers one request. The zero value answers
// 200 at once.
type HTTPResponse struct {
	Status int           // HTTP status; 0 means 200
	Body   string        // response body
	Delay  time.Duration // wall time to wait before answering (or before the fault)
	// Hang keeps the request open without answering until the client gives up (or the
	// receiver closes): a receiver that never answers.
	Hang bool
	// Reset aborts the connection with a TCP reset instead of answering.
	Reset bool
}

// HTTPStatus answers with code.
func HTTPStatus(code int) HTTPResponse { return HTTPResponse{Status: code} }

// HTTPHang never answers; the client's timeout ends the request.
func HTTPHang() HTTPResponse { return HTTPResponse{Hang: true} }

// HTTPReset resets the connection after reading the request.
func HTTPReset() HTTPResponse { return HTTPResponse{Reset: true} }

// HTTPSlow answers code after d of wall time.
func HTTPSlow(d time.Duration, code int) HTTPResponse {
	return HTTPResponse{Status: code, Delay: d}
}

// HTTPRepeat is r n times, for WithHTTPResponses: "503 twice, then the default" is
// WithHTTPResponses(HTTPRepeat(HTTPStatus(503), 2)...).
func HTTPRepeat(r HTTPResponse, n int) []HTTPResponse {
	out := make([]HTTPResponse, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// HTTPScript decides each answer: n counts requests from 0 (since the last Reset), req
// is the request as recorded (Events is nil in count-only mode). It is called with no
// lock held, one request at a time.
type HTTPScript func(n int, req *HTTPRequest) HTTPResponse

// HTTPRequest is one request the receiver got.
type HTTPRequest struct {
	N      int       // request number, from 0
	At     time.Time // wall time the request was read
	Method string
	Path   string
	Header http.Header
	// Close reports that the client asked for the connection to be closed after this
	// request (Connection: close), as pwemu does by default.
	Close  bool
	Body   []byte
	Events []catalog.Event // the body parsed: a JSON array, one object, or NDJSON
	// ParseError says why the body could not be read as events ("" when it could).
	ParseError string
	Answer     HTTPResponse // what the receiver did
}

// HTTPStats counts what an HTTP receiver saw.
type HTTPStats struct {
	Requests   int // every request, whatever the answer
	Batches    int // requests that carried at least one event
	Events     int // events received, retries and duplicates included
	Unique     int // distinct uuids received
	Duplicates int // events whose uuid had been received before (Events-Unique, for events with a uuid)
	Bytes      int // body bytes received
}

// HTTPOption configures NewHTTP.
type HTTPOption func(*httpConfig)

type httpConfig struct {
	addr      string
	responses []HTTPResponse
	def       HTTPResponse
	script    HTTPScript
	countOnly bool
}

// WithHTTPResponses answers the first requests with rs, in order, then with the
// default (WithHTTPDefault; 200 unless set).
func WithHTTPResponses(rs ...HTTPResponse) HTTPOption {
	return func(c *httpConfig) { c.responses = append([]HTTPResponse(nil), rs...) }
}

// WithHTTPDefault sets the answer once the scripted responses are used up: "503
// forever" is WithHTTPDefault(HTTPStatus(503)).
func WithHTTPDefault(r HTTPResponse) HTTPOption { return func(c *httpConfig) { c.def = r } }

// WithHTTPScript decides every answer with f, ahead of responses and default.
func WithHTTPScript(f HTTPScript) HTTPOption { return func(c *httpConfig) { c.script = f } }

// WithHTTPAddr listens on addr instead of a free port of 127.0.0.1: to bring a receiver
// back on the address a stream already points at, or ("0.0.0.0:0") to be reachable
// from a container as host.docker.internal.
func WithHTTPAddr(addr string) HTTPOption { return func(c *httpConfig) { c.addr = addr } }

// HTTPCountOnly keeps counters (requests, bytes) only: bodies are read and discarded,
// not parsed nor kept. For load tests and benchmarks.
func HTTPCountOnly() HTTPOption { return func(c *httpConfig) { c.countOnly = true } }

// HTTP is a recording, scriptable HTTP receiver on 127.0.0.1: it stands in for the
// endpoint of an event stream or a webhook. It is safe for concurrent use.
type HTTP struct {
	srv       *httptest.Server
	done      chan struct{} // closed by Close: ends hanging and slow requests
	closeOnce sync.Once
	countOnly bool

	scriptMu sync.Mutex // one script call at a time

	tally[HTTPStats] // its mu guards the fields below too
	script           HTTPScript
	responses        []HTTPResponse
	def              HTTPResponse
	n                int
	requests         []HTTPRequest
}

// NewHTTP starts a receiver on a free port of 127.0.0.1 (or the WithHTTPAddr address).
func NewHTTP(opts ...HTTPOption) (*HTTP, error) {
	var cfg httpConfig
	for _, o := range opts {
		o(&cfg)
	}
	lis, err := listen("http", cfg.addr)
	if err != nil {
		return nil, err
	}
	r := &HTTP{
		done: make(chan struct{}), countOnly: cfg.countOnly, script: cfg.script,
		responses: cfg.responses, def: cfg.def,
	}
	r.init()
	r.srv = httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	r.srv.Listener.Close()
	r.srv.Listener = lis
	r.srv.Start()
	return r, nil
}

// StartHTTP is NewHTTP for a test: it fails the test on error and closes the receiver
// when the test ends.
func StartHTTP(t testing.TB, opts ...HTTPOption) *HTTP {
	t.Helper()
	r, err := NewHTTP(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// URL is the receiver's base URL, http://127.0.0.1:port. Any path is accepted.
func (r *HTTP) URL() string { return r.srv.URL }

// Addr is the host:port the receiver listens on.
func (r *HTTP) Addr() string { return r.srv.Listener.Addr().String() }

// Close ends hanging requests and stops the receiver. It is safe to call twice.
func (r *HTTP) Close() {
	r.closeOnce.Do(func() {
		close(r.done)
		r.srv.CloseClientConnections()
		r.srv.Close()
	})
}

// SetResponses replaces the scripted responses; request counting starts again.
func (r *HTTP) SetResponses(rs ...HTTPResponse) {
	r.mu.Lock()
	r.responses = append([]HTTPResponse(nil), rs...)
	r.n = 0
	r.mu.Unlock()
}

// SetDefault sets the answer once the scripted responses are used up.
func (r *HTTP) SetDefault(resp HTTPResponse) {
	r.mu.Lock()
	r.def = resp
	r.mu.Unlock()
}

// SetScript decides every answer with f (nil: back to responses and default).
func (r *HTTP) SetScript(f HTTPScript) {
	r.mu.Lock()
	r.script = f
	r.mu.Unlock()
}

// Reset forgets every request and counter; the script stays, its count restarts.
func (r *HTTP) Reset() {
	r.mu.Lock()
	r.n, r.requests = 0, nil
	r.forget()
	r.mu.Unlock()
}

// Stats counts what the receiver saw so far.
func (r *HTTP) Stats() HTTPStats { return r.snapshot() }

// Wait blocks until cond holds for the stats or ctx ends.
func (r *HTTP) Wait(ctx context.Context, cond func(HTTPStats) bool) (HTTPStats, error) {
	return r.wait(ctx, cond)
}

// Requests are the requests received, in arrival order (none in count-only mode).
func (r *HTTP) Requests() []HTTPRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]HTTPRequest(nil), r.requests...)
}

// Events are the events received, in arrival order, retries included.
func (r *HTTP) Events() []catalog.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []catalog.Event
	for _, q := range r.requests {
		out = append(out, q.Events...)
	}
	return out
}

func (r *HTTP) serve(w http.ResponseWriter, hr *http.Request) {
	body, err := io.ReadAll(hr.Body)
	if err != nil {
		// the client went away mid-body: nothing to record or answer
		return
	}
	req := HTTPRequest{At: time.Now(), Method: hr.Method, Path: hr.URL.Path, Close: hr.Close}
	if !r.countOnly {
		req.Header = hr.Header.Clone()
		req.Body = body
		req.Events, err = ParseEvents(body)
		if err != nil {
			req.ParseError = err.Error()
		}
	}
	resp := r.answer(&req)
	r.record(&req, len(body))

	if resp.Delay > 0 {
		t := time.NewTimer(resp.Delay)
		select {
		case <-t.C:
		case <-hr.Context().Done():
			t.Stop()
			return
		case <-r.done:
			t.Stop()
			panic(http.ErrAbortHandler) // closing: drop the connection unanswered
		}
	}
	switch {
	case resp.Hang:
		select {
		case <-hr.Context().Done():
		case <-r.done:
			panic(http.ErrAbortHandler)
		}
	case resp.Reset:
		resetConn(w)
	default:
		code := resp.Status
		if code == 0 {
			code = http.StatusOK
		}
		if resp.Body != "" {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		}
		w.WriteHeader(code)
		_, _ = io.WriteString(w, resp.Body)
	}
}

// answer picks the response for the next request and numbers it.
func (r *HTTP) answer(req *HTTPRequest) HTTPResponse {
	r.scriptMu.Lock()
	defer r.scriptMu.Unlock()
	r.mu.Lock()
	req.N = r.n
	r.n++
	script := r.script
	var resp HTTPResponse
	switch {
	case script != nil:
	case req.N < len(r.responses):
		resp = r.responses[req.N]
	default:
		resp = r.def
	}
	r.mu.Unlock()
	if script != nil {
		resp = script(req.N, req)
	}
	req.Answer = resp
	return resp
}

func (r *HTTP) record(req *HTTPRequest, size int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stats.Requests++
	r.stats.Bytes += size
	if len(req.Events) > 0 {
		r.stats.Batches++
	}
	for i := range req.Events {
		r.stats.Events++
		u := req.Events[i].UUID
		if u == "" {
			continue
		}
		if r.see(u) {
			r.stats.Unique++
		} else {
			r.stats.Duplicates++
		}
	}
	if !r.countOnly {
		r.requests = append(r.requests, *req)
	}
	r.signal()
}

// resetConn aborts the connection under w with a TCP RST.
func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with RST, not FIN
	}
	_ = conn.Close()
}

// ParseEvents reads a request body as pwemu sends it: a JSON array of events (the
// default framing), one JSON object (the "object" framing and webhooks), or one object
// per line (NDJSON). Unknown fields are ignored.
func ParseEvents(body []byte) ([]catalog.Event, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		return nil, errors.New("empty body")
	}
	if b[0] == '[' {
		var evs []catalog.Event
		if err := json.Unmarshal(b, &evs); err != nil {
			return nil, fmt.Errorf("body is not a JSON array of events: %w", err)
		}
		return evs, nil
	}
	if b[0] != '{' {
		return nil, fmt.Errorf("body starts with %q: want a JSON array or object", strings.TrimSpace(string(b[:min(len(b), 16)])))
	}
	var evs []catalog.Event
	dec := json.NewDecoder(bytes.NewReader(b))
	for {
		var e catalog.Event
		err := dec.Decode(&e)
		if errors.Is(err, io.EOF) {
			return evs, nil
		}
		if err != nil {
			return evs, fmt.Errorf("event %d of the body: %w", len(evs), err)
		}
		evs = append(evs, e)
	}
}
