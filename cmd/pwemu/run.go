package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/scenarios/expect"
)

// runConfig is everything `pwemu run` is told.
type runConfig struct {
	vars         scenarioVars
	Clock        string
	Addr         string
	JUnit        string
	JSON         string
	Timeout      time.Duration
	Seed         int64
	ReceiverWait time.Duration
	LogLevel     string
	LogFormat    string
}

func newRun(stdout, stderr io.Writer) *cobra.Command {
	var c runConfig
	cmd := &cobra.Command{
		Use:   "run [flags] FILE|NAME",
		Short: "Play a scenario against a receiver and check its expectations (exit 1 if one fails)",
		Long: `Plays a scenario until every generated event has a terminal state or the scenario's
duration has passed, prints a report, and exits 0 when every expectation holds, 1 when
one failed, 2 when the scenario or the command line is invalid. --junit and --json are
written in every case; a failed expectation is explained by what the delivery attempts
met (connection refused, HTTP 503, timeouts), per integration.
--receiver fills ${RECEIVER_URL} in the scenario, --receiver-grpc fills ${RECEIVER_GRPC};
before playing, pwemu waits up to --receiver-wait for the receivers to accept connections.
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
	f.DurationVar(&c.ReceiverWait, "receiver-wait", 10*time.Second, "wait this long (wall time) for the receivers to accept connections before playing; 0 does not wait")
	f.StringVar(&c.LogLevel, "log-level", "warn", "log level: debug (every API call), info (every delivery attempt), warn (drops), error")
	f.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	return cmd
}

func (c *runConfig) run(ctx context.Context, ref string, stdout, stderr io.Writer) error {
	log, err := newLogger(stderr, c.LogLevel, c.LogFormat)
	if err != nil {
		return err
	}
	vars, err := c.vars.values()
	if err != nil {
		return err
	}
	sc, err := scenarios.LoadWith(ref, scenarios.Options{Vars: vars})
	if err != nil {
		return c.invalid(ref, err)
	}
	cfg := emulator.Config{Scenario: sc, Addr: c.Addr, Seed: c.Seed, Logger: log, Judge: expect.JudgeJSON}
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
		return c.invalid(ref, err)
	}
	if err := emu.Start(); err != nil {
		return usageError{err}
	}
	// The verdict is about what the scenario played: close without a last flush, so
	// nothing reaches the receiver after the report.
	stopped, stop := context.WithCancel(context.Background())
	stop()
	defer emu.Shutdown(stopped)
	fmt.Fprintf(stdout, "pwemu run: scenario %q, clock %s, API %s\n", sc.Name, clockLabel(instant, emu), emu.URL())
	if c.ReceiverWait > 0 {
		waitForReceivers(ctx, stdout, receiverAddrs(sc), c.ReceiverWait)
	}

	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	wallStart := time.Now()
	prog := progressWriter(stderr)
	playErr := expect.Play(ctx, emu, prog.show)
	prog.done()

	report := expect.Judge(emu, time.Since(wallStart))
	if playErr != nil {
		report.Checks = append(report.Checks, expect.Check{Name: "run finished", Want: "the scenario played to its end",
			Got: playErr.Error(), OK: false})
	}
	if err := expect.WriteText(stdout, report); err != nil {
		return err
	}
	if err := c.writeReports(report); err != nil {
		return err
	}
	if !report.OK() {
		return &exitError{code: 1}
	}
	return nil
}

// invalid reports a scenario that cannot be played: exit 2, and the JUnit and JSON
// reports hold one failing test case with the errors, so that CI shows why.
func (c *runConfig) invalid(ref string, err error) error {
	report := expect.Report{Scenario: ref, Checks: []expect.Check{{Name: "scenario is valid",
		Want: "a scenario that loads and validates", Got: err.Error()}}}
	if werr := c.writeReports(report); werr != nil {
		err = errors.Join(err, werr)
	}
	return &exitError{code: 2, err: err}
}

func (c *runConfig) writeReports(r expect.Report) error {
	junit := func(w io.Writer, r expect.Report) error { return expect.WriteJUnit(w, r) }
	return errors.Join(writeReportFile(c.JUnit, r, junit), writeReportFile(c.JSON, r, expect.WriteJSON))
}

// receiverAddrs are the host:port pairs the scenario's integrations connect to.
func receiverAddrs(sc *scenarios.Scenario) []string {
	var addrs []string
	add := func(endpoint string) {
		if a := dialAddress(endpoint); a != "" && !slices.Contains(addrs, a) {
			addrs = append(addrs, a)
		}
	}
	for _, st := range sc.Streams {
		add(st.Endpoint)
	}
	for _, w := range sc.Webhooks {
		add(w.Endpoint)
	}
	return addrs
}

// dialAddress is the host:port an endpoint (a URL, or a gRPC host:port) connects to.
func dialAddress(endpoint string) string {
	if !strings.Contains(endpoint, "://") {
		if _, _, err := net.SplitHostPort(endpoint); err == nil {
			return endpoint
		}
		return ""
	}
	u, err := url.Parse(endpoint)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	if u.Port() != "" {
		return u.Host
	}
	switch u.Scheme {
	case "https", "grpcs":
		return net.JoinHostPort(u.Hostname(), "443")
	case "http":
		return net.JoinHostPort(u.Hostname(), "80")
	}
	return ""
}

// waitForReceivers waits, up to limit of wall time, until every address accepts a TCP
// connection, and says so; a receiver that never does is played against anyway (the
// report then shows the refused connections).
func waitForReceivers(ctx context.Context, w io.Writer, addrs []string, limit time.Duration) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for _, addr := range addrs {
		said := false
		for {
			var d net.Dialer
			conn, err := d.DialContext(ctx, "tcp", addr)
			if err == nil {
				conn.Close()
				if said {
					fmt.Fprintf(w, "pwemu run: receiver %s accepts connections\n", addr)
				}
				break
			}
			if !said {
				fmt.Fprintf(w, "pwemu run: waiting up to %s for receiver %s to accept connections (%v)\n", limit, addr, err)
				said = true
			}
			select {
			case <-ctx.Done():
				fmt.Fprintf(w, "pwemu run: receiver %s still refuses connections after %s; playing anyway\n", addr, limit)
				return
			case <-tick.C:
			}
		}
	}
}

func clockLabel(instant bool, emu *emulator.Emulator) string {
	if instant {
		return "instant"
	}
	return emu.ClockInfo().Mode
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
