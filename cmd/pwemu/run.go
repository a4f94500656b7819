package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/scenarios/expect"
)

// runConfig is everything `pwemu run` is told.
type runConfig struct {
	vars    scenarioVars
	Clock   string
	Addr    string
	JUnit   string
	JSON    string
	Timeout time.Duration
	Seed    int64
}

func newRun(stdout, stderr io.Writer) *cobra.Command {
	var c runConfig
	cmd := &cobra.Command{
		Use:   "run [flags] FILE|NAME",
		Short: "Play a scenario against a receiver and check its expectations (exit 1 if one fails)",
		Long: `Plays a scenario until every generated event has a terminal state or the scenario's
duration has passed, prints a report, and exits 0 only when every expectation holds.
--receiver fills ${RECEIVER_URL} in the scenario, --receiver-grpc fills ${RECEIVER_GRPC}.
Time is instant by default (a manual clock driven from timer to timer); --clock real or
--clock 600x plays it in (scaled) wall time instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return c.run(cmd.Context(), args[0], stdout, stderr)
		},
	}
	f := cmd.Flags()
	c.vars.flags(f)
	f.StringVar(&c.Clock, "clock", "", "instant (default unless the scenario is scaled), real, or a speed such as 600x")
	f.StringVar(&c.Addr, "addr", "127.0.0.1:0", "where the emulator's API and control API listen during the run")
	f.StringVar(&c.JUnit, "junit", "", "write a JUnit XML report to this file")
	f.StringVar(&c.JSON, "json", "", "write a JSON report to this file")
	f.DurationVar(&c.Timeout, "timeout", 10*time.Minute, "give up after this much wall time")
	f.Int64Var(&c.Seed, "seed", 0, "override the scenario's seed")
	return cmd
}

func (c *runConfig) run(ctx context.Context, ref string, stdout, stderr io.Writer) error {
	vars, err := c.vars.values()
	if err != nil {
		return err
	}
	sc, err := scenarios.LoadWith(ref, scenarios.Options{Vars: vars})
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	cfg := emulator.Config{Scenario: sc, Addr: c.Addr, Seed: c.Seed}
	// Receiver scenarios play instantly by default; scenarios for API clients (no
	// traffic) keep their own clock, so a client has the scenario's duration to call.
	instant := c.Clock == "instant" || (c.Clock == "" && sc.Clock.Mode != string(emulator.ClockScaled) && len(sc.Traffic) > 0)
	if instant {
		cfg.Clock = &emulator.ClockConfig{Mode: emulator.ClockManual, Patience: sc.Clock.Patience.D()}
	} else if c.Clock != "" {
		cc, err := emulator.ParseClock(c.Clock)
		if err != nil {
			return usageError{fmt.Errorf("--clock: %w", err)}
		}
		cfg.Clock = &cc
	}
	emu, err := emulator.New(cfg)
	if err != nil {
		return &exitError{code: 1, err: err}
	}
	if err := emu.Start(); err != nil {
		return err
	}
	// The verdict is about what the scenario played: close without a last flush, so
	// nothing reaches the receiver after the report.
	stopped, stop := context.WithCancel(context.Background())
	stop()
	defer emu.Shutdown(stopped)
	fmt.Fprintf(stdout, "pwemu run: scenario %q, clock %s, API %s\n", sc.Name, clockLabel(instant, emu), emu.URL())

	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	wallStart := time.Now()
	prog := progressWriter(stderr)
	playErr := emu.Play(ctx, prog.show)
	prog.done()

	report := emu.Report(time.Since(wallStart))
	if playErr != nil {
		report.Checks = append(report.Checks, expect.Check{Name: "run finished", Want: "the scenario played to its end",
			Got: playErr.Error(), OK: false})
	}
	if err := expect.WriteText(stdout, report); err != nil {
		return err
	}
	junit := func(w io.Writer, r expect.Report) error { return expect.WriteJUnit(w, r) }
	if err := writeReportFile(c.JUnit, report, junit); err != nil {
		return err
	}
	if err := writeReportFile(c.JSON, report, expect.WriteJSON); err != nil {
		return err
	}
	for _, ch := range report.Checks {
		if !ch.OK {
			return &exitError{code: 1}
		}
	}
	return nil
}

func clockLabel(instant bool, emu *emulator.Emulator) string {
	if instant {
		return "instant"
	}
	return string(emu.Clock().Mode())
}

func writeReportFile(path string, r expect.Report, write func(io.Writer, expect.Report) error) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if err := write(f, r); err != nil {
		f.Close()
		return fmt.Errorf("report %s: %w", path, err)
	}
	return f.Close()
}
