package scenarios

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// locator tells validation where a key path is in the file.
type locator interface {
	at(path string) Error     // an Error with File, Line, Col and Path filled in
	written(path string) bool // whether the file sets path (an explicit 0 is not "unset")
}

// validator collects every rule a decoded scenario breaks. Messages say what is wrong
// and what would fix it.
type validator struct {
	loc  locator
	s    *Scenario
	errs []Error
	apps map[string]string // application code → id of its account
}

func validate(s *Scenario, loc locator) []Error {
	v := &validator{loc: loc, s: s, apps: map[string]string{}}
	v.clock()
	v.accounts()
	v.customEvents()
	v.streams()
	v.webhooks()
	v.integrationNames()
	v.traffic()
	v.apiRules()
	v.lifecycle()
	v.journeys()
	v.expect()
	return v.errs
}

func (v *validator) errorf(path, format string, args ...any) {
	e := v.loc.at(path)
	e.Msg = fmt.Sprintf(format, args...)
	v.errs = append(v.errs, e)
}

func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

func (v *validator) clock() {
	c := v.s.Clock
	if c.Mode != "" && !slices.Contains(ClockModes, c.Mode) {
		v.errorf("clock.mode", "%s", notOneOf(c.Mode, "a clock mode", ClockModes))
		return
	}
	switch {
	case c.Mode == ClockScaled && c.Speed <= 0:
		v.errorf("clock.speed", "a scaled clock needs a speed above 0: how many times faster than real time it runs (speed: 60 plays an hour in a minute)")
	case c.Mode == ClockScaled && c.Speed > MaxClockSpeed:
		v.errorf("clock.speed", "speed %v is over the maximum %v (for more, use a manual clock and advance it)", c.Speed, float64(MaxClockSpeed))
	case c.Mode != ClockScaled && v.loc.written("clock.speed"):
		v.errorf("clock.speed", "speed applies to a scaled clock; add mode: scaled or remove speed")
	}
	if c.Start != "" {
		if _, err := time.Parse(time.RFC3339, c.Start); err != nil {
			v.errorf("clock.start", "%q is not an RFC 3339 time such as 2024-08-16T09:00:00Z", c.Start)
		} else if c.Mode != ClockManual {
			v.errorf("clock.start", "start applies to a manual clock (other clocks start at the current time); add mode: manual or remove start")
		}
	}
	if v.loc.written("clock.patience") && c.Mode != ClockManual {
		v.errorf("clock.patience", "patience applies to a manual clock; add mode: manual or remove patience")
	}
}

func (v *validator) accounts() {
	ids := map[string]string{}
	tokens := map[string]string{}
	codes := map[string]string{} // application and group codes → where first defined
	// Applications first: groups, tokens and traffic refer to them.
	for i, a := range v.s.Accounts {
		p := idx("accounts", i)
		for j, app := range a.Applications {
			ap := idx(p+".applications", j)
			switch prev, dup := codes[app.Code]; {
			case app.Code == "":
				v.errorf(ap+".code", "every application needs a code, e.g. code: 32E5A-9B411")
			case dup:
				v.errorf(ap+".code", "application code %q is already used by %s; codes are unique across all accounts", app.Code, prev)
			default:
				codes[app.Code] = ap
				v.apps[app.Code] = a.ID
			}
		}
	}
	for i, a := range v.s.Accounts {
		p := idx("accounts", i)
		switch prev, dup := ids[a.ID]; {
		case a.ID == "":
			v.errorf(p+".id", "every account needs an id, e.g. id: acme")
		case dup:
			v.errorf(p+".id", "account id %q is already used by %s; ids are unique", a.ID, prev)
		default:
			ids[a.ID] = p
		}
		for _, k := range []struct {
			key string
			n   int
		}{{"subscriber_limit", a.SubscriberLimit}, {"active_devices_limit", a.ActiveDevicesLimit}, {"create_message_rate", a.CreateMessageRate}} {
			if k.n < 0 {
				v.errorf(p+"."+k.key, "%s must be 0 or more (0 means the default: no limit, or 600 per minute for create_message_rate)", k.key)
			}
		}
		own := appCodes(a)
		for j, g := range a.Groups {
			gp := idx(p+".groups", j)
			switch prev, dup := codes[g.Code]; {
			case g.Code == "":
				v.errorf(gp+".code", "every group needs a code, e.g. code: 5AB1E-00001")
			case dup:
				v.errorf(gp+".code", "group code %q is already used by %s; application and group codes are unique", g.Code, prev)
			default:
				codes[g.Code] = gp
			}
			if len(g.Applications) == 0 {
				v.errorf(gp+".applications", "a group needs at least one application code of its account")
			}
			for k, code := range g.Applications {
				v.ownApp(idx(gp+".applications", k), code, a.ID, own, "a group holds applications of its own account")
			}
		}
		for j, t := range a.Tokens {
			tp := idx(p+".tokens", j)
			switch prev, dup := tokens[t.Value]; {
			case t.Value == "":
				v.errorf(tp+".value", "every token needs a value: the string clients send")
			case dup:
				v.errorf(tp+".value", "token %q is already used by %s; token values are unique across all accounts", t.Value, prev)
			default:
				tokens[t.Value] = tp
			}
			switch {
			case t.Kind == "":
				v.errorf(tp+".kind", "kind is required: server (sent as request.auth) or device (sent as Authorization: Token …)")
			case !slices.Contains(TokenKinds, t.Kind):
				v.errorf(tp+".kind", "%s", notOneOf(t.Kind, "a token kind", TokenKinds))
			}
			for k, m := range t.Allow {
				if m == catalog.AnyMethod {
					v.errorf(idx(tp+".allow", k), "\"*\" is for API rules; leave allow out to allow every method")
				} else if !slices.Contains(catalog.MethodNames(), m) {
					v.errorf(idx(tp+".allow", k), "%s", notOneOf(m, "an API method pwemu implements", catalog.MethodNames()))
				}
			}
			groups := make([]string, len(a.Groups))
			for k, g := range a.Groups {
				groups[k] = g.Code
			}
			for k, code := range t.Applications {
				if !slices.Contains(groups, code) {
					v.ownApp(idx(tp+".applications", k), code, a.ID, own, "a token reaches applications of its own account")
				}
			}
		}
	}
}

func appCodes(a Account) []string {
	codes := make([]string, len(a.Applications))
	for i, app := range a.Applications {
		codes[i] = app.Code
	}
	return codes
}

// ownApp checks that code is an application of account id.
func (v *validator) ownApp(path, code, id string, own []string, rule string) {
	if slices.Contains(own, code) {
		return
	}
	if other, ok := v.apps[code]; ok {
		v.errorf(path, "%q belongs to account %q; %s", code, other, rule)
		return
	}
	if hint := suggest(code, own); hint != "" {
		v.errorf(path, "%q is not an application of account %q; did you mean %q?", code, id, hint)
		return
	}
	v.errorf(path, "%q is not an application of account %q (its applications: %s)", code, id, orNone(own))
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}

func (v *validator) streams() {
	for i, st := range v.s.Streams {
		p := idx("streams", i)
		transport := strings.ToLower(st.Transport)
		if transport != "" && !slices.Contains(Transports, transport) {
			v.errorf(p+".transport", "%s", notOneOf(st.Transport, "a transport", Transports))
			transport = "?"
		}
		switch transport {
		case "", TransportHTTP:
			if msg := httpURLProblem(st.Endpoint); msg != "" {
				v.errorf(p+".endpoint", "%s", msg)
			}
			if st.TLS.Enabled != nil {
				v.errorf(p+".tls.enabled", "tls.enabled applies to grpc streams; an http stream uses TLS when its endpoint is https://")
			}
			if v.loc.written(p+".keep_alive") || st.KeepAlive != 0 {
				v.errorf(p+".keep_alive", "keep_alive applies to grpc streams; http closes the connection after each batch")
			}
		case TransportGRPC:
			v.grpcEndpoint(p, st)
			for j := 0; j < len(st.Authorization); j++ {
				if c := st.Authorization[j]; c < 0x20 || c > 0x7E {
					v.errorf(p+".authorization", "gRPC metadata allows printable ASCII only, found byte 0x%02x at offset %d", c, j)
					break
				}
			}
			if st.Framing != "" {
				v.errorf(p+".framing", "framing applies to http streams; a grpc stream sends one message per event")
			}
		}
		if len(st.Events) == 0 {
			v.errorf(p+".events", "at least one event is required (seed rule); e.g. events: [Push Sent, Push Delivered]")
		}
		v.eventNames(p+".events", st.Events)
		if len(st.Platforms) == 0 {
			v.errorf(p+".platforms", "at least one platform is required (seed rule); e.g. platforms: [iOS, Android]")
		}
		v.platforms(p+".platforms", st.Platforms)
		v.campaignIDs(p+".filters.campaigns", st.Filters.Campaigns)
		v.nonEmpty(p+".filters.messages", st.Filters.Messages, "message code")
		if st.Batch.Size < 0 || st.Batch.Size == 0 && v.loc.written(p+".batch.size") {
			v.errorf(p+".batch.size", "batch size must be 1 or more (leave it out for the docs' 100 on http, 1000 on grpc)")
		}
		if st.Batch.Interval.D() < MinInterval && (st.Batch.Interval != 0 || v.loc.written(p+".batch.interval")) {
			v.errorf(p+".batch.interval", "batch interval must be at least %v, got %v (leave it out for the docs' 1h)", MinInterval, st.Batch.Interval.D())
		}
		v.positiveDuration(p+".timeout", st.Timeout, "timeout", "the docs' 30s")
		v.retryDelays(p+".retry.delays", st.Retry.Delays)
		if st.Framing != "" && !slices.Contains(Framings, st.Framing) {
			v.errorf(p+".framing", "%s", notOneOf(st.Framing, "a framing", Framings))
		}
		if st.Concurrency < 0 || st.Concurrency == 0 && v.loc.written(p+".concurrency") {
			v.errorf(p+".concurrency", "concurrency must be 1 or more: how many batches may be in flight at once")
		}
		if !(st.Chaos.Duplicate >= 0 && st.Chaos.Duplicate <= 1) { // NaN too
			v.errorf(p+".chaos.duplicate", "duplicate is the share of batches sent twice, from 0 to 1 (e.g. 0.1); got %v", st.Chaos.Duplicate)
		}
		v.notNegative(p+".timeout", st.Timeout)
		v.notNegative(p+".keep_alive", st.KeepAlive)
		v.notNegative(p+".chaos.slow", st.Chaos.Slow)
	}
}

// campaignIDs checks a stream's campaign filter: the events' campaign_id is a number.
func (v *validator) campaignIDs(path string, ids []string) {
	for i, s := range ids {
		if id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64); err != nil || id == 0 {
			v.errorf(idx(path, i), "%q is not a campaign id: the filter lists campaign ids as decimal numbers (e.g. \"961048\"), matched against the events' campaign_id", s)
		}
	}
}

// notNegative rejects a negative duration, which only a scenario built in code can
// hold (the YAML form refuses one while reading it).
func (v *validator) notNegative(path string, d Duration) {
	if d < 0 {
		v.errorf(path, "%s is negative; a duration is 0 or more", d)
	}
}

func (v *validator) grpcEndpoint(p string, st Stream) {
	_, useTLS, err := GRPCTarget(st.Endpoint)
	if err != nil {
		v.errorf(p+".endpoint", "%s", err.Error())
		return
	}
	scheme, _, hasScheme := strings.Cut(st.Endpoint, "://")
	if hasScheme && st.TLS.Enabled != nil && *st.TLS.Enabled != useTLS {
		if useTLS {
			v.errorf(p+".tls.enabled", "grpcs:// always uses TLS; remove tls.enabled: false or write grpc://")
		} else {
			v.errorf(p+".tls.enabled", "%s:// is plaintext; write grpcs:// for TLS or remove tls.enabled", scheme)
		}
		return
	}
	if !hasScheme {
		useTLS = st.TLS.Enabled != nil && *st.TLS.Enabled
	}
	if !useTLS && (st.TLS.CA != "" || st.TLS.ServerName != "" || st.TLS.InsecureSkipVerify) {
		v.errorf(p+".tls", "the endpoint is plaintext but tls settings are given: write grpcs://host:port or set tls.enabled: true")
	}
}

// GRPCTarget reads a gRPC stream's endpoint: host:port, grpc://host:port (plaintext)
// or grpcs://host:port (TLS). It returns the host:port to dial and whether the scheme
// asks for TLS; for a bare host:port the stream's tls.enabled decides.
func GRPCTarget(endpoint string) (hostport string, useTLS bool, err error) {
	const want = "a grpc endpoint is host:port, grpc://host:port or grpcs://host:port (TLS), e.g. 127.0.0.1:50051"
	if endpoint == "" {
		return "", false, fmt.Errorf("endpoint is required: %s", want)
	}
	if strings.Contains(endpoint, "${") {
		return "", false, fmt.Errorf("%q still holds an unexpanded variable: set it (e.g. --receiver grpc://host:port for ${RECEIVER_URL})", endpoint)
	}
	rest := endpoint
	if scheme, after, ok := strings.Cut(endpoint, "://"); ok {
		switch scheme {
		case "grpc":
		case "grpcs":
			useTLS = true
		default:
			return "", false, fmt.Errorf("%q: %s", endpoint, want)
		}
		rest = after
	}
	if strings.ContainsAny(rest, "/?# ") {
		return "", false, fmt.Errorf("%q: %s (no path)", endpoint, want)
	}
	host, port, err := net.SplitHostPort(rest)
	if err != nil || host == "" {
		return "", false, fmt.Errorf("%q: %s", endpoint, want)
	}
	if msg := portProblem(port); msg != "" {
		return "", false, fmt.Errorf("%q: %s", endpoint, msg)
	}
	return rest, useTLS, nil
}

func portProblem(port string) string {
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Sprintf("port %q is not a port number (1-65535)", port)
	}
	return ""
}

// httpURLProblem says what is wrong with an http(s) endpoint, or "".
func httpURLProblem(raw string) string {
	const example = "a full URL such as https://example.com:8081/webhook_endpoint"
	if raw == "" {
		return "endpoint is required: the receiver's URL, e.g. endpoint: ${RECEIVER_URL}"
	}
	if strings.Contains(raw, "${") {
		return fmt.Sprintf("%q still holds an unexpanded variable: set it (e.g. --receiver URL for ${RECEIVER_URL})", raw)
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a valid URL; write %s", raw, example)
	case u.Scheme == "":
		return fmt.Sprintf("%q has no scheme; write %s", raw, example)
	case u.Scheme == "grpc" || u.Scheme == "grpcs":
		return fmt.Sprintf("%q is a gRPC address; add transport: grpc, or write %s", raw, example)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Sprintf("%q: the scheme must be http or https; write %s", raw, example)
	case u.Hostname() == "":
		return fmt.Sprintf("%q has no host; write %s", raw, example)
	case u.Port() != "":
		if msg := portProblem(u.Port()); msg != "" {
			return fmt.Sprintf("%q: %s", raw, msg)
		}
	}
	return ""
}

// eventNames accepts the catalog's event names and those the scenario declares under
// custom_events (Pushwoosh adds events over time); any other name is taken for a typo,
// since matching is exact and a misspelt name would silently filter every event.
func (v *validator) eventNames(path string, names []string) {
	seen := map[string]bool{}
	for i, name := range names {
		p := idx(path, i)
		switch {
		case strings.TrimSpace(name) == "":
			v.errorf(p, "an event name cannot be empty")
		case seen[name]:
			v.errorf(p, "%q is listed twice", name)
		case !slices.Contains(catalog.KnownEvents, name) && !slices.Contains(catalog.ReportEvents, name) &&
			!slices.Contains(v.s.CustomEvents, name):
			v.errorf(p, "%q is not a Pushwoosh event name; did you mean %q? (names match exactly; list a newer Pushwoosh event under custom_events:)",
				name, closest(name, catalog.KnownEvents))
		}
		seen[name] = true
	}
}

// customEvents checks the custom_events list: names the catalog does not have.
func (v *validator) customEvents() {
	seen := map[string]bool{}
	for i, name := range v.s.CustomEvents {
		p := idx("custom_events", i)
		switch {
		case strings.TrimSpace(name) == "":
			v.errorf(p, "an event name cannot be empty")
		case seen[name]:
			v.errorf(p, "%q is listed twice", name)
		case slices.Contains(catalog.KnownEvents, name) || slices.Contains(catalog.ReportEvents, name):
			v.errorf(p, "%q is a catalog event already: custom_events is for names outside the catalog", name)
		}
		seen[name] = true
	}
}

func (v *validator) platforms(path string, names []string) {
	seen := map[string]bool{}
	for i, name := range names {
		p := idx(path, i)
		switch {
		case !slices.Contains(catalog.Platforms, name):
			v.errorf(p, "%s", notOneOf(name, "a platform", catalog.Platforms))
		case seen[name]:
			v.errorf(p, "%q is listed twice", name)
		}
		seen[name] = true
	}
}

func (v *validator) nonEmpty(path string, l []string, what string) {
	for i, s := range l {
		if strings.TrimSpace(s) == "" {
			v.errorf(idx(path, i), "a %s cannot be empty", what)
		}
	}
}

// Bounds that keep a scenario from burning the machine: a timer that fires every
// nanosecond, a retry list without end, a clock so fast emulator time overflows.
const (
	MinInterval   = time.Millisecond // batch intervals and retry delays
	MaxRetries    = 100
	MaxClockSpeed = 1_000_000 // a year of emulator time in about 32 s
)

// retryDelays checks each wait before a retry.
func (v *validator) retryDelays(path string, delays []Duration) {
	if len(delays) > MaxRetries {
		v.errorf(path, "%d retries: at most %d", len(delays), MaxRetries)
	}
	for i, d := range delays {
		if d.D() < MinInterval {
			v.errorf(fmt.Sprintf("%s[%d]", path, i), "a retry delay must be at least %v, got %v", MinInterval, d.D())
		}
	}
}

// positiveDuration rejects an explicit 0 where 0 would mean "never".
func (v *validator) positiveDuration(path string, d Duration, key, dflt string) {
	if d == 0 && v.loc.written(path) {
		v.errorf(path, "%s must be above 0 (leave it out for %s)", key, dflt)
	}
}

func (v *validator) webhooks() {
	for i, w := range v.s.Webhooks {
		p := idx("webhooks", i)
		if msg := httpURLProblem(w.Endpoint); msg != "" {
			v.errorf(p+".endpoint", "%s", msg)
		}
		seen := map[string]bool{}
		for j, e := range w.Events {
			switch {
			case !slices.Contains(catalog.EmailStatusEvents, e):
				if hint := suggest(e, catalog.EmailStatusEvents); hint != "" {
					v.errorf(idx(p+".events", j), "%q is not an email status event; did you mean %q?", e, hint)
				} else {
					v.errorf(idx(p+".events", j), "%q: webhooks post email status events only (%s)", e, strings.Join(catalog.EmailStatusEvents, ", "))
				}
			case seen[e]:
				v.errorf(idx(p+".events", j), "%q is listed twice", e)
			}
			seen[e] = true
		}
		v.positiveDuration(p+".timeout", w.Timeout, "timeout", "the docs' 30s")
		v.notNegative(p+".timeout", w.Timeout)
		v.retryDelays(p+".retry.delays", w.Retry.Delays)
	}
}

// integrationNames checks that stream and webhook names, which the ledger reports
// by, are unique.
func (v *validator) integrationNames() {
	seen := map[string]string{}
	check := func(p, name string) {
		if name == "" {
			name = p // ApplyDefaults' name
		}
		if prev, dup := seen[name]; dup {
			v.errorf(p+".name", "name %q is already used by %s; integration names are unique (the ledger reports by name)", name, prev)
			return
		}
		seen[name] = p
	}
	for i, st := range v.s.Streams {
		check(idx("streams", i), st.Name)
	}
	for i, w := range v.s.Webhooks {
		check(idx("webhooks", i), w.Name)
	}
}

func (v *validator) traffic() {
	for i, t := range v.s.Traffic {
		p := idx("traffic", i)
		if v.s.Duration > 0 && t.At > v.s.Duration {
			v.errorf(p+".at", "at %s is after the scenario's duration (%s): these events would never be generated", t.At, v.s.Duration)
		}
		v.generate(p+".generate", t.Generate)
	}
}

// generate checks one generate spec: a traffic entry's, or the body of POST
// /_pwemu/events {"generate": …} (CheckGenerate).
func (v *validator) generate(gp string, g Generate) {
	if !v.loc.written(gp) && g.Count == 0 && g.Rate.IsZero() {
		v.errorf(gp, "generate is required: what to generate, e.g. generate: {count: 100} or generate: {rate: 50/s, for: 5m}")
		return
	}
	hasRate := !g.Rate.IsZero()
	if g.Count < 0 || g.Count == 0 && v.loc.written(gp+".count") {
		v.errorf(gp+".count", "count must be 1 or more")
		return
	}
	switch {
	case g.Count > 0 && hasRate:
		v.errorf(gp+".rate", "count and rate exclude each other: count generates events at once, rate over a span (with for)")
	case g.Count == 0 && !hasRate:
		v.errorf(gp, "say how many events: count: 100 (at once) or rate: 50/s with for: 5m (over a span)")
	case hasRate && g.For == 0:
		v.errorf(gp+".for", "rate needs for: how long it lasts, e.g. for: 5m")
	case g.Count > 0 && (v.loc.written(gp+".for") || g.For != 0):
		v.errorf(gp+".for", "for applies to rate; count generates all its events at once")
	}
	total := float64(g.Count)
	if hasRate {
		total = g.Rate.PerSecond() * g.For.D().Seconds()
	}
	if total > MaxGenerated {
		v.errorf(gp, "this generates %.0f events; one traffic entry may generate at most %d", total, MaxGenerated)
	}
	v.eventNames(gp+".events", g.Events)
	v.platforms(gp+".platforms", g.Platforms)
	if g.Application != "" {
		if _, ok := v.apps[g.Application]; !ok {
			all := make([]string, 0, len(v.apps))
			for code := range v.apps {
				all = append(all, code)
			}
			slices.Sort(all)
			if hint := suggest(g.Application, all); hint != "" {
				v.errorf(gp+".application", "%q is not an application of any account; did you mean %q?", g.Application, hint)
			} else {
				v.errorf(gp+".application", "%q is not an application of any account (have: %s)", g.Application, orNone(all))
			}
		}
	}
	switch {
	case g.Messages < 0:
		v.errorf(gp+".messages", "messages must be 0 or more (0 means the default, %d)", DefaultTrafficMessages)
	case g.Messages > MaxMessages:
		v.errorf(gp+".messages", "messages is %d: one traffic entry draws from at most %d distinct messages", g.Messages, MaxMessages)
	}
	if !(g.LiveActivity >= 0 && g.LiveActivity <= 1) { // NaN too
		v.errorf(gp+".live_activity", "live_activity is the share of live-activity events, from 0 to 1; got %v", g.LiveActivity)
	}
}

// CheckGenerate checks events asked for at run time (POST /_pwemu/events
// {"generate": …}) by the rules of a traffic entry, against the applications of s,
// and resolves it as Plan resolves a traffic entry (events and platforms from what
// the integrations of s take). Such events come at once: count, not rate, and at
// most MaxGenerateAtOnce of them.
func (s *Scenario) CheckGenerate(g Generate) (GeneratePlan, error) {
	v := &validator{loc: codeBuilt{s.Source}, s: s, apps: map[string]string{}}
	for _, a := range s.Accounts {
		for _, app := range a.Applications {
			v.apps[app.Code] = a.ID
		}
	}
	switch {
	case !g.Rate.IsZero() || g.For != 0:
		v.errorf("generate.rate", "rate and for play on the timeline (traffic:); here give count")
	case g.Count == 0:
		v.errorf("generate", "say how many events, e.g. {\"generate\": {\"count\": 100}}")
	case g.Count > MaxGenerateAtOnce:
		v.errorf("generate.count", "count is %d: at most %d at once (use traffic: for more)", g.Count, MaxGenerateAtOnce)
	default:
		v.generate("generate", g)
	}
	if len(v.errs) > 0 {
		return GeneratePlan{}, &Errors{List: v.errs}
	}
	return planGenerate(g, intakeOf(s.Streams, s.Webhooks)), nil
}

// MaxGenerateAtOnce bounds the events of one POST /_pwemu/events {"generate": …}: they
// are made and answered at once.
const MaxGenerateAtOnce = 1_000_000

func (v *validator) apiRules() {
	for i, r := range v.s.API {
		p := idx("api", i)
		switch {
		case r.Method == "":
			v.errorf(p+".method", "method is required: an API method such as createMessage, or \"*\" for every method")
		case r.Method != catalog.AnyMethod && !slices.Contains(catalog.MethodNames(), r.Method):
			v.errorf(p+".method", "%s", notOneOf(r.Method, "an API method pwemu implements", catalog.MethodNames()))
		}
		if r.Times < 0 || r.Times == 0 && v.loc.written(p+".times") {
			v.errorf(p+".times", "times must be 1 or more (leave it out to apply the rule to every call)")
		}
		if v.loc.written(p+".during") || r.During != nil {
			switch {
			case len(r.During) != 2:
				v.errorf(p+".during", "during is [from, to] on the timeline, e.g. during: [10m, 12m]; this one has %s", plural(len(r.During), "value"))
			case r.During[1] <= r.During[0]:
				v.errorf(p+".during", "during goes from earlier to later: %s is not before %s", r.During[0], r.During[1])
			}
		}
		if (v.loc.written(p+".probability") || r.Probability != 0) && (r.Probability <= 0 || r.Probability > 1) {
			v.errorf(p+".probability", "probability is the share of matching calls the rule applies to, above 0 and at most 1 (e.g. 0.8); got %v", r.Probability)
		}
		v.respond(p+".respond", r.Respond)
		if r.Respond.empty() && r.Latency.IsZero() {
			v.errorf(p, "this rule changes nothing: give it a respond (e.g. respond: {http: 503}) or a latency")
		}
	}
}

// answers lists the kinds of answer a Respond gives; more than one is an error.
func (r Respond) answers() []string {
	var kinds []string
	if r.HTTP != 0 && !r.envelope() { // with a custom envelope, http is its HTTP status
		kinds = append(kinds, "http")
	}
	if r.Code != "" {
		kinds = append(kinds, "code")
	}
	if r.Warning != "" {
		kinds = append(kinds, "warning")
	}
	if r.envelope() {
		kinds = append(kinds, "a custom envelope (status_code/status_message/response)")
	}
	if r.Fault != "" {
		kinds = append(kinds, "fault")
	}
	return kinds
}

func (r Respond) empty() bool { return len(r.answers()) == 0 }

// envelope reports a custom envelope answer.
func (r Respond) envelope() bool {
	return r.StatusCode != 0 || r.StatusMessage != "" || r.Response != nil
}

func (v *validator) respond(p string, r Respond) {
	if kinds := r.answers(); len(kinds) > 1 {
		v.errorf(p, "respond gives one answer, but sets %s; keep one", strings.Join(kinds, " and "))
	}
	if r.HTTP != 0 && (r.HTTP < 200 || r.HTTP > 599) {
		v.errorf(p+".http", "%d is not an HTTP status an answer can have (200-599)", r.HTTP)
	}
	if r.Code != "" && !slices.Contains(catalog.ResponseNames(), r.Code) {
		v.errorf(p+".code", "%s", notOneOf(r.Code, "a named answer", catalog.ResponseNames()))
	}
	if r.Warning != "" && !slices.Contains(catalog.WarningNames(), r.Warning) {
		v.errorf(p+".warning", "%s", notOneOf(r.Warning, "a warning", catalog.WarningNames()))
	}
	if r.Fault != "" && !slices.Contains(catalog.Faults, r.Fault) {
		v.errorf(p+".fault", "%s", notOneOf(r.Fault, "a fault", catalog.Faults))
	}
	if r.StatusCode < 0 || r.StatusCode == 0 && r.HTTP == 0 && r.envelope() {
		v.errorf(p+".status_code", "a custom envelope needs its status_code, e.g. status_code: 210 (or an http status, which it then also takes)")
	}
	if _, isObject := r.Response.(map[string]any); r.Response != nil && !isObject {
		v.errorf(p+".response", "the response of an envelope is an object (or null), e.g. response: {Messages: [C3F8-C3863ED4-334AD4F1]}")
	}
}

func (v *validator) lifecycle() {
	l := v.s.Lifecycle
	for _, share := range []struct {
		key string
		f   *float64
	}{{"delivered", l.Delivered}, {"opened", l.Opened}, {"clicked", l.Clicked}} {
		if share.f != nil && !(*share.f >= 0 && *share.f <= 1) { // NaN too
			v.errorf("lifecycle."+share.key, "%s is a share from 0 to 1 (e.g. 0.9); got %v", share.key, *share.f)
		}
	}
	v.notNegative("lifecycle.delay", l.Delay)
}

func (v *validator) journeys() {
	ids := map[string]bool{}
	for i, j := range v.s.Journeys {
		p := idx("journeys", i)
		switch {
		case strings.TrimSpace(j.ID) == "":
			v.errorf(p+".id", "a journey needs an id: the {id} of POST /api/journey/{id}/start/external")
		case ids[j.ID]:
			v.errorf(p+".id", "journey id %q is used twice", j.ID)
		}
		ids[j.ID] = true
		if strings.TrimSpace(j.Title) == "" {
			v.errorf(p+".title", "a journey needs a title: its events carry it as journey_title")
		}
		if _, known := v.apps[j.Application]; !known {
			v.errorf(p+".application", "application %q is not an application of the scenario's accounts", j.Application)
		}
		if len(j.Points) == 0 {
			v.errorf(p+".points", "a journey needs at least one point")
		}
		for k, pt := range j.Points {
			pp := idx(p+".points", k)
			if strings.TrimSpace(pt.Title) == "" {
				v.errorf(pp+".title", "a point needs a title: its events carry it as journey_point_title")
			}
			if pt.After < 0 {
				v.errorf(pp+".after", "after is the emulator time after the previous point, 0 or more; got %s", pt.After.D())
			}
			if strings.TrimSpace(pt.Message.Content) == "" {
				v.errorf(pp+".message.content", "a point's message needs content")
			}
		}
	}
}

func (v *validator) expect() {
	e := v.s.Expect
	delivery := []struct {
		key string
		set bool
	}{
		{"delivered", e.Delivered != nil}, {"dropped", e.Dropped != nil}, {"filtered", e.Filtered != nil},
		{"pending", e.Pending != nil}, {"max_latency", e.MaxLatency != 0}, {"max_delay", e.MaxDelay != 0},
		{"max_attempts", e.MaxAttempts != 0}, {"no_4xx", e.No4xx}, {"no_5xx", e.No5xx},
		{"no_duplicates", e.NoDuplicates}, {"statuses", len(e.Statuses) > 0},
	}
	// Traffic and API-created messages both need somewhere to go for delivery
	// expectations to mean anything.
	if len(v.s.Streams) == 0 && len(v.s.Webhooks) == 0 {
		for _, d := range delivery {
			if d.set {
				v.errorf("expect."+d.key, "%s checks deliveries, but the scenario has no streams or webhooks to deliver to", d.key)
				break
			}
		}
	}
	v.positiveDuration("expect.max_latency", e.MaxLatency, "max_latency", "no latency check")
	v.positiveDuration("expect.max_delay", e.MaxDelay, "max_delay", "no delay check")
	if e.MaxAttempts < 0 || e.MaxAttempts == 0 && v.loc.written("expect.max_attempts") {
		v.errorf("expect.max_attempts", "max_attempts must be 1 or more (1 = no event needed a retry)")
	}
	if e.APICalls != nil && e.APICalls.All {
		v.errorf("expect.api_calls", "all has no meaning for api_calls; write a number (at least), at most N, exactly N or none")
	}
	for _, m := range []struct {
		key      string
		statuses map[int]Count
		min      int
		what     string
	}{{"statuses", e.Statuses, 0, "an HTTP status (100-599), or 0 for attempts without an answer"},
		{"api_statuses", e.APIStatuses, 100, "an HTTP status (100-599)"},
		{"api_codes", e.APICodes, 1, "a status_code such as 200 or 210"}} {
		keys := make([]int, 0, len(m.statuses))
		for k := range m.statuses {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if k < m.min || k > 599 || k > 0 && k < 100 {
				v.errorf("expect."+m.key+"."+strconv.Itoa(k), "%d is not %s", k, m.what)
			}
		}
	}
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}
