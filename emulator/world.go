package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/api"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/control"
	"github.com/pwemu/pwemu/emulator/internal/journal"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/metrics"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/emulator/internal/stream"
	"github.com/pwemu/pwemu/emulator/internal/traffic"
	"github.com/pwemu/pwemu/scenarios"
)

// world is everything one scenario run owns. Replacing the scenario or resetting
// builds a new world; nothing is shared between two worlds.
type world struct {
	scenario  *scenarios.Scenario
	clock     clock.Clock
	start     time.Time
	wallStart time.Time // when the world was built, wall time: how long a run has taken
	ledger    *ledger.Ledger
	state     *state.Store
	journal   *journal.Journal
	hub       *stream.Hub
	traffic   *traffic.Generator
	lifecycle *lifecycle.Engine
	api       *api.Server
	metrics   *metrics.Recorder
}

func (e *Emulator) build(sc *scenarios.Scenario) (*world, error) {
	plan, err := sc.Plan()
	if err != nil {
		return nil, err
	}
	clk, err := clock.New(clockConfig(plan.Clock, e.cfg.Clock))
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Source, err)
	}
	seed := sc.Seed
	if e.cfg.Seed != 0 {
		seed = e.cfg.Seed
	}
	st := state.New(plan.Accounts)
	st.SetLimits(state.Limits{DevicesPerApp: e.cfg.MaxDevices, Messages: e.cfg.MaxMessages, TagsPerAccount: e.cfg.MaxTags})
	w := &world{scenario: sc, clock: clk, start: clk.Now(), wallStart: time.Now(), ledger: ledger.NewBounded(e.cfg.LedgerRecords),
		state: st, journal: journal.New(e.cfg.JournalBytes), metrics: metrics.NewRecorder()}
	w.hub, err = stream.New(stream.Options{Clock: clk, Ledger: w.ledger, Logger: e.log,
		Streams: plan.Streams, Webhooks: plan.Webhooks, Seed: seed, OnAttempt: w.metrics.Attempt})
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Source, err)
	}
	// The statistics endpoints count what the lifecycle says happened to messages.
	observed := func(evs []catalog.Event) {
		st.Observe(evs)
		w.hub.Publish(evs)
	}
	w.lifecycle = lifecycle.NewEngine(clk, seed, observed, plan.Lifecycle)
	w.traffic = traffic.NewGenerator(clk, seed, w.hub.Publish, appCodes(plan.Accounts))
	w.api = api.New(api.Options{Clock: clk, State: st, Journal: w.journal, Rules: plan.Rules, Seed: seed,
		Start: w.start, OnMessage: w.lifecycle.Message, OnEvents: observed, Logger: e.log, Journeys: plan.Journeys,
		OnCall: w.metrics.APICall})
	// A stage a device reported itself is not played again by the lifecycle.
	w.lifecycle.Claim(w.api.ClaimStage)
	w.traffic.Schedule(plan.Traffic, w.start)
	return w, nil
}

// clockConfig is the scenario's clock, unless the command line overrides it.
func clockConfig(c scenarios.ClockPlan, override *clock.Config) clock.Config {
	if override != nil {
		o := *override
		if o.Mode == clock.ModeManual && o.Patience == 0 {
			o.Patience = c.Patience // --clock manual keeps the scenario's patience
		}
		return o
	}
	return clock.Config{Mode: clock.Mode(c.Mode), Speed: c.Speed, Start: c.Start, Patience: c.Patience}
}

// appCodes are the applications generated events belong to when their plan names none.
func appCodes(accounts []scenarios.AccountPlan) []string {
	var codes []string
	for _, a := range accounts {
		for _, app := range a.Applications {
			if !app.Suspended {
				codes = append(codes, app.Code)
			}
		}
	}
	return codes
}

// close stops everything the world runs and releases whoever waits on it: API calls
// held on its clock and waits on its ledger.
func (w *world) close() {
	w.traffic.Stop()
	w.lifecycle.Stop()
	w.api.Close()
	w.ledger.Close()
	w.hub.Close()
}

// backend adapts the emulator to the control API.
type backend struct{ e *Emulator }

func (b backend) Ready() error { return nil }

func (b backend) ClockInfo() control.ClockInfo { return b.e.ClockInfo() }

func (b backend) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	return b.e.AdvanceContext(ctx, d)
}

func (b backend) ScenarioYAML() []byte { return b.e.world().scenario.Raw }

func (b backend) ReplaceScenario(source string, data []byte, vars map[string]string) error {
	sc, err := scenarios.ParseWith(source, data, scenarios.Options{Vars: vars, Env: b.e.allowedEnv})
	if err != nil {
		return err
	}
	return b.e.ReplaceScenario(sc)
}

func (b backend) Inject(evs []catalog.Event) int { return b.e.Inject(evs...) }

func (b backend) Generate(spec json.RawMessage) (int, error) {
	var g scenarios.Generate
	dec := json.NewDecoder(bytes.NewReader(spec))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return 0, fmt.Errorf("not a generate spec: %v", err)
	}
	w := b.e.world()
	plan, err := w.scenario.CheckGenerate(g)
	if err != nil {
		return 0, err
	}
	evs := w.traffic.Generate(plan)
	w.hub.Publish(evs)
	return len(evs), nil
}

func (b backend) Ledger() *ledger.Ledger { return b.e.world().ledger }

func (b backend) Pushes(hwid string) any { return b.e.world().api.Pushes(hwid) }

func (b backend) Journal() *journal.Journal { return b.e.world().journal }

func (b backend) Reset() error { return b.e.Reset() }

func (b backend) Report() ([]byte, error) {
	if b.e.cfg.Judge == nil {
		return nil, nil
	}
	return b.e.cfg.Judge(b.e, time.Since(b.e.world().wallStart))
}

// allowedEnv is the process environment as a scenario sent over the network sees
// it: only the variables the operator allowed with ScenarioEnv (CI runners keep
// tokens in theirs). The request's own values come first (scenarios.Options.Vars).
func (e *Emulator) allowedEnv(name string) (string, bool) {
	if envAllowed(e.cfg.ScenarioEnv, name) {
		return os.LookupEnv(name)
	}
	return "", false
}

// envAllowed matches a name against NAME and PREFIX_* patterns.
func envAllowed(patterns []string, name string) bool {
	for _, p := range patterns {
		p = strings.TrimSpace(p)
		if prefix, ok := strings.CutSuffix(p, "*"); ok {
			if prefix != "" && strings.HasPrefix(name, prefix) {
				return true
			}
		} else if p == name {
			return true
		}
	}
	return false
}
