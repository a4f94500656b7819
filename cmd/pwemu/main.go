// Command pwemu runs the Pushwoosh emulator: `serve` (the default) plays a scenario
// and serves the fake API and the control API; `run` plays a scenario against a
// receiver for CI and checks its expectations; `validate`, `schema` and `scenarios`
// help write scenarios; `healthcheck` is the container's HEALTHCHECK.
//
// Every flag is mirrored by an environment variable: --tls-cert is PWEMU_TLS_CERT.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// version and revision are set at build time by `make build`, `make dist` and the
// Dockerfile: -ldflags "-X main.version=v0.x.y -X main.revision=<commit>".
var version, revision string

func main() {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sigs
		// The default action is back before serve hears of the first signal, so a
		// second one, however soon, ends pwemu at once without the shutdown grace.
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		cancel()
	}()
	code := execute(ctx, os.Args[1:], env{lookup: os.LookupEnv}, os.Stdout, os.Stderr)
	cancel()
	os.Exit(code)
}

// env is where flags fall back to when not given.
type env struct {
	lookup func(string) (string, bool)
}

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// execute runs the command line and returns the exit code: 0 success, 1 failure
// (a failed check, an invalid scenario), 2 misuse.
func execute(ctx context.Context, args []string, en env, stdout, stderr io.Writer) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help" {
		args = append([]string{"serve"}, args...)
	}
	root := newRoot(en, stdout, stderr)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "pwemu:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "pwemu:", err)
	if isUsage(err) {
		return 2
	}
	return 1
}

// usageError marks command-line misuse.
type usageError struct{ error }

func isUsage(err error) bool {
	var u usageError
	if errors.As(err, &u) {
		return true
	}
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.Contains(msg, "accepts") ||
		strings.Contains(msg, "requires at least") || strings.HasPrefix(msg, "invalid argument") ||
		strings.Contains(msg, "flag needs an argument")
}

func newRoot(en env, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "pwemu",
		Short:         "A Pushwoosh emulator for tests and CI",
		Long:          "pwemu plays Pushwoosh: its API for the clients you test, its event streams for the receivers you test, scripted by YAML scenarios on an emulator clock.",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			return bindEnv(cmd.Flags(), en)
		},
	}
	root.AddCommand(newServe(stdout, stderr), newRun(stdout, stderr), newValidate(stdout, stderr),
		newHealthcheck(stdout), newVersion(stdout), newSchema(stdout), newScenarios(stdout), newMethods(stdout))
	for _, cmd := range root.Commands() {
		listEnv(cmd)
	}
	return root
}

// listEnv adds to a command's help the PWEMU_* variables its flags read.
func listEnv(cmd *cobra.Command) {
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" {
			names = append(names, fmt.Sprintf("  %-26s --%s", envName(f.Name), f.Name))
		}
	})
	if len(names) == 0 {
		return
	}
	long := cmd.Long
	if long == "" {
		long = cmd.Short
	}
	cmd.Long = long + "\n\nEvery flag not given on the command line is read from its environment variable:\n" +
		strings.Join(names, "\n")
	for _, sub := range cmd.Commands() {
		listEnv(sub)
	}
}

// envName is the variable that mirrors a flag: --tls-cert → PWEMU_TLS_CERT.
func envName(flag string) string {
	return "PWEMU_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv gives every flag not set on the command line its PWEMU_* value.
func bindEnv(fs *pflag.FlagSet, en env) error {
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == "help" {
			return
		}
		if v, ok := en.lookup(envName(f.Name)); ok {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, usageError{fmt.Errorf("%s=%q: %v", envName(f.Name), v, err)})
			}
		}
	})
	return errors.Join(errs...)
}

// versionString is what `pwemu version` reports: the -ldflags version when set, else
// the module version Go recorded (v0.x.y for `go install …@v0.x.y`), else "dev"; then
// the VCS revision when known and not already part of the version.
func versionString() string {
	bi, _ := debug.ReadBuildInfo()
	return versionOf(version, revision, bi)
}

func versionOf(version, revision string, bi *debug.BuildInfo) string {
	modified := false
	if bi != nil {
		if version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && revision == "":
				revision = s.Value
			case s.Key == "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if version == "" {
		version = "dev"
	}
	revision = revision[:min(len(revision), 12)]
	// git describe and Go's pseudo-versions carry the revision already (7 or 12 digits).
	if revision == "" || strings.Contains(version, revision[:min(len(revision), 7)]) {
		return version
	}
	if modified {
		revision += ", modified"
	}
	return version + " (" + revision + ")"
}

func newVersion(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(stdout, "pwemu", versionString())
			return nil
		},
	}
}
