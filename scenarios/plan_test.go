package scenarios

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// okStream is a stream Plan accepts; the cases below break one thing of it.
func okStream() Stream {
	return Stream{Endpoint: "https://example.com:8081/webhook_endpoint", Transport: "http",
		Events: []string{"Push Sent", "Email Opened"}, Platforms: []string{"iOS", "Android", "Email"}}
}

// TestPlanRefusesWhatTheSenderCannotRun: a scenario built in Go goes through the
// same checks as a file; the sender trusts what Plan returns.
func TestPlanRefusesWhatTheSenderCannotRun(t *testing.T) {
	t.Parallel()
	on, off := true, false
	stream := func(f func(*Stream)) *Scenario {
		s := okStream()
		f(&s)
		return &Scenario{Streams: []Stream{s}}
	}
	grpc := func(endpoint string, tls TLS, auth string) *Scenario {
		return &Scenario{Streams: []Stream{{Endpoint: endpoint, Transport: TransportGRPC, TLS: tls, Authorization: auth,
			Events: []string{"Push Sent"}, Platforms: []string{"iOS"}}}}
	}
	cases := []struct {
		name string
		sc   *Scenario
		want string // path: message, or part of it
	}{
		{"no endpoint", stream(func(s *Stream) { s.Endpoint = "" }), "streams[0].endpoint: endpoint is required"},
		{"no scheme", stream(func(s *Stream) { s.Endpoint = "example.com/hook" }), `streams[0].endpoint: "example.com/hook" has no scheme`},
		{"unsupported scheme", stream(func(s *Stream) { s.Endpoint = "ftp://example.com/x" }), "the scheme must be http or https"},
		{"no host", stream(func(s *Stream) { s.Endpoint = "http:///path" }), "has no host"},
		{"unexpanded variable", stream(func(s *Stream) { s.Endpoint = "${RECEIVER_URL}/x" }), "still holds an unexpanded variable"},
		{"no events", stream(func(s *Stream) { s.Events = nil }), "streams[0].events: at least one event is required"},
		{"no platforms", stream(func(s *Stream) { s.Platforms = nil }), "streams[0].platforms: at least one platform is required"},
		{"unknown platform", stream(func(s *Stream) { s.Platforms = []string{"iOS", "Symbian"} }), `streams[0].platforms[1]: "Symbian" is not a platform`},
		{"unknown transport", stream(func(s *Stream) { s.Transport = "mqtt" }), `streams[0].transport: "mqtt" is not a transport`},
		{"bad campaign", stream(func(s *Stream) { s.Filters.Campaigns = []string{"ABCDE-12345"} }), `streams[0].filters.campaigns[0]: "ABCDE-12345" is not a campaign id`},
		{"bad framing", stream(func(s *Stream) { s.Framing = "xml" }), `streams[0].framing: "xml" is not a framing`},
		{"negative size", stream(func(s *Stream) { s.Batch.Size = -1 }), "streams[0].batch.size: batch size must be 1 or more"},
		{"negative concurrency", stream(func(s *Stream) { s.Concurrency = -2 }), "streams[0].concurrency: concurrency must be 1 or more"},
		{"duplicate share", stream(func(s *Stream) { s.Chaos.Duplicate = 1.5 }), "streams[0].chaos.duplicate: duplicate is the share of batches sent twice, from 0 to 1 (e.g. 0.1); got 1.5"},
		{"negative retry", stream(func(s *Stream) { s.Retry.Delays = []Duration{Duration(-time.Second)} }), "streams[0].retry.delays[0]: a retry delay must be at least 1ms, got -1s"},
		{"negative slow", stream(func(s *Stream) { s.Chaos.Slow = Duration(-time.Second) }), "streams[0].chaos.slow: -1s is negative"},
		{"negative timeout", stream(func(s *Stream) { s.Timeout = Duration(-time.Second) }), "streams[0].timeout: -1s is negative"},
		{"duplicate names", &Scenario{Streams: []Stream{okStream(), okStream()}, Webhooks: []Webhook{{Name: "streams[1]", Endpoint: "http://h/x"}}},
			`webhooks[0].name: name "streams[1]" is already used by streams[1]`},
		{"webhook without endpoint", &Scenario{Webhooks: []Webhook{{}}}, "webhooks[0].endpoint: endpoint is required"},
		{"webhook bad URL", &Scenario{Webhooks: []Webhook{{Endpoint: "mailto:x@y"}}}, "the scheme must be http or https"},
		{"webhook negative retry", &Scenario{Webhooks: []Webhook{{Endpoint: "http://h/x", Retry: Retry{Delays: []Duration{Duration(time.Second), Duration(-1)}}}}},
			"webhooks[0].retry.delays[1]: a retry delay must be at least 1ms, got -1ns"},
		// gRPC endpoints, as GRPCTarget reads them, and their TLS settings.
		{"grpc http scheme", grpc("http://127.0.0.1:9000", TLS{}, ""), `"http://127.0.0.1:9000": a grpc endpoint is host:port, grpc://host:port or grpcs://host:port (TLS)`},
		{"grpc unexpanded variable", grpc("${RECEIVER_URL}", TLS{}, ""), `"${RECEIVER_URL}" still holds an unexpanded variable`},
		{"grpc no port", grpc("grpc://127.0.0.1", TLS{}, ""), `"grpc://127.0.0.1": a grpc endpoint is host:port`},
		{"grpc no host", grpc("grpc://:9000", TLS{}, ""), `"grpc://:9000": a grpc endpoint is host:port`},
		{"grpc path", grpc("grpc://127.0.0.1:9000/events", TLS{}, ""), "e.g. 127.0.0.1:50051 (no path)"},
		{"grpc port out of range", grpc("grpc://127.0.0.1:70000", TLS{}, ""), `port "70000" is not a port number (1-65535)`},
		{"grpc with tls on", grpc("grpc://127.0.0.1:9000", TLS{Enabled: &on}, ""), "streams[0].tls.enabled: grpc:// is plaintext; write grpcs:// for TLS or remove tls.enabled"},
		{"grpcs with tls off", grpc("grpcs://127.0.0.1:9000", TLS{Enabled: &off}, ""), "streams[0].tls.enabled: grpcs:// always uses TLS"},
		{"grpc plaintext with a CA", grpc("127.0.0.1:9000", TLS{CA: "ca.pem"}, ""), "streams[0].tls: the endpoint is plaintext but tls settings are given"},
		{"grpc authorization with newline", grpc("grpc://127.0.0.1:9000", TLS{}, "Bearer a\nb"), "streams[0].authorization: gRPC metadata allows printable ASCII only, found byte 0x0a at offset 8"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := c.sc.Plan()
			if err == nil {
				t.Fatalf("Plan accepted it: %+v; want an error containing %q", p, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %q, want it to contain %q", err, c.want)
			}
		})
	}
}

func TestPlanResolvesStreams(t *testing.T) {
	t.Parallel()
	on := true
	s := okStream()
	s.Transport = "HTTP" // the docs' spelling
	s.Filters = Filters{Campaigns: []string{"961048"}, Messages: []string{"E682-E6D92B9A-53E24868"}}
	obj := okStream()
	obj.Name, obj.Framing, obj.Batch.Size = "one-by-one", FramingObject, 50
	sc := &Scenario{Streams: []Stream{s, obj,
		{Name: "bare", Endpoint: "127.0.0.1:50051", Transport: "grpc", TLS: TLS{Enabled: &on, CA: "ca.pem"},
			KeepAlive: Duration(20 * time.Second), Events: []string{"Push Sent"}, Platforms: []string{"iOS"}},
		{Name: "tls", Endpoint: "grpcs://r:443", Transport: "grpc", Batch: Batch{Size: 1, Interval: Duration(time.Minute)},
			Events: []string{"Push Sent"}, Platforms: []string{"iOS"}}},
		Webhooks: []Webhook{{Endpoint: "http://h/email", Events: []string{"Email Opened"}}}}
	p, err := sc.Plan()
	if err != nil {
		t.Fatal(err)
	}
	retries := []time.Duration{time.Second, 3 * time.Second, 8 * time.Second}
	want := []StreamPlan{
		{Name: "streams[0]", Transport: "http", URL: s.Endpoint, Framing: FramingArray,
			Filter:    FilterPlan{Events: s.Events, Platforms: s.Platforms, Campaigns: []uint64{961048}, Messages: s.Filters.Messages},
			BatchSize: 100, BatchInterval: time.Hour, RetryDelays: retries, Timeout: 30 * time.Second, Concurrency: 1},
		{Name: "one-by-one", Transport: "http", URL: s.Endpoint, Framing: FramingObject,
			Filter:    FilterPlan{Events: s.Events, Platforms: s.Platforms},
			BatchSize: 1, RetryDelays: retries, Timeout: 30 * time.Second, Concurrency: 1},
		{Name: "bare", Transport: "grpc", Target: "127.0.0.1:50051", TLS: TLSPlan{On: true, CA: "ca.pem"}, KeepAlive: 20 * time.Second,
			Filter:    FilterPlan{Events: []string{"Push Sent"}, Platforms: []string{"iOS"}},
			BatchSize: 1000, BatchInterval: time.Hour, RetryDelays: retries, Timeout: 30 * time.Second, Concurrency: 1},
		{Name: "tls", Transport: "grpc", Target: "r:443", TLS: TLSPlan{On: true},
			Filter:    FilterPlan{Events: []string{"Push Sent"}, Platforms: []string{"iOS"}},
			BatchSize: 1, BatchInterval: time.Minute, RetryDelays: retries, Timeout: 30 * time.Second, Concurrency: 1},
	}
	if !reflect.DeepEqual(p.Streams, want) {
		t.Fatalf("streams\n got %+v\nwant %+v", p.Streams, want)
	}
	wantHooks := []WebhookPlan{{Name: "webhooks[0]", URL: "http://h/email", Events: []string{"Email Opened"},
		RetryDelays: retries, Timeout: 30 * time.Second}}
	if !reflect.DeepEqual(p.Webhooks, wantHooks) {
		t.Fatalf("webhooks\n got %+v\nwant %+v", p.Webhooks, wantHooks)
	}
	if sc.Streams[0].Name != "" || sc.Streams[0].Transport != "HTTP" {
		t.Fatalf("Plan changed the scenario: %+v", sc.Streams[0])
	}
}

// TestEveryBundledScenarioPlans: a scenario read from YAML (validated, defaults
// filled) passes Plan's checks again unchanged.
func TestEveryBundledScenarioPlans(t *testing.T) {
	t.Parallel()
	for _, name := range BundledNames() {
		s, err := bundledWith(name, Options{Env: receiverEnv})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := s.Plan(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func okAccounts() []Account {
	return []Account{{
		ID: "acme",
		Tokens: []Token{
			{Value: "srv", Kind: TokenServer, Allow: []string{"createMessage"}},
			{Value: "dev", Kind: TokenDevice, Applications: []string{"AAAAA-00001"}},
		},
		Applications: []Application{{Code: "AAAAA-00001", Name: "A"}, {Code: "BBBBB-00002", Suspended: true}},
		Groups:       []Group{{Code: "G1", Applications: []string{"AAAAA-00001", "BBBBB-00002"}}},
	}}
}

// TestPlanRefusesAmbiguousAccounts: what would make the API ambiguous is refused
// before the store is built from the accounts.
func TestPlanRefusesAmbiguousAccounts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		mutate func([]Account) []Account
		want   string
	}{
		{"duplicate application code", func(a []Account) []Account {
			return append(a, Account{ID: "other", Applications: []Application{{Code: "AAAAA-00001"}}})
		}, `accounts[1].applications[0].code: application code "AAAAA-00001" is already used by accounts[0].applications[0]`},
		{"duplicate token", func(a []Account) []Account {
			return append(a, Account{ID: "other", Tokens: []Token{{Value: "srv", Kind: "server"}}})
		}, `accounts[1].tokens[0].value: token "srv" is already used by accounts[0].tokens[0]`},
		{"duplicate account", func(a []Account) []Account {
			return append(a, Account{ID: "acme"})
		}, `accounts[1].id: account id "acme" is already used by accounts[0]`},
		{"token kind", func(a []Account) []Account {
			a[0].Tokens[0].Kind = "admin"
			return a
		}, `accounts[0].tokens[0].kind: "admin" is not a token kind`},
		{"token restricted to a foreign application", func(a []Account) []Account {
			a[0].Tokens[1].Applications = []string{"ZZZZZ-00009"}
			return a
		}, `accounts[0].tokens[1].applications[0]: "ZZZZZ-00009" is not an application of account "acme"`},
		{"group of an unknown application", func(a []Account) []Account {
			a[0].Groups[0].Applications = append(a[0].Groups[0].Applications, "ZZZZZ-00009")
			return a
		}, `accounts[0].groups[0].applications[2]: "ZZZZZ-00009" is not an application of account "acme"`},
		{"empty application code", func(a []Account) []Account {
			a[0].Applications[0].Code = ""
			return a
		}, `accounts[0].applications[0].code: every application needs a code`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := (&Scenario{Accounts: tc.mutate(okAccounts())}).Plan()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestPlanResolvesAccounts(t *testing.T) {
	t.Parallel()
	accs := okAccounts()
	accs[0].Tokens = append(accs[0].Tokens, Token{Value: "grp", Kind: TokenServer, Applications: []string{"G1", "AAAAA-00001"}})
	accs[0].Applications[0].InApps = []InApp{{Code: "IN-1", URL: "https://x/in.zip", Layout: "topbanner", Priority: 2, Event: "Purchase"}}
	p, err := (&Scenario{Accounts: accs}).Plan()
	if err != nil {
		t.Fatal(err)
	}
	want := []AccountPlan{{
		ID: "acme", CreateMessageRate: DefaultMessageRate,
		Tokens: []TokenPlan{
			{Value: "srv", Kind: TokenServer, Allow: []string{"createMessage"}},
			{Value: "dev", Kind: TokenDevice, Applications: []string{"AAAAA-00001"}},
			// A group a token names stands for its applications.
			{Value: "grp", Kind: TokenServer, Applications: []string{"AAAAA-00001", "BBBBB-00002"}},
		},
		Applications: []ApplicationPlan{{Code: "AAAAA-00001", Name: "A",
			InApps: []InAppPlan{{Code: "IN-1", URL: "https://x/in.zip", Layout: "topbanner", Priority: 2, Event: "Purchase"}}},
			{Code: "BBBBB-00002", Suspended: true}},
		Groups: []GroupPlan{{Code: "G1", Applications: []string{"AAAAA-00001", "BBBBB-00002"}}},
	}}
	if !reflect.DeepEqual(p.Accounts, want) {
		t.Fatalf("accounts\n got %+v\nwant %+v", p.Accounts, want)
	}
}

func TestPlanResolvesRules(t *testing.T) {
	t.Parallel()
	sc := &Scenario{API: []APIRule{
		{Method: "createMessage", Respond: Respond{Code: "app_not_found"}, Times: 2},
		{Method: "createMessage", Respond: Respond{Code: "subscriber_limit"}, Probability: 0.5},
		{Method: "getTags", Respond: Respond{StatusCode: 210, StatusMessage: "Device not found", Response: map[string]any{"a": 1}}},
		{Method: "listTags", Respond: Respond{HTTP: 202, StatusMessage: "Accepted later"}},
		{Method: "*", Respond: Respond{HTTP: 503}, During: []Duration{Duration(time.Minute), Duration(2 * time.Minute)}},
		{Method: "registerDevice", Match: map[string]any{"device_type": 1}, Latency: Latency{Min: time.Second, Max: 2 * time.Second}},
		{Method: "setTags", Respond: Respond{Fault: catalog.FaultHang}},
		{Method: "getInApps", Respond: Respond{Warning: "active_devices_exceeded"}},
	}}
	p, err := sc.Plan()
	if err != nil {
		t.Fatal(err)
	}
	want := []RulePlan{
		{Method: "createMessage", Times: 2, Probability: 1,
			Answer: AnswerPlan{Kind: AnswerEnvelope, HTTP: 200, StatusCode: 210, StatusMessage: "Application not found"}},
		{Method: "createMessage", Probability: 0.5,
			Answer: AnswerPlan{Kind: AnswerWarning, StatusMessage: "Warnings: You have reached the subscriber limit of your plan. Some messages may not be delivered."}},
		{Method: "getTags", Probability: 1,
			Answer: AnswerPlan{Kind: AnswerEnvelope, HTTP: 200, StatusCode: 210, StatusMessage: "Device not found", Response: json.RawMessage(`{"a":1}`)}},
		{Method: "listTags", Probability: 1,
			Answer: AnswerPlan{Kind: AnswerEnvelope, HTTP: 202, StatusCode: 202, StatusMessage: "Accepted later"}},
		{Method: "*", Probability: 1, From: time.Minute, Until: 2 * time.Minute, Answer: AnswerPlan{Kind: AnswerHTTP, HTTP: 503}},
		{Method: "registerDevice", Probability: 1, Match: map[string]any{"device_type": float64(1)},
			LatencyMin: time.Second, LatencyMax: 2 * time.Second},
		{Method: "setTags", Probability: 1, Answer: AnswerPlan{Kind: AnswerFault, Fault: catalog.FaultHang}},
		{Method: "getInApps", Probability: 1, Answer: AnswerPlan{Kind: AnswerWarning}},
	}
	for i := range want {
		if named, ok := catalog.ResponseNamed(sc.API[i].Respond.Code + sc.API[i].Respond.Warning); ok {
			want[i].Answer.StatusMessage = named.StatusMessage // the catalog's words
		}
	}
	if !reflect.DeepEqual(p.Rules, want) {
		t.Fatalf("rules\n got %+v\nwant %+v", p.Rules, want)
	}
}

func TestPlanResolvesJourneys(t *testing.T) {
	t.Parallel()
	sc := &Scenario{Accounts: okAccounts(), Journeys: []Journey{{ID: "j1", Title: "Onboarding", Application: "AAAAA-00001",
		Points: []JourneyPoint{{Title: "Welcome", Message: JourneyMessage{Content: "Hi"}},
			{Title: "Day 2", After: Duration(24 * time.Hour), Message: JourneyMessage{Content: "How is it going?"}}}}}}
	p, err := sc.Plan()
	if err != nil {
		t.Fatal(err)
	}
	want := []JourneyPlan{{ID: "j1", Title: "Onboarding", Application: "AAAAA-00001",
		Points: []JourneyPointPlan{{Title: "Welcome", Content: "Hi"}, {Title: "Day 2", After: 24 * time.Hour, Content: "How is it going?"}}}}
	if !reflect.DeepEqual(p.Journeys, want) {
		t.Fatalf("journeys\n got %+v\nwant %+v", p.Journeys, want)
	}
}

func TestPlanResolvesTheLifecycle(t *testing.T) {
	t.Parallel()
	p, err := (&Scenario{}).Plan()
	if err != nil {
		t.Fatal(err)
	}
	if want := (LifecyclePlan{Delivered: DefaultLifecycleDelivered, Opened: DefaultLifecycleOpened, Delay: DefaultLifecycleDelay.D()}); p.Lifecycle != want {
		t.Fatalf("defaults: %+v, want %+v", p.Lifecycle, want)
	}
	half, nan := 0.5, math.NaN()
	p, err = (&Scenario{Lifecycle: Lifecycle{Disabled: true, Delivered: &half, Opened: &half, Delay: Duration(time.Minute)}}).Plan()
	if want := (LifecyclePlan{Disabled: true, Delivered: 0.5, Opened: 0.5, Delay: time.Minute}); err != nil || p.Lifecycle != want {
		t.Fatalf("written: %+v %v, want %+v", p.Lifecycle, err, want)
	}
	for _, bad := range []Lifecycle{{Delivered: &nan}, {Opened: ptr(1.5)}, {Delay: Duration(-time.Second)}} {
		if _, err := (&Scenario{Lifecycle: bad}).Plan(); err == nil || !strings.Contains(err.Error(), "lifecycle.") {
			t.Errorf("%+v: %v, want a lifecycle error", bad, err)
		}
	}
}

// Traffic entries come resolved: durations, the exact count of a rate, the events
// and platforms of what the integrations take, and each event on the platforms it
// happens on.
func TestPlanResolvesTraffic(t *testing.T) {
	t.Parallel()
	rate := func(r string) Rate { v, _ := ParseRate(r); return v }
	sc := &Scenario{
		Accounts: []Account{{ID: "acme", Tokens: []Token{{Value: "t", Kind: TokenServer}},
			Applications: []Application{{Code: "32E5A-9B411"}}}},
		Streams: []Stream{
			{Endpoint: "http://127.0.0.1:9/a", Events: []string{"Push Delivered"}, Platforms: []string{"Huawei", "Chrome"}},
			{Endpoint: "http://127.0.0.1:9/b", Events: []string{"Push Opened", "Push Delivered"}, Platforms: []string{"Safari"}},
		},
		Webhooks: []Webhook{{Endpoint: "http://127.0.0.1:9/c", Events: []string{"Email Opened"}}},
		Traffic: []Traffic{
			{At: Duration(time.Minute), Generate: Generate{Rate: rate("7/m"), For: Duration(90 * time.Second)}},
			{Generate: Generate{Count: 5, Events: []string{"Push Sent", "Email Sent"}, Platforms: []string{"iOS", "Email"},
				Application: "32E5A-9B411", Messages: 3, Campaigns: []uint64{7}, LiveActivity: 0.5}},
		},
	}
	p, err := sc.Plan()
	if err != nil {
		t.Fatal(err)
	}
	want := []TrafficPlan{
		{At: time.Minute, Generate: GeneratePlan{Count: 11, PerSecond: 7.0 / 60, For: 90 * time.Second, Messages: DefaultTrafficMessages,
			Events:    []string{"Push Delivered", "Push Opened", "Email Opened"},
			Platforms: [][]string{{"Huawei", "Chrome", "Safari"}, {"Safari"}, {"Email"}}}},
		{Generate: GeneratePlan{Count: 5, Events: []string{"Push Sent", "Email Sent"}, Platforms: [][]string{{"iOS"}, {"Email"}},
			Application: "32E5A-9B411", Messages: 3, Campaigns: []uint64{7}, LiveActivity: 0.5}},
	}
	if !reflect.DeepEqual(p.Traffic, want) {
		t.Fatalf("traffic\n got %+v\nwant %+v", p.Traffic, want)
	}
	// a one-shot spec resolves the same way
	g, err := sc.CheckGenerate(Generate{Count: 4, Events: []string{"Push Opened"}})
	if wantG := (GeneratePlan{Count: 4, Messages: DefaultTrafficMessages, Events: []string{"Push Opened"},
		Platforms: [][]string{{"Safari"}}}); err != nil || !reflect.DeepEqual(g, wantG) {
		t.Fatalf("CheckGenerate: %+v %v, want %+v", g, err, wantG)
	}
}

func TestPlanResolvesTheClock(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		clock Clock
		want  ClockPlan
	}{
		{Clock{}, ClockPlan{Mode: ClockReal}},
		{Clock{Mode: ClockScaled, Speed: 60}, ClockPlan{Mode: ClockScaled, Speed: 60}},
		{Clock{Mode: ClockManual, Start: "2024-08-16T09:00:00+02:00", Patience: Duration(time.Second)},
			ClockPlan{Mode: ClockManual, Start: time.Date(2024, 8, 16, 7, 0, 0, 0, time.UTC), Patience: time.Second}},
	} {
		p, err := (&Scenario{Clock: c.clock}).Plan()
		if err != nil || p.Clock.Mode != c.want.Mode || p.Clock.Speed != c.want.Speed ||
			!p.Clock.Start.Equal(c.want.Start) || p.Clock.Patience != c.want.Patience {
			t.Errorf("%+v: %+v %v, want %+v", c.clock, p, err, c.want)
		}
	}
	if _, err := (&Scenario{Clock: Clock{Mode: ClockManual, Start: "yesterday"}}).Plan(); err == nil || !strings.Contains(err.Error(), "clock.start") {
		t.Errorf("a bad start: %v, want a clock.start error", err)
	}
}
