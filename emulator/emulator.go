// Package emulator is the fake Pushwoosh as a library: it plays a scenario — the
// Pushwoosh API for clients under test, the event streams for receivers under test —
// on one emulator clock, and serves the control API that tests and CI drive it with.
//
//	emu, err := emulator.New(emulator.Config{Scenario: sc, Addr: "127.0.0.1:0"})
//	err = emu.Start()
//	defer emu.Close()
package emulator

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/control"
	"github.com/pwemu/pwemu/emulator/internal/metrics"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
	"go.yaml.in/yaml/v3"
	"golang.org/x/net/netutil"
)

// Config says what to emulate and where.
type Config struct {
	// Scenario to play; nil plays the bundled default (a demo account).
	Scenario *scenarios.Scenario
	// Addr is where Start listens, host:port; port 0 picks a free one.
	// Empty means 127.0.0.1:8080.
	Addr string
	// TLS, when set, makes Start serve HTTPS.
	TLS *tls.Config
	// Clock, when set, overrides the scenario's clock.
	Clock *clock.Config
	// Seed, when non-zero, overrides the scenario's seed.
	Seed int64
	// JournalBytes bounds the journal of API calls by the size of their requests and
	// answers, oldest forgotten first; 0 means 64 MiB.
	JournalBytes int
	// LedgerRecords bounds the events the ledger keeps in detail, oldest evicted
	// first (the totals count every event); 0 means 1,000,000.
	LedgerRecords int
	// MaxDevices bounds the devices of one application (0: 1,000,000); a new device
	// past it is refused with a 210.
	MaxDevices int
	// MaxMessages bounds the stored messages of all accounts (0: 100,000); past it
	// the oldest sent message is forgotten.
	MaxMessages int
	// MaxTags bounds an account's tag definitions (0: 10,000); addTag past it is
	// refused and setTags skips the tags it would define.
	MaxTags int
	// ShutdownTimeout bounds the final flush of pending batches in Close; 0 means 30s.
	ShutdownTimeout time.Duration
	// Judge, when set, gives the verdict `pwemu run` would give now, as its JSON
	// report, for GET /_pwemu/report and the inspector; wall is how long the scenario
	// has run. scenarios/expect.JudgeJSON is the one pwemu and testkit use.
	Judge func(e *Emulator, wall time.Duration) ([]byte, error)
	// MaxConns caps the connections served at once; 0 means DefaultMaxConns.
	MaxConns int
	// Logger receives the emulator's logs; nil discards them.
	Logger *slog.Logger

	// ControlToken, when set, is the bearer token the control API (all but
	// /_pwemu/health) and /metrics (unless MetricsPublic) require.
	ControlToken string
	// MetricsPublic exempts /metrics from ControlToken.
	MetricsPublic bool
	// AllowedHosts are Host names the control API accepts beyond IP literals,
	// localhost and host.docker.internal.
	AllowedHosts []string
	// ScenarioEnv names the process environment variables a scenario sent over the
	// network (PUT /_pwemu/scenario) may read: NAME, or PREFIX_* for every name with
	// that prefix. Everything else it must be given in the request.
	ScenarioEnv []string
}

// Defaults of Config.MaxDevices, MaxMessages and MaxTags.
const (
	DefaultMaxDevices  = state.DefaultDevicesPerApp
	DefaultMaxMessages = state.DefaultMessages
	DefaultMaxTags     = state.DefaultTagsPerAccount
)

// MetricsPath is where the Prometheus metrics are served; ControlToken guards it
// unless MetricsPublic.
const MetricsPath = "/metrics"

// Server limits: a client that sends its headers or body slowly, or reads the answer
// slowly, is cut off rather than holding a connection. Waits and advances, which
// answer late by design, extend their own write deadline.
const (
	DefaultMaxConns   = 1024
	ReadHeaderTimeout = 10 * time.Second
	ReadTimeout       = 30 * time.Second // headers and body of one request
	WriteTimeout      = time.Minute
	IdleTimeout       = 2 * time.Minute
)

// serverLog is the HTTP server's error log: accept errors (out of file descriptors)
// at warn, the rest (TLS handshakes of scanners, clients gone) at debug.
type serverLog struct{ log *slog.Logger }

func (l serverLog) Write(p []byte) (int, error) {
	msg := strings.TrimSpace(string(p))
	if strings.Contains(msg, "Accept error") {
		l.log.Warn("http server: " + msg)
	} else {
		l.log.Debug("http server: " + msg)
	}
	return len(p), nil
}

// DefaultAddr is where the emulator listens when told nothing.
const DefaultAddr = "127.0.0.1:8080"

// Emulator is one running fake Pushwoosh.
type Emulator struct {
	cfg     Config
	log     *slog.Logger
	control http.Handler
	access  control.Options
	metrics http.Handler

	// swapMu serialises what replaces the world (reset, PUT /_pwemu/scenario) with
	// itself and with shutdown; closed is set under it.
	swapMu sync.Mutex
	closed bool

	mu sync.RWMutex // guards w for readers: every request reads the current world
	w  *world

	srvMu sync.Mutex
	srv   *http.Server
	ln    net.Listener
}

// ErrClosed is returned by what needs a running emulator after Close.
var ErrClosed = errors.New("emulator: closed")

// New builds an emulator for a scenario; it serves nothing until Start (or until its
// Handler is mounted somewhere).
func New(cfg Config) (*Emulator, error) {
	if cfg.Scenario == nil {
		cfg.Scenario = scenarios.Default()
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	sc, err := prepare(cfg.Scenario)
	if err != nil {
		return nil, err
	}
	cfg.Scenario = sc
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e := &Emulator{cfg: cfg}
	e.log = slog.New(emuTimeHandler{inner: log.Handler(), now: e.emuNow})
	w, err := e.build(cfg.Scenario)
	if err != nil {
		return nil, err
	}
	e.w = w
	e.access = control.Options{Token: cfg.ControlToken, AllowedHosts: cfg.AllowedHosts, MetricsPublic: cfg.MetricsPublic}
	e.control = control.New(backend{e}, e.access)
	e.metrics = e.access.Metrics(metrics.Handler(func() metrics.Run {
		w := e.world()
		return metrics.Run{Recorder: w.metrics, Ledger: w.ledger, Now: w.clock.Now}
	}))
	return e, nil
}

func (e *Emulator) world() *world {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.w
}

// rebuild replaces the running world by a new one playing sc (the current scenario
// when nil) from its initial state, and closes the old one.
func (e *Emulator) rebuild(sc *scenarios.Scenario) error {
	e.swapMu.Lock()
	defer e.swapMu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if sc == nil {
		sc = e.world().scenario
	}
	w, err := e.build(sc)
	if err != nil {
		return err
	}
	e.mu.Lock()
	old := e.w
	e.w = w
	e.mu.Unlock()
	old.close()
	return nil
}

// Handler serves the Pushwoosh API, the control API under /_pwemu/ and the
// Prometheus metrics at /metrics.
func (e *Emulator) Handler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == control.Prefix || strings.HasPrefix(r.URL.Path, control.Prefix+"/") {
			e.control.ServeHTTP(rw, r)
			return
		}
		if r.URL.Path == MetricsPath {
			e.metrics.ServeHTTP(rw, r)
			return
		}
		e.world().api.ServeHTTP(rw, r)
	})
}

// Start listens on the configured address and serves in the background.
func (e *Emulator) Start() error {
	ln, err := net.Listen("tcp", e.cfg.Addr)
	if err != nil {
		return fmt.Errorf("emulator: listen on %s: %w", e.cfg.Addr, err)
	}
	return e.Serve(ln)
}

// Serve serves on ln in the background (TLS when configured).
func (e *Emulator) Serve(ln net.Listener) error {
	e.srvMu.Lock()
	defer e.srvMu.Unlock()
	if e.srv != nil {
		ln.Close()
		return errors.New("emulator: already serving")
	}
	if e.cfg.TLS != nil {
		ln = tls.NewListener(ln, e.cfg.TLS)
	}
	// A connection cap keeps slow or idle clients from taking every file descriptor:
	// past it new connections wait in the kernel's backlog.
	ln = netutil.LimitListener(ln, e.cfg.MaxConns)
	e.ln = ln
	e.srv = &http.Server{Handler: e.Handler(), ReadHeaderTimeout: ReadHeaderTimeout, ReadTimeout: ReadTimeout,
		WriteTimeout: WriteTimeout, IdleTimeout: IdleTimeout, ErrorLog: log.New(serverLog{e.log}, "", 0)}
	srv := e.srv
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			e.log.Error("serve", "err", err)
		}
	}()
	return nil
}

// Addr is the address Start listens on (with the real port when it was 0).
func (e *Emulator) Addr() string {
	e.srvMu.Lock()
	defer e.srvMu.Unlock()
	if e.ln != nil {
		return e.ln.Addr().String()
	}
	return e.cfg.Addr
}

// URL is the base URL of the API and control API, e.g. http://127.0.0.1:8080.
func (e *Emulator) URL() string {
	scheme := "http"
	if e.cfg.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + e.Addr()
}

// Close flushes pending batches once (bounded by ShutdownTimeout), logs the final
// ledger totals and stops serving.
func (e *Emulator) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.ShutdownTimeout)
	defer cancel()
	return e.Shutdown(ctx)
}

// Shutdown is Close with a caller's bound: the final flush and the calls in flight
// get until ctx ends. With a context that is already done it sends nothing more, what
// was pending stays pending in the ledger, and open connections are dropped.
func (e *Emulator) Shutdown(ctx context.Context) error {
	e.swapMu.Lock()
	defer e.swapMu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	e.srvMu.Lock()
	srv := e.srv
	e.srvMu.Unlock()

	w := e.world()
	var flushErr error
	if ctx.Err() == nil { // a context already done means: close without the last flush
		flushErr = w.hub.Flush(ctx)
	}
	totals := w.ledger.Totals()
	e.log.Info("final ledger", "generated", totals.Generated, "delivered", totals.Delivered,
		"dropped", totals.Dropped, "filtered", totals.Filtered, "pending", totals.Pending)
	w.close() // releases API calls held on the clock, so that they can finish
	var srvErr error
	switch {
	case srv == nil:
	case ctx.Err() != nil: // no time left: drop the connections
		srv.Close()
	default: // let calls in flight finish within ctx
		if srvErr = srv.Shutdown(ctx); srvErr != nil {
			srv.Close()
		}
	}
	return errors.Join(flushErr, srvErr)
}

// Now is the time on the emulator clock.
func (e *Emulator) Now() time.Time { return e.world().clock.Now() }

// Elapsed is how far the running scenario has played: emulator time since its start.
func (e *Emulator) Elapsed() time.Duration {
	w := e.world()
	return w.clock.Now().Sub(w.start)
}

// ClockInfo says which clock runs the scenario, its time, when scaled its speed, and
// when manual the time of its next timer.
func (e *Emulator) ClockInfo() ClockInfo {
	clk := e.world().clock
	info := ClockInfo{Mode: string(clk.Mode()), Now: clk.Now()}
	if m, ok := clk.(*clock.Manual); ok {
		if next, ok := m.Next(); ok {
			info.NextTimer = &next
		}
	}
	if s, ok := clk.(*clock.Scaled); ok && clk.Mode() == clock.ModeScaled {
		info.Speed = s.Speed()
	}
	return info
}

// Advance moves a manual clock forward and returns once the work due has finished.
func (e *Emulator) Advance(d time.Duration) (time.Time, error) {
	return e.AdvanceContext(context.Background(), d)
}

// AdvanceContext is Advance that stops early, at the last timer fired, when ctx ends.
// A step is at most a year (clock.MaxAdvance).
func (e *Emulator) AdvanceContext(ctx context.Context, d time.Duration) (time.Time, error) {
	m, ok := e.world().clock.(*clock.Manual)
	if !ok {
		return time.Time{}, control.ErrNotManual
	}
	if d < 0 || d > clock.MaxAdvance {
		return time.Time{}, fmt.Errorf("advance by %v: want 0 to %v (a year) in one step", d, clock.MaxAdvance)
	}
	return m.AdvanceContext(ctx, d), nil
}

// NextTimer says how long after now the next timer of a manual clock is due; ok is
// false when none is set or the clock is not manual. A player that advances to it
// step by step plays a scenario as fast as its receivers answer.
func (e *Emulator) NextTimer() (after time.Duration, ok bool) {
	m, manual := e.world().clock.(*clock.Manual)
	if !manual {
		return 0, false
	}
	next, ok := m.Next()
	if !ok {
		return 0, false
	}
	return next.Sub(m.Now()), true
}

// Inject publishes events as if Pushwoosh had produced them; missing uuid and
// timestamp are filled in, present ones kept.
func (e *Emulator) Inject(evs ...catalog.Event) int {
	w := e.world()
	w.hub.Publish(evs)
	return len(evs)
}

// Totals are the ledger's counts by state.
func (e *Emulator) Totals() Totals { return e.world().ledger.Totals() }

// IntegrationTotals are the ledger's counts for each stream and webhook, by name.
func (e *Emulator) IntegrationTotals() map[string]Totals { return e.world().ledger.IntegrationTotals() }

// Records are the ledger records q selects, oldest first.
func (e *Emulator) Records(q RecordQuery) []Record { return e.world().ledger.Records(q) }

// Summary is what the ledger's attempts add up to: the longest latency and delay,
// the most attempts, duplicates, and requests by HTTP status.
func (e *Emulator) Summary() Summary { return e.world().ledger.Summarize() }

// Causes say, for each integration, why its deliveries failed: the failed requests
// grouped by what went wrong, with when.
func (e *Emulator) Causes() []Causes { return e.world().ledger.Causes() }

// Calls are the API calls in the journal, oldest first (the last JournalSize kept).
func (e *Emulator) Calls() []Call { return e.world().journal.Entries() }

// Scenario is the running scenario.
func (e *Emulator) Scenario() *scenarios.Scenario { return e.world().scenario }

// Reset puts the running scenario back to its initial state: accounts, devices,
// messages, ledger, journal, clock and timeline.
func (e *Emulator) Reset() error { return e.rebuild(nil) }

// ReplaceScenario swaps in another scenario, from its initial state.
func (e *Emulator) ReplaceScenario(sc *scenarios.Scenario) error {
	sc, err := prepare(sc)
	if err != nil {
		return err
	}
	return e.rebuild(sc)
}

// prepare checks and completes a scenario built in Go as the loader does one read
// from YAML (those come validated, defaulted and with their text). The caller's
// scenario is left as it was: defaults go into a copy.
func prepare(sc *scenarios.Scenario) (*scenarios.Scenario, error) {
	if sc.Raw != nil {
		return sc, nil
	}
	if err := sc.Validate(); err != nil {
		return nil, err
	}
	c := *sc // ApplyDefaults sets fields of these elements, never inside their slices
	c.Accounts, c.Streams, c.Webhooks = slices.Clone(sc.Accounts), slices.Clone(sc.Streams), slices.Clone(sc.Webhooks)
	c.Traffic, c.API = slices.Clone(sc.Traffic), slices.Clone(sc.API)
	c.ApplyDefaults()
	raw, err := yaml.Marshal(&c)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Source, err)
	}
	c.Raw = raw
	return &c, nil
}

// Busy reports whether the scenario still has work ahead: traffic to generate,
// message stages to publish, or events pending delivery.
func (e *Emulator) Busy() bool {
	w := e.world()
	return w.traffic.Remaining() > 0 || w.lifecycle.Pending() > 0 || w.ledger.Totals().Pending > 0
}
