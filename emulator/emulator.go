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
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/control"
	"github.com/pwemu/pwemu/emulator/internal/journal"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/metrics"
	"github.com/pwemu/pwemu/scenarios"
	"go.yaml.in/yaml/v3"
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
	// ShutdownTimeout bounds the final flush of pending batches in Close; 0 means 30s.
	ShutdownTimeout time.Duration
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

// MetricsPath is where the Prometheus metrics are served; ControlToken guards it
// unless MetricsPublic.
const MetricsPath = "/metrics"

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
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 30 * time.Second
	}
	if err := prepare(cfg.Scenario); err != nil {
		return nil, err
	}
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
	e.ln = ln
	e.srv = &http.Server{Handler: e.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(e.log.Handler(), slog.LevelDebug)}
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

// Shutdown is Close with a caller's bound; with a context that is already done it
// sends nothing more, and what was pending stays pending in the ledger.
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
	var srvErr error
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		srvErr = srv.Shutdown(sctx)
		cancel()
		if srvErr != nil {
			srv.Close()
		}
	}
	w.close()
	return errors.Join(flushErr, srvErr)
}

// Clock is the running scenario's clock.
func (e *Emulator) Clock() clock.Clock { return e.world().clock }

// Advance moves a manual clock forward and returns once the work due has finished.
func (e *Emulator) Advance(d time.Duration) (time.Time, error) {
	m, ok := e.world().clock.(*clock.Manual)
	if !ok {
		return time.Time{}, control.ErrNotManual
	}
	return m.Advance(d), nil
}

// Inject publishes events as if Pushwoosh had produced them; missing uuid and
// timestamp are filled in, present ones kept.
func (e *Emulator) Inject(evs ...catalog.Event) int {
	w := e.world()
	w.hub.Publish(evs)
	return len(evs)
}

// Ledger is the running scenario's delivery ledger.
func (e *Emulator) Ledger() *ledger.Ledger { return e.world().ledger }

// Journal is the running scenario's journal of API calls.
func (e *Emulator) Journal() *journal.Journal { return e.world().journal }

// Scenario is the running scenario.
func (e *Emulator) Scenario() *scenarios.Scenario { return e.world().scenario }

// Reset puts the running scenario back to its initial state: accounts, devices,
// messages, ledger, journal, clock and timeline.
func (e *Emulator) Reset() error { return e.rebuild(nil) }

// ReplaceScenario swaps in another scenario, from its initial state.
func (e *Emulator) ReplaceScenario(sc *scenarios.Scenario) error {
	if err := prepare(sc); err != nil {
		return err
	}
	return e.rebuild(sc)
}

// prepare checks and completes a scenario built in Go as the loader does one read
// from YAML (those come validated, defaulted and with their text).
func prepare(sc *scenarios.Scenario) error {
	if sc.Raw != nil {
		return nil
	}
	if err := sc.Validate(); err != nil {
		return err
	}
	sc.ApplyDefaults()
	raw, err := yaml.Marshal(sc)
	if err != nil {
		return fmt.Errorf("scenario %s: %w", sc.Source, err)
	}
	sc.Raw = raw
	return nil
}

// Busy reports whether the scenario still has work ahead: traffic to generate,
// message stages to publish, or events pending delivery.
func (e *Emulator) Busy() bool {
	w := e.world()
	return w.traffic.Remaining() > 0 || w.lifecycle.Pending() > 0 || w.ledger.Totals().Pending > 0
}
