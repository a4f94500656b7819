// Package testkit runs pwemu inside Go tests, the way httptest runs a server:
//
//	emu := testkit.Start(t, testkit.ScenarioFile("testdata/storm.yaml"), testkit.ManualClock())
//	emu.Inject(evs...)
//	emu.Advance(time.Hour)                 // flush the hourly batch
//	emu.WaitDelivered(ctx, 250)            // no sleeps, no polling
//
// Start binds a free loopback port and closes the emulator when the test ends. The
// Client type drives an emulator running elsewhere (a container, a CI service) with the
// same methods; testkit/receiver has recording receivers, testkit/container the
// testcontainers-go module.
package testkit

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/scenarios/expect"
)

// Option configures Start.
type Option func(*options)

type options struct {
	file, bundled, yaml string
	scenario            *scenarios.Scenario
	env                 map[string]string
	clock               *emulator.ClockConfig
	seed                int64
	patience            time.Duration
	logger              *slog.Logger
}

// ScenarioFile plays a scenario file.
func ScenarioFile(path string) Option { return func(o *options) { o.file = path } }

// BundledScenario plays a bundled scenario by name (see scenarios.BundledNames).
func BundledScenario(name string) Option { return func(o *options) { o.bundled = name } }

// ScenarioYAML plays a scenario given as YAML text.
func ScenarioYAML(yaml string) Option { return func(o *options) { o.yaml = yaml } }

// ScenarioValue plays a scenario built in Go.
func ScenarioValue(s *scenarios.Scenario) Option { return func(o *options) { o.scenario = s } }

// Env sets a ${VAR} of the scenario, e.g. Env("RECEIVER_URL", rec.URL()).
func Env(name, value string) Option {
	return func(o *options) {
		if o.env == nil {
			o.env = map[string]string{}
		}
		o.env[name] = value
	}
}

// ManualClock makes time move only through Advance.
func ManualClock() Option {
	return func(o *options) { o.clock = &emulator.ClockConfig{Mode: emulator.ClockManual} }
}

// ScaledClock makes emulator time run speed times faster than wall time.
func ScaledClock(speed float64) Option {
	return func(o *options) { o.clock = &emulator.ClockConfig{Mode: emulator.ClockScaled, Speed: speed} }
}

// Patience sets how long, in wall time, a manual Advance waits for a delivery that makes
// no progress before it takes the receiver for hanging and moves time on to the
// delivery's timeout (default 2s). Tests of hanging receivers set it low to stay fast;
// a receiver slower than the patience counts as timed out.
func Patience(d time.Duration) Option { return func(o *options) { o.patience = d } }

// Seed overrides the scenario's seed.
func Seed(seed int64) Option { return func(o *options) { o.seed = seed } }

// Logger receives the emulator's logs (default: none).
func Logger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// Emulator is an in-process pwemu bound to a loopback port: what a test drives and
// reads. Its methods fail the test (under Start) where the emulator reports an error.
type Emulator struct {
	emu *emulator.Emulator
	t   testing.TB // nil when made by New
}

// Start runs an emulator for the test; it is closed by t.Cleanup. It fails the test
// when the scenario does not load.
func Start(t testing.TB, opts ...Option) *Emulator {
	t.Helper()
	e, err := New(opts...)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	e.t = t
	t.Cleanup(func() { e.Close() })
	return e
}

// New runs an emulator outside a test (an example, a TestMain, a tool); the caller
// closes it. Its methods that fail a test under Start panic here instead.
func New(opts ...Option) (*Emulator, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	sc, err := o.load()
	if err != nil {
		return nil, err
	}
	if o.patience > 0 {
		if o.clock != nil {
			o.clock.Patience = o.patience
		} else {
			sc.Clock.Patience = scenarios.Duration(o.patience)
		}
	}
	emu, err := emulator.New(emulator.Config{Scenario: sc, Addr: "127.0.0.1:0", Judge: expect.JudgeJSON, Clock: o.clock,
		Seed: o.seed, Logger: o.logger, ShutdownTimeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	if err := emu.Start(); err != nil {
		return nil, err
	}
	return &Emulator{emu: emu}, nil
}

func (o *options) load() (*scenarios.Scenario, error) {
	opts := scenarios.Options{Vars: o.env}
	switch {
	case o.scenario != nil:
		return o.scenario, nil
	case o.yaml != "":
		return scenarios.ParseWith("scenario", []byte(o.yaml), opts)
	case o.file != "":
		return scenarios.LoadWith(o.file, opts)
	}
	return scenarios.LoadWith(o.bundled, opts) // "" is the bundled default
}

// URL is the base URL of the API and the control API, e.g. http://127.0.0.1:41234.
func (e *Emulator) URL() string { return e.emu.URL() }

// Client is a control-API client for this emulator.
func (e *Emulator) Client() *Client { return NewClient(e.URL(), nil) }

// Now is the time on the emulator clock.
func (e *Emulator) Now() time.Time { return e.emu.Now() }

// Advance moves the manual clock forward and returns the new emulator time once the
// work due has finished. It fails the test on a clock that is not manual.
func (e *Emulator) Advance(d time.Duration) time.Time {
	now, err := e.emu.Advance(d)
	if err != nil {
		e.fail("testkit: Advance: %v", err)
	}
	return now
}

// Inject publishes events as if Pushwoosh had produced them (uuid and timestamp are
// filled in when absent) and returns how many.
func (e *Emulator) Inject(evs ...catalog.Event) int { return e.emu.Inject(evs...) }

// Totals are the ledger totals.
func (e *Emulator) Totals() emulator.Totals { return e.emu.Totals() }

// Records are every ledger record, oldest first.
func (e *Emulator) Records() []emulator.Record { return e.emu.Records(emulator.RecordQuery{}) }

// Calls are the API calls the emulator received, oldest first.
func (e *Emulator) Calls() []emulator.Call { return e.emu.Calls() }

// Wait blocks until cond holds, ctx ends or cond.Timeout passes (30s when neither
// bounds it), and returns the totals then. On a manual clock, a condition that only
// Advance could bring about fails at once with *emulator.StalledError, which names
// the next timer's time.
func (e *Emulator) Wait(ctx context.Context, cond Condition) (emulator.Totals, error) {
	if cond.Timeout != "" {
		d, err := time.ParseDuration(cond.Timeout)
		if err != nil {
			return emulator.Totals{}, fmt.Errorf("testkit: Wait: timeout %q: %w", cond.Timeout, err)
		}
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	return e.emu.Wait(ctx, cond.Holds)
}

// WaitDelivered blocks until at least n events are delivered.
func (e *Emulator) WaitDelivered(ctx context.Context, n int) (emulator.Totals, error) {
	return e.Wait(ctx, Delivered(n))
}

// Reset puts the emulator back to its scenario's initial state. It fails the test
// when the scenario cannot be rebuilt.
func (e *Emulator) Reset() {
	if err := e.emu.Reset(); err != nil {
		e.fail("testkit: Reset: %v", err)
	}
}

// ReplaceScenario plays another scenario from its initial state, taken as the options
// of Start take it (ScenarioYAML, ScenarioFile, BundledScenario, ScenarioValue, Env);
// the clock and seed stay as Start set them. It fails the test when the scenario does
// not load.
func (e *Emulator) ReplaceScenario(opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	sc, err := o.load()
	if err == nil {
		err = e.emu.ReplaceScenario(sc)
	}
	if err != nil {
		e.fail("testkit: ReplaceScenario: %v", err)
	}
}

// Close sends the pending batches once and stops the emulator; Start closes it when
// the test ends.
func (e *Emulator) Close() error { return e.emu.Close() }

func (e *Emulator) fail(format string, args ...any) {
	if e.t == nil {
		panic(fmt.Sprintf(format, args...))
	}
	e.t.Helper()
	e.t.Fatalf(format, args...)
}
