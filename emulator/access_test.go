package emulator_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/scenarios"
)

// startEmu serves an emulator configured by cfg on a free loopback port.
func startEmu(t *testing.T, cfg emulator.Config) *emulator.Emulator {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	emu, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	return emu
}

// call sends one request; header holds extra headers, "Host" sets the Host.
func send(t *testing.T, method, u, body string, header map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

var jsonType = map[string]string{"Content-Type": "application/json"}

func TestNetworkScenarioNeverReadsTheProcessEnvironment(t *testing.T) {
	t.Setenv("PWEMU_TEST_SECRET", "s3cr3t-value")
	t.Setenv("PWEMU_TEST_ALLOWED_MODE", "manual")
	emu := startEmu(t, emulator.Config{ScenarioEnv: []string{"PWEMU_TEST_ALLOWED_*"}})
	put := func(query, yaml string, header map[string]string) (int, string) {
		h := map[string]string{"Content-Type": "application/yaml"}
		for k, v := range header {
			h[k] = v
		}
		return send(t, "PUT", emu.URL()+"/_pwemu/scenario"+query, yaml, h)
	}

	code, body := put("", "name: leak\nclock: {mode: \"${PWEMU_TEST_SECRET}\"}\n", nil)
	if code != http.StatusBadRequest || strings.Contains(body, "s3cr3t") || !strings.Contains(body, "PWEMU_TEST_SECRET") {
		t.Fatalf("a scenario naming a process variable: %d %s; want 400 saying it is not set, without its value", code, body)
	}
	code, body = put("?env.MODE=manual", "name: given\nclock: {mode: \"${MODE}\"}\n", nil)
	if code != http.StatusOK || emu.ClockInfo().Mode != string(emulator.ClockManual) {
		t.Fatalf("a value given as env.MODE: %d %s, clock %s", code, body, emu.ClockInfo().Mode)
	}
	code, body = put("", "name: header\nclock: {mode: \"${MODE}\"}\n", map[string]string{"Pwemu-Env": "MODE=manual"})
	if code != http.StatusOK {
		t.Fatalf("a value given in the %s header: %d %s", "Pwemu-Env", code, body)
	}
	code, body = put("", "name: allowed\nclock: {mode: \"${PWEMU_TEST_ALLOWED_MODE}\"}\n", nil)
	if code != http.StatusOK || emu.ClockInfo().Mode != string(emulator.ClockManual) {
		t.Fatalf("a variable allowed by --scenario-env: %d %s", code, body)
	}
	// A file given on the command line still reads the environment.
	sc, err := scenarios.Parse("file.yaml", []byte("name: file\nclock: {mode: \"${PWEMU_TEST_ALLOWED_MODE}\"}\n"))
	if err != nil || sc.Clock.Mode != "manual" {
		t.Fatalf("a scenario file: %v %+v", err, sc)
	}
}

func TestScenarioSecretsAreRedacted(t *testing.T) {
	sc, err := scenarios.Parse("s.yaml", []byte(`
name: secrets
streams:
  - endpoint: https://user:hunter2@receiver.example/events
    authorization: Bearer very-secret-token
    events: [Push Sent]
    platforms: [iOS]
webhooks:
  - endpoint: http://127.0.0.1:9/hook
    authorization: Basic c2VjcmV0
`))
	if err != nil {
		t.Fatal(err)
	}
	emu := startEmu(t, emulator.Config{Scenario: sc})
	code, body := send(t, "GET", emu.URL()+"/_pwemu/scenario", "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET scenario: %d %s", code, body)
	}
	for _, secret := range []string{"very-secret-token", "c2VjcmV0", "hunter2"} {
		if strings.Contains(body, secret) {
			t.Fatalf("GET /_pwemu/scenario shows %q:\n%s", secret, body)
		}
	}
	if strings.Count(body, "***") != 3 || !strings.Contains(body, "receiver.example/events") {
		t.Fatalf("GET /_pwemu/scenario should show *** for each secret and the rest as is:\n%s", body)
	}
}

func TestControlToken(t *testing.T) {
	emu := startEmu(t, emulator.Config{ControlToken: "tok-123"})
	base := emu.URL() + "/_pwemu"
	if code, _ := send(t, "GET", base+"/health", "", nil); code != http.StatusOK {
		t.Fatalf("health without a token: %d, want 200 (exempt)", code)
	}
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/ledger", ""}, {"GET", "/journal", ""}, {"GET", "/scenario", ""}, {"GET", "/clock", ""},
		{"POST", "/events", "[]"}, {"POST", "/reset", ""}, {"GET", "/no-such-route", ""},
	} {
		code, body := send(t, c.method, base+c.path, c.body, jsonType)
		if code != http.StatusUnauthorized || !strings.Contains(body, `"error"`) {
			t.Fatalf("%s %s without a token: %d %s, want 401 JSON", c.method, c.path, code, body)
		}
		code, _ = send(t, c.method, base+c.path, c.body, map[string]string{"Content-Type": "application/json", "Authorization": "Bearer wrong"})
		if code != http.StatusUnauthorized {
			t.Fatalf("%s %s with a wrong token: %d, want 401", c.method, c.path, code)
		}
	}
	if code, body := send(t, "GET", base+"/ledger", "", map[string]string{"Authorization": "Bearer tok-123"}); code != http.StatusOK {
		t.Fatalf("ledger with the token: %d %s", code, body)
	}
	if code, _ := send(t, "GET", emu.URL()+emulator.MetricsPath, "", nil); code != http.StatusUnauthorized {
		t.Fatalf("/metrics without a token: %d, want 401", code)
	}
	public := startEmu(t, emulator.Config{ControlToken: "tok-123", MetricsPublic: true})
	if code, _ := send(t, "GET", public.URL()+emulator.MetricsPath, "", nil); code == http.StatusUnauthorized {
		t.Fatal("/metrics with --metrics-public asked for the token")
	}
	// The Pushwoosh API needs no control token.
	if code, _ := send(t, "POST", emu.URL()+"/json/1.3/getApplications", `{"request":{}}`, jsonType); code == http.StatusUnauthorized {
		t.Fatal("the Pushwoosh API asked for the control token")
	}
}

func TestControlAPIRefusesBrowsersAndForeignHosts(t *testing.T) {
	emu := startEmu(t, emulator.Config{AllowedHosts: []string{"pwemu"}})
	base := emu.URL() + "/_pwemu"
	host := strings.TrimPrefix(emu.URL(), "http://")
	_, port, _ := strings.Cut(host, ":")
	cases := []struct {
		name   string
		method string
		path   string
		body   string
		header map[string]string
		want   int
	}{
		{"cross-origin text/plain POST", "POST", "/scenario", "name: evil\n", map[string]string{"Content-Type": "text/plain", "Origin": "http://evil.example"}, 403},
		{"cross-origin GET", "GET", "/ledger", "", map[string]string{"Origin": "http://evil.example"}, 403},
		{"null origin", "GET", "/ledger", "", map[string]string{"Origin": "null"}, 403},
		{"same-origin GET", "GET", "/ledger", "", map[string]string{"Origin": "http://" + host}, 200},
		{"text/plain body", "POST", "/events", "[]", map[string]string{"Content-Type": "text/plain"}, 415},
		{"form body", "POST", "/events", "a=b", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415},
		{"multipart body", "POST", "/events", "x", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}, 415},
		{"body without a type", "POST", "/events", "[]", nil, 415},
		{"JSON body", "POST", "/events", "[]", jsonType, 200},
		{"YAML body", "PUT", "/scenario", "name: y\n", map[string]string{"Content-Type": "application/yaml"}, 200},
		{"empty POST without a type", "POST", "/reset", "", nil, 200},
		{"rebinding host", "GET", "/ledger", "", map[string]string{"Host": "evil.example:" + port}, 403},
		{"rebinding host on health", "GET", "/health", "", map[string]string{"Host": "evil.example"}, 403},
		{"localhost", "GET", "/ledger", "", map[string]string{"Host": "localhost:" + port}, 200},
		{"host.docker.internal", "GET", "/ledger", "", map[string]string{"Host": "host.docker.internal:" + port}, 200},
		{"IPv6 literal", "GET", "/ledger", "", map[string]string{"Host": "[::1]:" + port}, 200},
		{"allowed host", "GET", "/ledger", "", map[string]string{"Host": "pwemu:" + port}, 200},
	}
	for _, c := range cases {
		code, body := send(t, c.method, base+c.path, c.body, c.header)
		if code != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, code, body, c.want)
		}
	}
	// The Pushwoosh API keeps its CORS for the web SDK, from any origin and host.
	code, _ := send(t, "OPTIONS", emu.URL()+"/json/1.3/registerDevice", "", map[string]string{
		"Origin": "http://shop.example", "Access-Control-Request-Method": "POST", "Host": "api.example"})
	if code != http.StatusNoContent {
		t.Fatalf("API preflight from a web page: %d, want 204", code)
	}
}
