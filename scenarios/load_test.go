package scenarios

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func parseOK(t *testing.T, src string, env Env) *Scenario {
	t.Helper()
	s, err := ParseWith("test.yaml", []byte(strings.TrimPrefix(src, "\n")), Options{Env: env})
	if err != nil {
		t.Fatalf("rejected:\n%v", err)
	}
	return s
}

func TestParseFillsTheDocsDefaults(t *testing.T) {
	t.Parallel()
	s := parseOK(t, `
name: defaults
accounts:
  - id: acme
    applications: [{code: 32E5A-9B411}]
streams:
  - endpoint: ${RECEIVER_URL}
    transport: HTTP
    events: [Push Sent]
    platforms: [iOS]
  - endpoint: 127.0.0.1:50051
    transport: gRPC
    events: [Push Sent]
    platforms: [iOS]
webhooks:
  - endpoint: ${RECEIVER_URL}/email
traffic:
  - generate: {count: 5}
api:
  - method: createMessage
    respond: {http: 503}
`, receiverEnv)
	h, g := s.Streams[0], s.Streams[1]
	if h.Transport != "http" || h.Name != "streams[0]" || h.Batch.Size != 100 || h.Batch.Interval.D() != time.Hour ||
		!reflect.DeepEqual(h.Retry.Delays, []Duration{Duration(time.Second), Duration(3 * time.Second), Duration(8 * time.Second)}) ||
		h.Timeout.D() != 30*time.Second || h.Framing != "array" || h.Concurrency != 1 {
		t.Errorf("http stream defaults: %+v", h)
	}
	if g.Transport != "grpc" || g.Name != "streams[1]" || g.Batch.Size != 1000 || g.Framing != "" {
		t.Errorf("grpc stream defaults: %+v", g)
	}
	if h.Endpoint != "http://127.0.0.1:9000" {
		t.Errorf("endpoint = %q, want RECEIVER_URL expanded", h.Endpoint)
	}
	w := s.Webhooks[0]
	if w.Name != "webhooks[0]" || !reflect.DeepEqual(w.Events, catalog.EmailStatusEvents) || w.Timeout.D() != 30*time.Second || len(w.Retry.Delays) != 3 {
		t.Errorf("webhook defaults: %+v", w)
	}
	// events and platforms stay unset: the emulator draws them from the integrations
	gen := s.Traffic[0].Generate
	if len(gen.Events) != 0 || len(gen.Platforms) != 0 || gen.Messages != 10 {
		t.Errorf("traffic defaults: %+v", gen)
	}
	if s.Accounts[0].CreateMessageRate != 600 || s.API[0].Probability != 1 {
		t.Errorf("rate %d, probability %v", s.Accounts[0].CreateMessageRate, s.API[0].Probability)
	}
	if *s.Lifecycle.Delivered != 0.9 || *s.Lifecycle.Opened != 0.3 || s.Lifecycle.Delay.D() != time.Second {
		t.Errorf("lifecycle defaults: %+v", s.Lifecycle)
	}
	if s.Source != "test.yaml" || !strings.HasPrefix(string(s.Raw), "name: defaults") {
		t.Errorf("source %q raw %q", s.Source, s.Raw)
	}
}

func TestParseKeepsWrittenValues(t *testing.T) {
	t.Parallel()
	s := parseOK(t, `
name: explicit
seed: 42
clock: {mode: manual, start: "2024-08-16T09:00:00Z", patience: 50ms}
duration: 90m
streams:
  - name: main
    endpoint: https://example.com:8081/webhook_endpoint
    authorization: Basic dXNlcjpwYXNz
    events: [Push Sent, Email Opened]
    platforms: [iOS, Email]
    filters: {campaigns: ["961048"], messages: [E682-E6D92B9A-53E24868], live_activity: true}
    batch: {size: 250, interval: 10m}
    retry: {delays: [2s, 4s]}
    timeout: 5s
    framing: ndjson
    concurrency: 4
    chaos: {duplicate: 0.25, reorder: true, slow: 100ms}
traffic:
  - at: 2m
    generate: {rate: 50/s, for: 5m, live_activity: 0.1, campaigns: [961048]}
api:
  - method: "*"
    during: [10m, 12m]
    probability: 0.8
    latency: 100ms-2s
    respond: {status_code: 210, status_message: Cannot parse date, response: {a: [1, "2", true, null]}}
lifecycle: {delivered: 0.5, opened: 0, delay: 3s}
expect:
  delivered: all
  dropped: at most 3
  pending: none
  max_latency: 2s
  max_attempts: 4
  statuses: {200: at least 5, 0: exactly 0}
`, receiverEnv)
	st := s.Streams[0]
	if s.Seed != 42 || s.Clock.Mode != "manual" || s.Clock.Patience.D() != 50*time.Millisecond || s.Duration.D() != 90*time.Minute {
		t.Errorf("top: %+v", s)
	}
	if st.Batch.Size != 250 || st.Batch.Interval.D() != 10*time.Minute || !reflect.DeepEqual(st.Retry.Delays, []Duration{Duration(2 * time.Second), Duration(4 * time.Second)}) ||
		st.Timeout.D() != 5*time.Second || st.Framing != "ndjson" || st.Concurrency != 4 || st.Chaos != (Chaos{Duplicate: 0.25, Reorder: true, Slow: Duration(100 * time.Millisecond)}) ||
		!st.Filters.LiveActivity || st.Filters.Campaigns[0] != "961048" {
		t.Errorf("stream: %+v", st)
	}
	g := s.Traffic[0]
	if g.At.D() != 2*time.Minute || g.Generate.Rate.PerSecond() != 50 || g.Generate.For.D() != 5*time.Minute || g.Generate.Campaigns[0] != 961048 {
		t.Errorf("traffic: %+v", g)
	}
	r := s.API[0]
	if r.Latency != (Latency{Min: 100 * time.Millisecond, Max: 2 * time.Second}) || r.Probability != 0.8 || r.During[1].D() != 12*time.Minute {
		t.Errorf("rule: %+v", r)
	}
	body, err := json.Marshal(r.Respond.Response)
	if err != nil || string(body) != `{"a":[1,"2",true,null]}` {
		t.Errorf("response = %s, %v", body, err)
	}
	if *s.Lifecycle.Opened != 0 || *s.Lifecycle.Delivered != 0.5 {
		t.Errorf("an explicit 0 share must stay 0: %+v", s.Lifecycle)
	}
	e := s.Expect
	if !e.Delivered.All || *e.Dropped != (Count{N: 3, Op: CountAtMost}) || !e.Pending.None || e.MaxAttempts != 4 ||
		e.Statuses[200] != (Count{N: 5}) || e.Statuses[0] != (Count{Op: CountExactly}) {
		t.Errorf("expect: %+v", e)
	}
}

func TestEnvReferencesReadAsTheirTargetType(t *testing.T) {
	t.Parallel()
	env := func(name string) (string, bool) {
		v, ok := map[string]string{"RECEIVER_URL": "http://127.0.0.1:9000", "N": "7", "SHARE": "0.5", "ON": "true", "EMPTY": ""}[name]
		return v, ok
	}
	s := parseOK(t, `
name: ${RUN_NAME:-nightly}
seed: ${SEED:-99}
streams:
  - endpoint: ${RECEIVER_URL}/events
    authorization: "Bearer ${TOKEN:-none} costs $5 and $$HOME"
    events: [Push Sent]
    platforms: [iOS]
    chaos: {duplicate: "${SHARE}", reorder: "${ON}"}
    batch:
      size: ${N}
    name: ${EMPTY-unset}x
traffic:
  - generate:
      count: ${N}
api:
  - method: getTags
    respond:
      status_code: 200
      response:
        n: ${N}
        s: "${N}"
        d: ${DEEP:-${N:-1}}
`, env)
	if s.Name != "nightly" || s.Seed != 99 {
		t.Errorf("name %q seed %d", s.Name, s.Seed)
	}
	st := s.Streams[0]
	if st.Endpoint != "http://127.0.0.1:9000/events" || st.Authorization != "Bearer none costs $5 and $HOME" ||
		st.Chaos.Duplicate != 0.5 || !st.Chaos.Reorder || st.Batch.Size != 7 || st.Name != "x" {
		t.Errorf("stream: %+v", st)
	}
	if s.Traffic[0].Generate.Count != 7 {
		t.Errorf("count = %d", s.Traffic[0].Generate.Count)
	}
	body, _ := json.Marshal(s.API[0].Respond.Response)
	if string(body) != `{"d":7,"n":7,"s":"7"}` {
		t.Errorf("response = %s: a plain ${N} reads as a number, a quoted one as a string", body)
	}
}

func TestParseTakesTheProcessEnvironment(t *testing.T) {
	t.Setenv("PWEMU_TEST_RECEIVER", "https://receiver.test:8443/in")
	s, err := Parse("env.yaml", []byte("name: env\nstreams:\n  - endpoint: ${PWEMU_TEST_RECEIVER}\n    events: [Push Sent]\n    platforms: [iOS]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Streams[0].Endpoint != "https://receiver.test:8443/in" {
		t.Errorf("endpoint = %q", s.Streams[0].Endpoint)
	}
}

func TestEveryErrorOfAFileIsReported(t *testing.T) {
	t.Parallel()
	src := `name: storm
seed: many
clock: {mode: scaled}
accounts:
  - id: acme
    tokens:
      - {value: t, kind: servr}
    applications:
      - {code: 32E5A-9B411}
      - {code: 32E5A-9B411}
streams:
  - endpoint: ${RECEIVER_URL}
    events: []
    platforms: [ios]
    timeout: 30
api:
  - method: createMessage
    respond: {http: 503, fault: reset}
expect:
  delivered: everything
`
	_, err := ParseWith("storm.yaml", []byte(src), Options{Env: receiverEnv})
	want := strings.Join([]string{
		`storm.yaml:2:7: seed: want a whole number, got "many"`,
		`storm.yaml:3:8: clock.speed: a scaled clock needs a speed above 0: how many times faster than real time it runs (speed: 60 plays an hour in a minute)`,
		`storm.yaml:7:26: accounts[0].tokens[0].kind: "servr" is not a token kind; did you mean "server"?`,
		`storm.yaml:10:16: accounts[0].applications[1].code: application code "32E5A-9B411" is already used by accounts[0].applications[0]; codes are unique across all accounts`,
		`storm.yaml:13:13: streams[0].events: at least one event is required (seed rule); e.g. events: [Push Sent, Push Delivered]`,
		`storm.yaml:14:17: streams[0].platforms[0]: "ios" is not a platform; did you mean "iOS"?`,
		`storm.yaml:15:14: streams[0].timeout: "30" is not a duration (write it like 30s, 5m or 1h)`,
		`storm.yaml:18:14: api[0].respond: respond gives one answer, but sets http and fault; keep one`,
		`storm.yaml:20:14: expect.delivered: "everything" is not a count: write all, none, a number (at least that many), at most N or exactly N`,
	}, "\n")
	if err == nil || err.Error() != want {
		t.Fatalf("errors\n got:\n%v\nwant:\n%s", err, want)
	}
	var errs *Errors
	if !errors.As(err, &errs) || len(errs.List) != 9 {
		t.Fatalf("want 9 errors in *Errors, got %#v", err)
	}
	first := errs.List[0]
	if first != (Error{File: "storm.yaml", Line: 2, Col: 7, Path: "seed", Msg: `want a whole number, got "many"`}) {
		t.Errorf("first error fields: %#v", first)
	}
	var one Error
	if !errors.As(err, &one) || one.Path != "seed" {
		t.Errorf("errors.As to a single Error: %#v", one)
	}
}

func TestADecodeErrorIsNotReportedAgainByValidation(t *testing.T) {
	t.Parallel()
	// events holds a mapping: the type error is the one report, not also "at least
	// one event is required"; likewise an unset variable in endpoint.
	_, err := ParseWith("f.yaml", []byte("streams:\n  - endpoint: ${NOPE}\n    events: {a: b}\n    platforms: [iOS]\n"), Options{Env: receiverEnv})
	want := "f.yaml:2:15: streams[0].endpoint: ${NOPE} is not set: set the environment variable, or give a default: ${NOPE:-value}\n" +
		"f.yaml:3:13: streams[0].events: want a list, got a mapping"
	if err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
}

func TestAnchorsAndMergeKeys(t *testing.T) {
	t.Parallel()
	s := parseOK(t, `
name: anchors
streams:
  - &base
    name: first
    endpoint: ${RECEIVER_URL}
    events: &ev [Push Sent, Push Opened]
    platforms: [iOS]
  - <<: *base
    name: second
    platforms: [Android]
webhooks:
  - endpoint: ${RECEIVER_URL}/email
    retry: {delays: &d [1s, 2s]}
    timeout: 3s
traffic:
  - generate: {count: 3, events: *ev}
`, receiverEnv)
	a, b := s.Streams[0], s.Streams[1]
	if b.Name != "second" || b.Endpoint != a.Endpoint || !reflect.DeepEqual(b.Events, a.Events) || b.Platforms[0] != "Android" {
		t.Errorf("merged stream: %+v", b)
	}
	if !reflect.DeepEqual(s.Traffic[0].Generate.Events, []string{"Push Sent", "Push Opened"}) {
		t.Errorf("alias: %v", s.Traffic[0].Generate.Events)
	}
}

func TestAliasExpansionIsBounded(t *testing.T) {
	t.Parallel()
	// "Billion laughs": nine levels of nine aliases would be 9^9 values.
	var b strings.Builder
	b.WriteString("name: bomb\napi:\n  - method: getTags\n    respond:\n      status_code: 200\n      response:\n")
	b.WriteString("        l0: &l0 [x, x, x, x, x, x, x, x, x]\n")
	for i := 1; i < 9; i++ {
		prev := "*l" + string(rune('0'+i-1))
		b.WriteString("        l" + string(rune('0'+i)) + ": &l" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 8) + prev + "]\n")
	}
	_, err := ParseWith("bomb.yaml", []byte(b.String()), Options{Env: receiverEnv})
	if err == nil || !strings.Contains(err.Error(), "expands to more than 500000 values through aliases") {
		t.Fatalf("got %v", err)
	}
}

func TestSelfReferencingAliasIsRejected(t *testing.T) {
	t.Parallel()
	_, err := ParseWith("loop.yaml", []byte("name: loop\napi:\n  - method: getTags\n    respond: {status_code: 200, response: &r [*r]}\n"), Options{Env: receiverEnv})
	if err == nil || !strings.Contains(err.Error(), "nested more than 64 levels deep") {
		t.Fatalf("got %v", err)
	}
}

func TestValidateWithoutPositions(t *testing.T) {
	t.Parallel()
	s := &Scenario{Source: "built-in", Streams: []Stream{{Endpoint: "example.com", Platforms: []string{"iOS"}}}}
	want := "built-in: streams[0].endpoint: \"example.com\" has no scheme; write a full URL such as https://example.com:8081/webhook_endpoint\n" +
		"built-in: streams[0].events: at least one event is required (seed rule); e.g. events: [Push Sent, Push Delivered]"
	if err := s.Validate(); err == nil || err.Error() != want {
		t.Errorf("got:\n%v\nwant:\n%s", err, want)
	}
	ok := &Scenario{Streams: []Stream{{Endpoint: "http://127.0.0.1:1", Events: []string{"Push Sent"}, Platforms: []string{"iOS"}}}}
	ok.ApplyDefaults()
	if err := ok.Validate(); err != nil {
		t.Errorf("a defaulted scenario must validate: %v", err)
	}
}

func TestErrorFormats(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		e    Error
		want string
	}{
		{Error{File: "a.yaml", Line: 3, Col: 5, Path: "x.y", Msg: "bad"}, "a.yaml:3:5: x.y: bad"},
		{Error{File: "a.yaml", Line: 3, Path: "x", Msg: "bad"}, "a.yaml:3: x: bad"},
		{Error{File: "a.yaml", Msg: "bad"}, "a.yaml: bad"},
		{Error{Path: "x", Msg: "bad"}, "x: bad"},
		{Error{Msg: "bad"}, "bad"},
	} {
		if got := tc.e.Error(); got != tc.want {
			t.Errorf("%#v: got %q, want %q", tc.e, got, tc.want)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	name := filepath.Join(dir, "s.yaml")
	if err := os.WriteFile(name, []byte("name: from disk\nseed: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := LoadWith(name, Options{Env: receiverEnv})
	if err == nil || err.Error() != name+`:2:7: seed: want a whole number, got "x"` {
		t.Errorf("got %v", err)
	}
	_, err = Load(filepath.Join(dir, "missing.yaml"))
	if err == nil || !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "scenario: open ") {
		t.Errorf("missing file: %v", err)
	}
	_, err = Load("storm")
	if err == nil || err.Error() != `scenario "storm": no such file, nor a bundled scenario (bundled: `+strings.Join(BundledNames(), ", ")+")" {
		t.Errorf("neither file nor bundled: %v", err)
	}
	if s, err := Load(""); err != nil || s.Source != "bundled/default.yaml" {
		t.Errorf("empty reference: %v %v", s, err)
	}
	// Vars answer before Env; a bundled scenario reads them like a file does.
	s, err := LoadWith("happy-path", Options{Vars: map[string]string{"RECEIVER_URL": "http://from-vars:1/e"},
		Env: func(string) (string, bool) { return "http://from-env:1/e", true }})
	if err != nil || s.Streams[0].Endpoint != "http://from-vars:1/e" {
		t.Errorf("vars before env: %v %v", s, err)
	}
	if s, err := LoadWith("happy-path", Options{Env: receiverEnv}); err != nil || s.Streams[0].Endpoint == "http://from-vars:1/e" {
		t.Errorf("env: %v %v", s, err)
	}
}

func TestGRPCTarget(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in, addr string
		tls      bool
		err      string
	}{
		{in: "127.0.0.1:50051", addr: "127.0.0.1:50051"},
		{in: "grpc://receiver:9090", addr: "receiver:9090"},
		{in: "grpcs://receiver.example.com:443", addr: "receiver.example.com:443", tls: true},
		{in: "[::1]:50051", addr: "[::1]:50051"},
		{in: "", err: "endpoint is required: a grpc endpoint is host:port, grpc://host:port or grpcs://host:port (TLS), e.g. 127.0.0.1:50051"},
		{in: "receiver", err: `"receiver": a grpc endpoint is host:port, grpc://host:port or grpcs://host:port (TLS), e.g. 127.0.0.1:50051`},
		{in: ":50051", err: `":50051": a grpc endpoint is host:port, grpc://host:port or grpcs://host:port (TLS), e.g. 127.0.0.1:50051`},
		{in: "grpc://r:1/path", err: `"grpc://r:1/path": a grpc endpoint is host:port, grpc://host:port or grpcs://host:port (TLS), e.g. 127.0.0.1:50051 (no path)`},
		{in: "r:0", err: `"r:0": port "0" is not a port number (1-65535)`},
		{in: "https://r:1", err: `"https://r:1": a grpc endpoint is host:port, grpc://host:port or grpcs://host:port (TLS), e.g. 127.0.0.1:50051`},
	} {
		addr, tls, err := GRPCTarget(tc.in)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: err %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || addr != tc.addr || tls != tc.tls {
			t.Errorf("%q: got %q %v %v", tc.in, addr, tls, err)
		}
	}
}

func TestTLSMustAgreeWithTheScheme(t *testing.T) {
	t.Parallel()
	_, err := ParseWith("t.yaml", []byte("streams:\n  - endpoint: grpc://r:1\n    transport: grpc\n    tls: {enabled: true}\n    events: [Push Sent]\n    platforms: [iOS]\n"), Options{Env: receiverEnv})
	if err == nil || err.Error() != "t.yaml:4:20: streams[0].tls.enabled: grpc:// is plaintext; write grpcs:// for TLS or remove tls.enabled" {
		t.Errorf("got %v", err)
	}
	parseOK(t, "streams:\n  - endpoint: r:1\n    transport: grpc\n    tls: {enabled: true, ca: ca.pem, server_name: r}\n    keep_alive: 30s\n    events: [Push Sent]\n    platforms: [iOS]\n", receiverEnv)
}

func TestALongListOfProblemsIsCut(t *testing.T) {
	t.Parallel()
	src := "streams:\n  - endpoint: http://a:1\n    events: [Push Sent]\n    platforms: [" + strings.Repeat("Nokia, ", 149) + "Nokia]\n"
	_, err := ParseWith("long.yaml", []byte(src), Options{Env: receiverEnv})
	var errs *Errors
	if !errors.As(err, &errs) || len(errs.List) != 101 {
		t.Fatalf("got %v", err)
	}
	if last := errs.List[100].Error(); last != "long.yaml: and 50 more problems; fix these first" {
		t.Errorf("last line %q", last)
	}
}

func TestMergeKeyFanOutIsBounded(t *testing.T) {
	t.Parallel()
	// Each level merges the previous one twenty times: 20^8 keys if expanded.
	var b strings.Builder
	b.WriteString("lifecycle:\n  delay: 1s\naccounts:\n  - &l0 {id: x}\n")
	for i := 1; i <= 8; i++ {
		prev := "*l" + string(rune('0'+i-1))
		b.WriteString("  - &l" + string(rune('0'+i)) + "\n    <<: [" + strings.Repeat(prev+", ", 19) + prev + "]\n")
	}
	_, err := ParseWith("merge.yaml", []byte(b.String()), Options{Env: receiverEnv})
	if err == nil || !strings.Contains(err.Error(), "expands to more than 500000 values through aliases") {
		t.Fatalf("got %v", err)
	}
}

// The checks of POST /_pwemu/events {"generate": …}: a traffic entry's rules, once,
// plus count only and a bound on what is made at once.
func TestCheckGenerate(t *testing.T) {
	t.Parallel()
	s := &Scenario{Accounts: []Account{{ID: "acme", Applications: []Application{{Code: "32E5A-9B411"}}}}}
	rate := func(r string) Rate { v, _ := ParseRate(r); return v }
	for _, c := range []struct {
		g    Generate
		want string
	}{
		{Generate{}, "generate: say how many events"},
		{Generate{Count: -1}, "generate.count: count must be 1 or more"},
		{Generate{Count: 5, Rate: rate("1/s"), For: Duration(time.Minute)}, "generate.rate: rate and for play on the timeline"},
		{Generate{Count: 5, For: Duration(time.Minute)}, "generate.rate: rate and for play on the timeline"},
		{Generate{Count: MaxGenerateAtOnce + 1}, "generate.count: count is 1000001: at most 1000000 at once"},
		{Generate{Count: 1, Messages: -2}, "generate.messages: messages must be 0 or more"},
		{Generate{Count: 1, Messages: MaxMessages + 1}, "generate.messages: messages is 100001: one traffic entry draws from at most 100000"},
		{Generate{Count: 1, LiveActivity: 1.5}, "generate.live_activity: live_activity is the share"},
		{Generate{Count: 1, Events: []string{"Push Sent", " "}}, "generate.events[1]: an event name cannot be empty"},
		{Generate{Count: 1, Platforms: []string{"ios"}}, `generate.platforms[0]: "ios" is not a platform; did you mean "iOS"?`},
		{Generate{Count: 1, Platforms: []string{"Android", "Symbian"}}, `generate.platforms[1]: "Symbian" is not a platform`},
		{Generate{Count: 1, Application: "32E5A-9B412"}, `generate.application: "32E5A-9B412" is not an application of any account; did you mean "32E5A-9B411"?`},
	} {
		if _, err := s.CheckGenerate(c.g); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("CheckGenerate(%+v) = %v, want an error containing %q", c.g, err, c.want)
		}
	}
	g, err := s.CheckGenerate(Generate{Count: 3, Application: "32E5A-9B411"})
	if err != nil || g.Count != 3 || g.PerSecond != 0 || g.Application != "32E5A-9B411" || g.Messages != DefaultTrafficMessages ||
		!slices.Equal(g.Events, DefaultTrafficEvents) || len(g.Platforms) != 1 || !slices.Equal(g.Platforms[0], DefaultTrafficPlatforms) {
		t.Fatalf("a valid spec: %+v %v; want messages defaulted, and without integrations the default events and platforms", g, err)
	}
}

func TestCustomEventsAreAccepted(t *testing.T) {
	sc, err := ParseWith("custom.yaml", []byte(`
name: x
custom_events: [Push Snoozed]
streams:
  - endpoint: http://127.0.0.1:9/events
    events: [Push Sent, Push Snoozed]
    platforms: [iOS]
`), Options{})
	if err != nil {
		t.Fatalf("a declared custom event is refused: %v", err)
	}
	if len(sc.CustomEvents) != 1 || sc.CustomEvents[0] != "Push Snoozed" {
		t.Fatalf("custom_events read as %v", sc.CustomEvents)
	}
}
