package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwemu/pwemu/fixtures"
)

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func envOf(vars map[string]string) env {
	return env{lookup: func(k string) (string, bool) { v, ok := vars[k]; return v, ok }}
}

func run(t *testing.T, vars map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb syncBuffer
	code = execute(context.Background(), args, envOf(vars), &out, &errb)
	return code, out.String(), errb.String()
}

var apiLine = regexp.MustCompile(`(?:API\s+|"api":")(https?://127\.0\.0\.1:\d+)/json/1\.3/`)

// startServe runs `pwemu serve` with args until the test ends; it returns the base URL
// the banner printed.
func startServe(t *testing.T, vars map[string]string, args ...string) (base string, out *syncBuffer) {
	t.Helper()
	base, out, _ = startServeLogs(t, vars, args...)
	return base, out
}

// startServeLogs is startServe that also hands out what serve writes to stderr (its log).
func startServeLogs(t *testing.T, vars map[string]string, args ...string) (base string, out, errb *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errb = &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- execute(ctx, args, envOf(vars), out, errb) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, errb.String())
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop within 10s of its context ending")
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := apiLine.FindStringSubmatch(out.String()); m != nil {
			return m[1], out, errb
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d before serving: %s %s", code, out.String(), errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("serve printed no API address: %q", out.String())
	return "", nil, nil
}

func TestServeByDefaultPrintsTokensAndPassesHealthcheck(t *testing.T) {
	// no command: serve is the default; the address comes from PWEMU_ADDR
	base, out := startServe(t, map[string]string{"PWEMU_ADDR": "127.0.0.1:0"})
	for _, want := range []string{"demo-server-token", "demo-device-token", "DEMO1-00001", "/_pwemu/health"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("banner lacks %q:\n%s", want, out.String())
		}
	}
	if code, _, errs := run(t, nil, "healthcheck", "--url", base+"/_pwemu/health"); code != 0 {
		t.Fatalf("healthcheck against a serving pwemu exited %d: %s", code, errs)
	}
	addr := strings.TrimPrefix(base, "http://")
	if code, _, errs := run(t, map[string]string{"PWEMU_ADDR": addr}, "healthcheck"); code != 0 {
		t.Fatalf("healthcheck with PWEMU_ADDR exited %d: %s", code, errs)
	}
}

func TestServeTLSWithASelfSignedCertificate(t *testing.T) {
	base, _ := startServe(t, nil, "serve", "--tls", "--addr", "127.0.0.1:0")
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("--tls serves %s", base)
	}
	if code, _, errs := run(t, nil, "healthcheck", "--tls", "--addr", strings.TrimPrefix(base, "https://")); code != 0 {
		t.Fatalf("healthcheck --tls exited %d: %s", code, errs)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	resp, err := client.Post(base+"/json/1.3/getApplications", "", strings.NewReader(`{"request":{"auth":"demo-server-token"}}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var env struct {
		StatusCode int `json:"status_code"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&env); err != nil || resp.StatusCode != 200 || env.StatusCode != 200 {
		t.Fatalf("API over TLS: HTTP %d, %+v, %v", resp.StatusCode, env, err)
	}
	if _, err := http.Get(base + "/_pwemu/health"); err == nil {
		t.Fatal("a client that does not trust the self-signed certificate connected")
	}
}

func TestServeTLSWithGivenCertificate(t *testing.T) {
	pair, err := fixtures.SelfSigned()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pair.CertPEM, 0o600)
	os.WriteFile(keyFile, pair.KeyPEM, 0o600)
	base, _ := startServe(t, map[string]string{"PWEMU_TLS_CERT": certFile, "PWEMU_TLS_KEY": keyFile}, "serve", "--addr", "127.0.0.1:0")
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pair.CertPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(base + "/_pwemu/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health over the given certificate: %v %v", resp, err)
	}
	resp.Body.Close()
	if code, _, errs := run(t, map[string]string{"PWEMU_TLS_CERT": certFile}, "serve"); code != 2 || !strings.Contains(errs, "--tls-cert and --tls-key go together") {
		t.Fatalf("a cert without its key: exit %d, %q", code, errs)
	}
}

func TestHealthcheckFailsWhenNothingServes(t *testing.T) {
	code, _, errs := run(t, nil, "healthcheck", "--url", "http://127.0.0.1:1/_pwemu/health", "--timeout", "1s")
	if code != 1 || !strings.Contains(errs, "healthcheck http://127.0.0.1:1/_pwemu/health") {
		t.Fatalf("exit %d, stderr %q; want 1 naming the URL", code, errs)
	}
}

func TestHealthURLProbesLoopbackForWildcardHosts(t *testing.T) {
	cases := map[string]string{
		"0.0.0.0:8080":   "http://127.0.0.1:8080/_pwemu/health",
		":9000":          "http://127.0.0.1:9000/_pwemu/health",
		"[::]:8080":      "http://127.0.0.1:8080/_pwemu/health",
		"127.0.0.2:8081": "http://127.0.0.2:8081/_pwemu/health",
	}
	for addr, want := range cases {
		if got := healthURL(addr, false); got != want {
			t.Errorf("healthURL(%q) = %q, want %q", addr, got, want)
		}
	}
	if got := healthURL("0.0.0.0:8443", true); got != "https://127.0.0.1:8443/_pwemu/health" {
		t.Errorf("TLS health URL %q", got)
	}
}

func TestEnvMirrorsEveryFlagAndBadValuesAreUsageErrors(t *testing.T) {
	if got := envName("tls-cert"); got != "PWEMU_TLS_CERT" {
		t.Fatalf("envName(tls-cert) = %q", got)
	}
	code, _, errs := run(t, map[string]string{"PWEMU_TLS": "maybe"}, "serve")
	if code != 2 || !strings.Contains(errs, `PWEMU_TLS="maybe"`) {
		t.Fatalf("exit %d, stderr %q; want 2 naming PWEMU_TLS", code, errs)
	}
	code, _, errs = run(t, map[string]string{"PWEMU_CLOCK": "fast", "PWEMU_ADDR": "127.0.0.1:0"}, "serve")
	if code != 2 || !strings.Contains(errs, "--clock") {
		t.Fatalf("exit %d, stderr %q; want 2 about --clock", code, errs)
	}
}

func TestUnknownCommandAndFlagAreUsageErrors(t *testing.T) {
	if code, _, _ := run(t, nil, "frobnicate"); code != 2 {
		t.Errorf("unknown command exit %d, want 2", code)
	}
	if code, _, _ := run(t, nil, "serve", "--nope"); code != 2 {
		t.Errorf("unknown flag exit %d, want 2", code)
	}
}

func TestValidateExitCodes(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(good, []byte("name: ok\naccounts: []\n"), 0o644)
	os.WriteFile(bad, []byte("name: bad\nstreams:\n  - endpoint: http://127.0.0.1:9/x\n    events: []\n    platforms: [iOS]\n"), 0o644)

	code, out, errs := run(t, nil, "validate", good)
	if code != 0 || !strings.Contains(out, "good.yaml: ok") {
		t.Fatalf("valid file: exit %d, out %q, err %q", code, out, errs)
	}
	code, _, errs = run(t, nil, "validate", good, bad)
	if code != 1 || !strings.Contains(errs, "bad.yaml:4:") || !strings.Contains(errs, "events") {
		t.Fatalf("invalid file: exit %d, stderr %q; want 1 with bad.yaml:4: … events", code, errs)
	}
	// a scenario with ${RECEIVER_URL} validates once the URL is given
	code, out, errs = run(t, nil, "validate", "--receiver", "http://127.0.0.1:9/x", "happy-path")
	if code != 0 || !strings.Contains(out, "happy-path: ok") {
		t.Fatalf("validate --receiver of a bundled scenario: exit %d, %q %q", code, out, errs)
	}
	if code, _, _ := run(t, nil, "validate"); code != 2 {
		t.Fatalf("validate without files: exit %d, want 2", code)
	}
}

func TestVersionAndSchemaAndScenarios(t *testing.T) {
	if code, out, _ := run(t, nil, "version"); code != 0 || !strings.HasPrefix(out, "pwemu ") {
		t.Fatalf("version: %d %q", code, out)
	}
	if code, out, _ := run(t, nil, "schema"); code != 0 || !strings.Contains(out, `"$schema"`) {
		t.Fatalf("schema: %d %q", code, out[:min(len(out), 200)])
	}
	code, out, _ := run(t, nil, "scenarios")
	if code != 0 || !strings.Contains(out, "default") {
		t.Fatalf("scenarios: %d %q", code, out)
	}
	// Whole descriptions: the end of happy-path's comment is there too.
	if !strings.Contains(strings.Join(strings.Fields(out), " "), "nothing is retried, dropped or left pending.") {
		t.Fatalf("scenarios cuts descriptions short:\n%s", out)
	}
	code, out, _ = run(t, nil, "scenarios", "show", "happy-path")
	if code != 0 || !strings.Contains(out, "# happy-path") || !strings.Contains(out, "streams:") {
		t.Fatalf("scenarios show: %d %q", code, out)
	}
	if code, _, errs := run(t, nil, "scenarios", "show", "nope"); code != 2 || !strings.Contains(errs, "happy-path") {
		t.Fatalf("scenarios show of an unknown name: %d %q", code, errs)
	}
}

func TestHelpListsTheEnvironmentVariables(t *testing.T) {
	_, out, _ := run(t, nil, "serve", "--help")
	for _, want := range []string{"PWEMU_ADDR", "PWEMU_SCENARIO", "PWEMU_CONTROL_TOKEN", "PWEMU_LOG_LEVEL"} {
		if !strings.Contains(out, want) {
			t.Errorf("serve --help does not list %s", want)
		}
	}
	if strings.Contains(out, "--scenario pwemu scenarios") {
		t.Error("serve --help shows backticked text as the flag's value name")
	}
	_, out, _ = run(t, nil, "run", "--help")
	if !strings.Contains(out, "PWEMU_RECEIVER_WAIT") || !strings.Contains(out, "PWEMU_LOG_FORMAT") {
		t.Errorf("run --help does not list its variables:\n%s", out)
	}
}

func TestServeWithJSONLogsPrintsOnlyJSON(t *testing.T) {
	_, out := startServe(t, nil, "serve", "--addr", "127.0.0.1:0", "--log-format", "json")
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a line of serve's output is not JSON: %q", line)
		}
		if rec["msg"] == "pwemu serving" && (rec["inspector"] == nil || rec["emu_time"] == nil || rec["accounts"] == nil) {
			t.Fatalf("the JSON banner lacks the inspector, the emulator time or the accounts: %q", line)
		}
	}
}

func TestVersionOfReportsLdflagsThenModuleVersionThenRevision(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	cases := []struct {
		name              string
		version, revision string
		bi                *debug.BuildInfo
		want              string
	}{
		{"go install @v0.2.0", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}}, "v0.2.0"},
		{"ldflags win over build info", "v0.3.0", rev, &debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}}, "v0.3.0 (0123456789ab)"},
		{"git describe carries the revision", "v0.3.0-2-g0123456-dirty", rev, nil, "v0.3.0-2-g0123456-dirty"},
		{"a checkout: the VCS revision", "", "", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "true")}, "dev (0123456789ab, modified)"},
		{"a pseudo-version carries the revision", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v0.3.1-0.20260101000000-0123456789ab"}, Settings: vcs(rev, "false")}, "v0.3.1-0.20260101000000-0123456789ab"},
		{"nothing known", "", "", nil, "dev"},
	}
	for _, c := range cases {
		if got := versionOf(c.version, c.revision, c.bi); got != c.want {
			t.Errorf("%s: versionOf = %q, want %q", c.name, got, c.want)
		}
	}
}
