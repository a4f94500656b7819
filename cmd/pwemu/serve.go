package main

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/fixtures"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/scenarios/expect"
)

// serveConfig is everything `pwemu serve` is told.
type serveConfig struct {
	Addr      string
	Scenario  string
	TLS       bool
	TLSCert   string
	TLSKey    string
	Clock     string
	Seed      int64
	LogLevel  string
	LogFormat string
	Watch     bool

	ControlToken  string
	MetricsPublic bool
	AllowedHosts  []string
	ScenarioEnv   []string

	JournalBytes  string
	LedgerRecords int
	MaxDevices    int
	MaxMessages   int
	MaxTags       int
	MaxConns      int
	ShutdownGrace time.Duration
}

func (c *serveConfig) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&c.Addr, "addr", emulator.DefaultAddr, "listen address host:port (the image uses 0.0.0.0:8080)")
	f.StringVar(&c.Scenario, "scenario", "", "scenario file, or the name of a bundled scenario (listed by: pwemu scenarios); default: the bundled demo")
	f.BoolVar(&c.TLS, "tls", false, "serve HTTPS with a self-signed certificate made at start (or --tls-cert/--tls-key)")
	f.StringVar(&c.TLSCert, "tls-cert", "", "PEM certificate to serve HTTPS with (implies --tls)")
	f.StringVar(&c.TLSKey, "tls-key", "", "PEM key of --tls-cert")
	f.StringVar(&c.Clock, "clock", "", "clock: real, manual or a speed such as 3600x (default: the scenario's)")
	f.Int64Var(&c.Seed, "seed", 0, "seed for generated data and randomness (default: the scenario's)")
	f.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	f.BoolVar(&c.Watch, "watch", false, "play the --scenario file again whenever it changes; a file that does not load is logged and the running scenario kept")
	f.StringVar(&c.ControlToken, "control-token", "", "bearer token the control API (/_pwemu/*, but health) and /metrics require")
	f.BoolVar(&c.MetricsPublic, "metrics-public", false, "serve /metrics without the control token")
	f.StringSliceVar(&c.AllowedHosts, "allowed-hosts", nil, "host names the control API accepts besides IP addresses, localhost and host.docker.internal (comma-separated)")
	f.IntVar(&c.MaxConns, "max-conns", emulator.DefaultMaxConns, "connections served at once; more wait to be accepted")
	f.DurationVar(&c.ShutdownGrace, "shutdown-grace", 8*time.Second, "on SIGTERM, how long pending batches get for one last attempt before pwemu prints the final totals and exits (a second signal exits at once)")
	f.StringVar(&c.JournalBytes, "journal-bytes", "64MiB", "bound of the journal of API calls, oldest forgotten first (e.g. 16MiB, 1GiB)")
	f.IntVar(&c.LedgerRecords, "ledger-records", ledgerRecordsDefault, "events the ledger keeps in detail, oldest evicted first (totals count every event)")
	f.IntVar(&c.MaxDevices, "max-devices", emulator.DefaultMaxDevices, "devices one application may hold; registering a new one past it answers a 210")
	f.IntVar(&c.MaxMessages, "max-messages", emulator.DefaultMaxMessages, "messages pwemu stores over all accounts; past it the oldest sent one is forgotten")
	f.IntVar(&c.MaxTags, "max-tags", emulator.DefaultMaxTags, "tag definitions one account may hold (the default tags included); addTag past it answers a 210, setTags skips new tags")
	f.StringSliceVar(&c.ScenarioEnv, "scenario-env", nil, "environment variables a scenario sent to PUT /_pwemu/scenario may read: NAME or PREFIX_* (comma-separated); it reads no other")
}

// emulatorConfig turns the command line into an emulator configuration.
func (c *serveConfig) emulatorConfig(stderr io.Writer, vars map[string]string) (emulator.Config, error) {
	log, err := newLogger(stderr, c.LogLevel, c.LogFormat)
	if err != nil {
		return emulator.Config{}, err
	}
	sc, err := scenarios.LoadWith(c.Scenario, scenarios.Options{Vars: vars})
	if err != nil {
		return emulator.Config{}, err
	}
	journalBytes, err := parseBytes(c.JournalBytes)
	if err != nil {
		return emulator.Config{}, usageError{fmt.Errorf("--journal-bytes: %w", err)}
	}
	if c.MaxConns <= 0 || c.ShutdownGrace <= 0 {
		return emulator.Config{}, usageError{fmt.Errorf("--max-conns and --shutdown-grace must be above 0")}
	}
	if c.MaxDevices <= 0 || c.MaxMessages <= 0 || c.MaxTags <= 0 {
		return emulator.Config{}, usageError{fmt.Errorf("--max-devices, --max-messages and --max-tags must be above 0")}
	}
	if c.LedgerRecords <= 0 {
		return emulator.Config{}, usageError{fmt.Errorf("--ledger-records %d: want a positive number", c.LedgerRecords)}
	}
	cfg := emulator.Config{Scenario: sc, Addr: c.Addr, Seed: c.Seed, Logger: log, Judge: expect.JudgeJSON,
		JournalBytes: journalBytes, LedgerRecords: c.LedgerRecords, MaxConns: c.MaxConns,
		MaxDevices: c.MaxDevices, MaxMessages: c.MaxMessages, MaxTags: c.MaxTags,
		ControlToken: c.ControlToken, MetricsPublic: c.MetricsPublic, AllowedHosts: c.AllowedHosts, ScenarioEnv: c.ScenarioEnv}
	if c.Clock != "" {
		cc, err := emulator.ParseClock(c.Clock)
		if err != nil {
			return cfg, usageError{fmt.Errorf("--clock: %w", err)}
		}
		cfg.Clock = &cc
	}
	if c.TLS || c.TLSCert != "" || c.TLSKey != "" {
		if cfg.TLS, err = c.tlsConfig(); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

func (c *serveConfig) tlsConfig() (*tls.Config, error) {
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, usageError{fmt.Errorf("--tls-cert and --tls-key go together")}
	}
	if c.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	}
	host := c.Addr
	if i := strings.LastIndex(host, ":"); i >= 0 {
		host = host[:i]
	}
	pair, err := fixtures.SelfSigned(strings.Trim(host, "[]"))
	if err != nil {
		return nil, err
	}
	return pair.TLSConfig()
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError{fmt.Errorf("--log-level %q: want debug, info, warn or error", level)}
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, usageError{fmt.Errorf("--log-format %q: want text or json", format)}
}

func newServe(stdout, stderr io.Writer) *cobra.Command {
	var c serveConfig
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the fake Pushwoosh API and play a scenario (the default command)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := c.emulatorConfig(stderr, nil)
			if err != nil {
				return err
			}
			emu, err := emulator.New(cfg)
			if err != nil {
				return err
			}
			if err := emu.Start(); err != nil {
				return err
			}
			if c.Watch {
				if err := watchScenario(cmd.Context(), c.Scenario, emu, cfg.Logger); err != nil {
					emu.Shutdown(context.Background())
					return err
				}
			}
			if c.LogFormat == "json" {
				logBanner(stdout, emu)
			} else {
				printBanner(stdout, emu)
			}
			<-cmd.Context().Done()
			if c.LogFormat == "json" {
				stdoutLog(stdout).Info("shutting down: sending pending batches once")
			} else {
				fmt.Fprintln(stdout, "pwemu: shutting down: sending pending batches once")
			}
			ctx, cancel := context.WithTimeout(context.Background(), c.ShutdownGrace)
			defer cancel()
			err = emu.Shutdown(ctx)
			t := emu.Totals()
			if c.LogFormat == "json" {
				stdoutLog(stdout).Info("final ledger", "generated", t.Generated, "delivered", t.Delivered,
					"dropped", t.Dropped, "filtered", t.Filtered, "pending", t.Pending, "emu_time", emu.Now())
			} else {
				fmt.Fprintf(stdout, "pwemu: final ledger: generated %d, delivered %d, dropped %d, filtered %d, pending %d\n",
					t.Generated, t.Delivered, t.Dropped, t.Filtered, t.Pending)
			}
			return err
		},
	}
	c.flags(cmd)
	return cmd
}

// printBanner tells a person where pwemu listens and how to call it.
func printBanner(w io.Writer, emu *emulator.Emulator) {
	sc := emu.Scenario()
	fmt.Fprintf(w, "pwemu %s playing scenario %q (clock %s)\n", versionString(), sc.Name, emu.ClockInfo().Mode)
	fmt.Fprintf(w, "  API      %s/json/1.3/<method>   (and %s/messaging/v2/notify)\n", emu.URL(), emu.URL())
	fmt.Fprintf(w, "  control  %s/_pwemu/health, /ledger, /journal, /events, /clock/advance, /wait, /reset\n", emu.URL())
	fmt.Fprintf(w, "  inspector %s/_pwemu/ui/   metrics %s/metrics\n", emu.URL(), emu.URL())
	for _, a := range sc.Accounts {
		fmt.Fprintf(w, "  account %s\n", a.ID)
		for _, t := range a.Tokens {
			fmt.Fprintf(w, "    %-6s token  %s\n", t.Kind, t.Value)
		}
		for _, app := range a.Applications {
			fmt.Fprintf(w, "    application   %s  %s\n", app.Code, app.Name)
		}
	}
	for _, s := range sc.Streams {
		fmt.Fprintf(w, "  stream %s → %s (%s)\n", s.Name, redactURL(s.Endpoint), s.Transport)
	}
}

// stdoutLog writes JSON records to stdout: with --log-format json, what serve tells a
// person there is JSON too.
func stdoutLog(w io.Writer) *slog.Logger { return slog.New(slog.NewJSONHandler(w, nil)) }

// logBanner is the banner as one JSON record.
func logBanner(w io.Writer, emu *emulator.Emulator) {
	sc := emu.Scenario()
	var accounts []any
	for _, a := range sc.Accounts {
		var tokens, apps []string
		for _, t := range a.Tokens {
			tokens = append(tokens, string(t.Kind)+" "+t.Value)
		}
		for _, app := range a.Applications {
			apps = append(apps, app.Code+" "+app.Name)
		}
		accounts = append(accounts, map[string]any{"id": a.ID, "tokens": tokens, "applications": apps})
	}
	var streams []string
	for _, s := range sc.Streams {
		streams = append(streams, fmt.Sprintf("%s → %s (%s)", s.Name, redactURL(s.Endpoint), s.Transport))
	}
	stdoutLog(w).Info("pwemu serving", "version", versionString(), "scenario", sc.Name,
		"clock", emu.ClockInfo().Mode, "emu_time", emu.Now(), "api", emu.URL()+"/json/1.3/",
		"control", emu.URL()+"/_pwemu/", "inspector", emu.URL()+"/_pwemu/ui/", "metrics", emu.URL()+"/metrics",
		"accounts", accounts, "streams", streams)
}

// redactURL hides the password of an endpoint with credentials.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		return u.Redacted()
	}
	return s
}

const ledgerRecordsDefault = 1_000_000

// parseBytes reads a size such as 64MiB, 512KiB, 1GiB or a plain number of bytes.
func parseBytes(s string) (int, error) {
	units := []struct {
		suffix string
		mult   int
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"B", 1}, {"", 1}}
	for _, u := range units {
		num, ok := strings.CutSuffix(strings.TrimSpace(s), u.suffix)
		if !ok {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(num))
		if err != nil || n <= 0 || n > math.MaxInt/u.mult {
			break
		}
		return n * u.mult, nil
	}
	return 0, fmt.Errorf("%q: want a positive size such as 64MiB, 512KiB or 1GiB", s)
}
