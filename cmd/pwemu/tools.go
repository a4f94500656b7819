package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/scenarios"
)

func newValidate(stdout, stderr io.Writer) *cobra.Command {
	var vars scenarioVars
	cmd := &cobra.Command{
		Use:   "validate [--receiver URL] [--env K=V] FILE...",
		Short: "Check scenario files; exit 1 on any error",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, files []string) error {
			values, err := vars.values()
			if err != nil {
				return err
			}
			bad := 0
			for _, f := range files {
				if _, err := scenarios.LoadWith(f, scenarios.Options{Vars: values}); err != nil {
					bad++
					fmt.Fprintln(stderr, err)
					continue
				}
				fmt.Fprintf(stdout, "%s: ok\n", f)
			}
			if bad > 0 {
				return &exitError{code: 1, err: fmt.Errorf("%d of %d scenario(s) invalid", bad, len(files))}
			}
			return nil
		},
	}
	vars.flags(cmd.Flags())
	return cmd
}

func newSchema(stdout io.Writer) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema of scenario files (for editor completion)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := stdout.Write(scenarios.Schema())
			return err
		},
	}
}

func newScenarios(stdout io.Writer) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scenarios",
		Short: "List the bundled scenarios with what each tests (run one with --scenario NAME)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			for _, name := range scenarios.BundledNames() {
				src, err := scenarios.BundledSource(name)
				if err != nil {
					return err
				}
				fmt.Fprintf(stdout, "%s\n%s\n\n", name, describeBlocks(headComment(src), "    "))
			}
			return nil
		},
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "show NAME",
		Short: "Print a bundled scenario's YAML (to copy and adapt)",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			src, err := scenarios.BundledSource(args[0])
			if err != nil {
				return usageError{err}
			}
			_, err = stdout.Write(src)
			return err
		},
	})
	return cmd
}

// headComment is the comment a YAML file starts with — what a bundled scenario tests —
// as blocks: prose lines joined into paragraphs, indented lines (tables) kept as they are
// with their leading space.
func headComment(data []byte) []string {
	var blocks []string
	prose := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if !strings.HasPrefix(line, "#") {
			if line == "" && len(blocks) == 0 {
				continue
			}
			break
		}
		text := strings.TrimPrefix(line, "#")
		switch {
		case strings.TrimSpace(text) == "":
			prose = false
		case strings.HasPrefix(text, "  "):
			blocks, prose = append(blocks, strings.TrimRight(text, " ")), false
		case prose:
			blocks[len(blocks)-1] += " " + strings.TrimSpace(text)
		default:
			blocks, prose = append(blocks, strings.TrimSpace(text)), true
		}
	}
	return blocks
}

// describeBlocks writes comment blocks under a name: paragraphs wrapped, tables as is.
func describeBlocks(blocks []string, indent string) string {
	var out []string
	for i, b := range blocks {
		if i == 0 {
			if _, rest, ok := strings.Cut(b, " — "); ok {
				b = rest
			}
		}
		if strings.HasPrefix(b, " ") {
			out = append(out, indent+b)
			continue
		}
		out = append(out, wrap(b, 88, indent))
	}
	return strings.Join(out, "\n")
}

// wrap breaks text into lines of at most width runes, each after indent.
func wrap(text string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for _, word := range strings.Fields(text) {
		if n > 0 && n+1+len([]rune(word)) > width {
			b.WriteString("\n")
			n = 0
		}
		if n == 0 {
			b.WriteString(indent)
		} else {
			b.WriteString(" ")
			n++
		}
		b.WriteString(word)
		n += len([]rune(word))
	}
	return b.String()
}

func newHealthcheck(stdout io.Writer) *cobra.Command {
	var addr, url string
	var useTLS bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Exit 0 when the local pwemu answers /_pwemu/health (for a container HEALTHCHECK)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if url == "" {
				url = healthURL(addr, useTLS)
			}
			client := &http.Client{Timeout: timeout, Transport: &http.Transport{
				// the local server's certificate is self-signed more often than not
				TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}} //nolint:gosec // local health probe only
			resp, err := client.Get(url)
			if err != nil {
				return &exitError{code: 1, err: fmt.Errorf("healthcheck %s: %w", url, err)}
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				return &exitError{code: 1, err: fmt.Errorf("healthcheck %s: HTTP %d", url, resp.StatusCode)}
			}
			fmt.Fprintln(stdout, "ok")
			return nil
		},
	}
	cmd.Flags().StringVar(&addr, "addr", emulator.DefaultAddr, "address pwemu serves on (PWEMU_ADDR, as for serve)")
	cmd.Flags().BoolVar(&useTLS, "tls", false, "pwemu serves HTTPS")
	cmd.Flags().StringVar(&url, "url", "", "health URL to probe (default: from --addr)")
	cmd.Flags().DurationVar(&timeout, "timeout", 2*time.Second, "give up after this long")
	return cmd
}

// healthURL is the local health endpoint for a listen address: a wildcard host
// (0.0.0.0, ::, empty) is probed on loopback.
func healthURL(addr string, useTLS bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "8080"
	}
	switch host {
	case "", "0.0.0.0", "::", "[::]":
		host = "127.0.0.1"
	}
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + "/_pwemu/health"
}
