package scenarios

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Plan is a scenario checked and resolved into what the emulator runs: every default
// filled in, every duration a time.Duration, every endpoint parsed, every filter and
// rule in its final form. The emulator's runtime packages take their part of a Plan
// and trust it: they do not check it again, and they never see the YAML types.
type Plan struct {
	Accounts  []AccountPlan
	Streams   []StreamPlan
	Webhooks  []WebhookPlan
	Rules     []RulePlan
	Journeys  []JourneyPlan
	Lifecycle LifecyclePlan
	Traffic   []TrafficPlan
	Clock     ClockPlan
}

// AccountPlan is a Pushwoosh account, checked: its id, application, group and token
// codes are unique across the scenario, and what its tokens and groups name are
// applications of its own.
type AccountPlan struct {
	ID                 string
	Name               string
	Suspended          bool
	SubscriberLimit    int // 0: none
	ActiveDevicesLimit int // 0: none
	CreateMessageRate  int // createMessage calls a minute, ≥ 1
	Tokens             []TokenPlan
	Applications       []ApplicationPlan
	Groups             []GroupPlan
}

// TokenPlan is an API access token.
type TokenPlan struct {
	Value string
	Kind  string // TokenServer or TokenDevice
	// Allow, when not empty, lists the only methods the token may call.
	Allow []string
	// Applications, when not empty, lists the only applications the token may touch
	// (a group the scenario names here stands for its applications).
	Applications []string
}

// ApplicationPlan is a Pushwoosh application.
type ApplicationPlan struct {
	Code                string
	Name                string
	Suspended           bool
	DeviceTokenRequired bool
	InApps              []InAppPlan
}

// InAppPlan is an in-app message as getInApps lists it; Event, when set, is the
// event whose postEvent answers its code.
type InAppPlan struct {
	Code     string
	URL      string
	Layout   string
	Required bool
	Priority int
	Event    string
}

// GroupPlan is an application group (createMessage's applications_group).
type GroupPlan struct {
	Code         string
	Name         string
	Applications []string // at least one, of the group's account
}

// StreamPlan is one event streaming integration, checked.
type StreamPlan struct {
	Name      string // unique among the scenario's integrations
	Transport string // TransportHTTP or TransportGRPC
	// URL is an http stream's receiver: an http(s) URL with a host.
	URL string
	// Target is a grpc stream's host:port to dial.
	Target        string
	TLS           TLSPlan
	Authorization string // the whole Authorization header (gRPC metadata) value
	Filter        FilterPlan
	BatchSize     int           // events a batch holds at most; ≥ 1
	BatchInterval time.Duration // how long a batch may wait for more; 0 when BatchSize is 1
	RetryDelays   []time.Duration
	Timeout       time.Duration // > 0
	KeepAlive     time.Duration // grpc keep-alive ping interval; 0 = off
	Framing       string        // http: FramingArray, FramingObject (BatchSize 1) or FramingNDJSON
	Concurrency   int           // batches in flight at once; ≥ 1
	Chaos         ChaosPlan
}

// TLSPlan is the transport security of a receiver. For a grpc stream On says whether
// it uses TLS at all; an http stream uses TLS when its URL is https.
type TLSPlan struct {
	On                 bool
	CA                 string // PEM file of the CA to trust; "" = system roots
	InsecureSkipVerify bool
	ServerName         string
}

// FilterPlan is what an integration takes: an event passes when its name (and, when
// Platforms is not nil, its platform) is listed, it is not a live activity unless
// LiveActivity, and it matches the campaign and message lists that are not empty.
type FilterPlan struct {
	Events       []string // at least one
	Platforms    []string // nil: every platform (webhooks)
	Campaigns    []uint64
	Messages     []string
	LiveActivity bool
}

// ChaosPlan is a stream's sender-side misbehaviour.
type ChaosPlan struct {
	Duplicate float64 // share of batches sent twice, 0 to 1
	Reorder   bool
	Slow      time.Duration // extra emulator-time delay before each send
}

// WebhookPlan is one email-status webhook integration, checked: one POST per event.
type WebhookPlan struct {
	Name          string
	URL           string // an http(s) URL with a host
	Authorization string
	Events        []string // email status events, at least one
	RetryDelays   []time.Duration
	Timeout       time.Duration // > 0
}

// RulePlan is an api: rule, checked and resolved. The first rule that applies to a
// call answers it.
type RulePlan struct {
	Method string // an API method, or catalog.AnyMethod
	// Match lists request fields the call must have, as JSON decoding of the call
	// gives them.
	Match map[string]any
	Times int // calls the rule answers at most; 0: every call
	// From and Until bound when it applies, in emulator time since the start; Until
	// 0: no end.
	From, Until time.Duration
	Probability float64 // share of matching calls it applies to, above 0 and at most 1
	// LatencyMin and LatencyMax bound the emulator time the answer waits (a random
	// span between them).
	LatencyMin, LatencyMax time.Duration
	Answer                 AnswerPlan
}

// Kinds of answer of an api: rule.
const (
	AnswerNormal   = ""         // the normal answer (a latency-only rule)
	AnswerHTTP     = "http"     // an HTTP status with the standard envelope
	AnswerEnvelope = "envelope" // HTTP, StatusCode, StatusMessage and Response as given
	AnswerWarning  = "warning"  // the normal answer with StatusMessage instead of OK
	AnswerFault    = "fault"    // Fault: catalog.FaultReset, FaultHang or FaultMalformed
)

// AnswerPlan is what a rule answers; named answers are resolved to their envelope.
type AnswerPlan struct {
	Kind          string
	HTTP          int
	StatusCode    int
	StatusMessage string
	Response      json.RawMessage // nil: null
	Fault         string
}

// JourneyPlan is a Customer Journey of the scenario, running: its application is
// one of the scenario's and its id unique.
type JourneyPlan struct {
	ID          string
	Title       string
	Application string
	Points      []JourneyPointPlan // at least one
}

// JourneyPointPlan is one message of a journey, After the previous point.
type JourneyPointPlan struct {
	Title   string
	After   time.Duration
	Content string
}

// LifecyclePlan says what happens to messages created through the API: each target
// gets Push Sent, a Delivered share of them Push Delivered and an Opened share of
// those Push Opened, Delay apart.
type LifecyclePlan struct {
	Disabled  bool
	Delivered float64 // 0 to 1
	Opened    float64 // 0 to 1
	Clicked   float64 // 0 to 1: share of Email Opened targets that get Email Link Clicked
	Delay     time.Duration
}

// Plan checks the scenario (as Validate does) and resolves it into the Plan the
// emulator runs. s is not changed.
func (s *Scenario) Plan() (*Plan, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	c := *s // defaults go into a copy; ApplyDefaults sets fields of these elements, never inside their slices
	c.Accounts, c.Streams, c.Webhooks = slices.Clone(s.Accounts), slices.Clone(s.Streams), slices.Clone(s.Webhooks)
	c.Traffic, c.API = slices.Clone(s.Traffic), slices.Clone(s.API)
	c.ApplyDefaults()
	p := &Plan{}
	for _, a := range c.Accounts {
		p.Accounts = append(p.Accounts, planAccount(a))
	}
	for _, st := range c.Streams {
		p.Streams = append(p.Streams, planStream(st))
	}
	for i, r := range c.API {
		rp, err := planRule(r)
		if err != nil {
			err.File, err.Path = s.Source, idx("api", i)+err.Path
			return nil, &Errors{List: []Error{*err}}
		}
		p.Rules = append(p.Rules, rp)
	}
	for _, j := range c.Journeys {
		jp := JourneyPlan{ID: j.ID, Title: j.Title, Application: j.Application}
		for _, pt := range j.Points {
			jp.Points = append(jp.Points, JourneyPointPlan{Title: pt.Title, After: pt.After.D(), Content: pt.Message.Content})
		}
		p.Journeys = append(p.Journeys, jp)
	}
	l := c.Lifecycle
	p.Lifecycle = LifecyclePlan{Disabled: l.Disabled, Delivered: *l.Delivered, Opened: *l.Opened, Delay: l.Delay.D()}
	if l.Clicked != nil {
		p.Lifecycle.Clicked = *l.Clicked
	}
	in := intakeOf(c.Streams, c.Webhooks)
	for _, t := range c.Traffic {
		p.Traffic = append(p.Traffic, TrafficPlan{At: t.At.D(), Generate: planGenerate(t.Generate, in)})
	}
	p.Clock = planClock(c.Clock)
	for _, w := range c.Webhooks {
		p.Webhooks = append(p.Webhooks, WebhookPlan{Name: w.Name, URL: w.Endpoint, Authorization: w.Authorization,
			Events: slices.Clone(w.Events), RetryDelays: durations(w.Retry.Delays), Timeout: w.Timeout.D()})
	}
	return p, nil
}

// planAccount resolves a checked, defaulted account.
func planAccount(a Account) AccountPlan {
	ap := AccountPlan{ID: a.ID, Name: a.Name, Suspended: a.Suspended, SubscriberLimit: a.SubscriberLimit,
		ActiveDevicesLimit: a.ActiveDevicesLimit, CreateMessageRate: a.CreateMessageRate}
	groups := map[string][]string{}
	for _, g := range a.Groups {
		groups[g.Code] = g.Applications
		ap.Groups = append(ap.Groups, GroupPlan{Code: g.Code, Name: g.Name, Applications: slices.Clone(g.Applications)})
	}
	for _, app := range a.Applications {
		pa := ApplicationPlan{Code: app.Code, Name: app.Name, Suspended: app.Suspended, DeviceTokenRequired: app.DeviceTokenRequired}
		for _, in := range app.InApps {
			pa.InApps = append(pa.InApps, InAppPlan(in))
		}
		ap.Applications = append(ap.Applications, pa)
	}
	for _, t := range a.Tokens {
		tp := TokenPlan{Value: t.Value, Kind: t.Kind, Allow: slices.Clone(t.Allow)}
		for _, code := range t.Applications {
			if apps, isGroup := groups[code]; isGroup {
				for _, app := range apps {
					if !slices.Contains(tp.Applications, app) {
						tp.Applications = append(tp.Applications, app)
					}
				}
			} else if !slices.Contains(tp.Applications, code) {
				tp.Applications = append(tp.Applications, code)
			}
		}
		ap.Tokens = append(ap.Tokens, tp)
	}
	return ap
}

// planStream resolves a checked, defaulted stream.
func planStream(st Stream) StreamPlan {
	sp := StreamPlan{Name: st.Name, Transport: st.Transport, Authorization: st.Authorization,
		TLS:       TLSPlan{CA: st.TLS.CA, InsecureSkipVerify: st.TLS.InsecureSkipVerify, ServerName: st.TLS.ServerName},
		BatchSize: st.Batch.Size, BatchInterval: st.Batch.Interval.D(), RetryDelays: durations(st.Retry.Delays),
		Timeout: st.Timeout.D(), Concurrency: st.Concurrency,
		Chaos: ChaosPlan{Duplicate: st.Chaos.Duplicate, Reorder: st.Chaos.Reorder, Slow: st.Chaos.Slow.D()},
		Filter: FilterPlan{Events: slices.Clone(st.Events), Platforms: slices.Clone(st.Platforms),
			Messages: slices.Clone(st.Filters.Messages), LiveActivity: st.Filters.LiveActivity}}
	for _, c := range st.Filters.Campaigns {
		id, _ := strconv.ParseUint(strings.TrimSpace(c), 10, 64) // checked: campaignIDs
		sp.Filter.Campaigns = append(sp.Filter.Campaigns, id)
	}
	if st.Transport == TransportGRPC {
		sp.Target, sp.TLS.On, _ = GRPCTarget(st.Endpoint) // checked: grpcEndpoint
		if !strings.Contains(st.Endpoint, "://") {
			sp.TLS.On = st.TLS.Enabled != nil && *st.TLS.Enabled
		}
		sp.KeepAlive = st.KeepAlive.D()
		return sp
	}
	sp.URL, sp.Framing = st.Endpoint, st.Framing
	if sp.Framing == FramingObject {
		sp.BatchSize = 1 // one event a request
	}
	if sp.BatchSize == 1 {
		sp.BatchInterval = 0 // every event goes out at once: nothing waits for the timer
	}
	return sp
}

// planRule resolves a checked, defaulted api: rule.
func planRule(r APIRule) (RulePlan, *Error) {
	rp := RulePlan{Method: r.Method, Times: r.Times, Probability: r.Probability,
		LatencyMin: r.Latency.Min, LatencyMax: r.Latency.Max}
	if len(r.During) == 2 {
		rp.From, rp.Until = r.During[0].D(), r.During[1].D()
	}
	if len(r.Match) > 0 {
		m, err := jsonValue(r.Match)
		if err != nil {
			return rp, &Error{Path: ".match", Msg: err.Error()}
		}
		rp.Match = m.(map[string]any)
	}
	a, rs := &rp.Answer, r.Respond
	switch {
	case rs.Fault != "":
		a.Kind, a.Fault = AnswerFault, rs.Fault
	case rs.Code != "":
		named, _ := catalog.ResponseNamed(rs.Code) // checked: respond
		if named.Warning {
			a.Kind, a.StatusMessage = AnswerWarning, named.StatusMessage
		} else {
			a.Kind, a.HTTP, a.StatusCode, a.StatusMessage = AnswerEnvelope, named.HTTP, named.StatusCode, named.StatusMessage
		}
	case rs.Warning != "":
		named, _ := catalog.ResponseNamed(rs.Warning) // checked: respond
		a.Kind, a.StatusMessage = AnswerWarning, named.StatusMessage
	case rs.envelope():
		a.Kind, a.HTTP, a.StatusCode, a.StatusMessage = AnswerEnvelope, rs.HTTP, rs.StatusCode, rs.StatusMessage
		if a.HTTP == 0 {
			a.HTTP = http.StatusOK
		}
		if a.StatusCode == 0 {
			a.StatusCode = a.HTTP
		}
		if rs.Response != nil {
			b, err := json.Marshal(rs.Response)
			if err != nil {
				return rp, &Error{Path: ".respond.response", Msg: "the response cannot be written as JSON: " + err.Error()}
			}
			a.Response = b
		}
	case rs.HTTP != 0:
		a.Kind, a.HTTP = AnswerHTTP, rs.HTTP
	}
	return rp, nil
}

// jsonValue is v as JSON decoding of the same value gives it (numbers as float64,
// maps as map[string]any), for comparing with request fields.
func jsonValue(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("the match cannot be written as JSON: %v", err)
	}
	var out any
	err = json.Unmarshal(b, &out)
	return out, err
}

func durations(ds []Duration) []time.Duration {
	out := make([]time.Duration, len(ds))
	for i, d := range ds {
		out[i] = d.D()
	}
	return out
}
