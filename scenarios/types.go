// Package scenarios is the YAML format that scripts what pwemu does: who may call the
// API and how it answers, which integrations receive events, what traffic is played on
// the emulator clock, and what a run must show. It loads, expands and validates
// scenario files; the emulator consumes the result and never reads YAML itself.
//
// Loading reports every problem of a file at once, each with its line and column and
// a way to fix it (*Errors). Scalar values may hold ${NAME}, ${NAME:-default},
// ${NAME-default} or ${NAME:?message}, expanded from Options.Env (the process
// environment by default) before the value is read, so count: ${N} is a number;
// inside [ ] or { } such a reference must be quoted ("${N}"), as YAML requires. $$ is
// a literal $. The format's JSON Schema is Schema().
//
// A scenario is checked once, here. Scenario.Plan checks it (a file read by Parse
// already was; one built in Go is checked the same way) and resolves it into a Plan:
// defaults filled in, durations as time.Duration, endpoints parsed, filters and
// rules in their final form. The emulator builds a run from the Plan; its runtime
// packages take Plan types only, never the YAML types, and do not check them again.
package scenarios

import (
	"time"
)

// Scenario is one scenario file.
type Scenario struct {
	Name        string    `yaml:"name" json:"name"`
	Description string    `yaml:"description" json:"description,omitempty"`
	Seed        int64     `yaml:"seed" json:"seed"`
	Clock       Clock     `yaml:"clock" json:"clock"`
	Duration    Duration  `yaml:"duration" json:"duration,omitempty"` // how long `pwemu run` plays at most
	Accounts    []Account `yaml:"accounts" json:"accounts"`
	Streams     []Stream  `yaml:"streams" json:"streams,omitempty"`
	Webhooks    []Webhook `yaml:"webhooks" json:"webhooks,omitempty"`
	Traffic     []Traffic `yaml:"traffic" json:"traffic,omitempty"`
	API         []APIRule `yaml:"api" json:"api,omitempty"`
	Lifecycle   Lifecycle `yaml:"lifecycle" json:"lifecycle"`
	Journeys    []Journey `yaml:"journeys" json:"journeys,omitempty"`
	Expect      Expect    `yaml:"expect" json:"expect,omitempty"`
	// CustomEvents are event names outside pwemu's catalog that streams and traffic
	// may use: Pushwoosh adds events over time, and a name the catalog lacks is
	// otherwise taken for a typo.
	CustomEvents []string `yaml:"custom_events" json:"custom_events,omitempty"`
	Source       string   `yaml:"-" json:"-"` // file name or bundled name, for messages
	Raw          []byte   `yaml:"-" json:"-"` // the YAML as loaded, for GET /_pwemu/scenario
}

// Clock selects the emulator clock: mode real, scaled (with speed) or manual.
type Clock struct {
	Mode     string   `yaml:"mode" json:"mode,omitempty"`
	Speed    float64  `yaml:"speed" json:"speed,omitempty"`
	Start    string   `yaml:"start" json:"start,omitempty"` // RFC 3339; manual clocks only
	Patience Duration `yaml:"patience" json:"patience,omitempty"`
}

// Account is a Pushwoosh account with its tokens and applications.
type Account struct {
	ID                 string        `yaml:"id" json:"id"`
	Name               string        `yaml:"name" json:"name,omitempty"`
	Suspended          bool          `yaml:"suspended" json:"suspended,omitempty"`
	SubscriberLimit    int           `yaml:"subscriber_limit" json:"subscriber_limit,omitempty"`         // >0: "reached the subscriber limit" warning
	ActiveDevicesLimit int           `yaml:"active_devices_limit" json:"active_devices_limit,omitempty"` // >0: "exceeded the number of active devices" warning
	CreateMessageRate  int           `yaml:"create_message_rate" json:"create_message_rate,omitempty"`   // per minute; 0 = 600 (docs)
	Tokens             []Token       `yaml:"tokens" json:"tokens"`
	Applications       []Application `yaml:"applications" json:"applications"`
	Groups             []Group       `yaml:"groups" json:"groups,omitempty"`
}

// Token kinds.
const (
	TokenServer = "server"
	TokenDevice = "device"
)

// Token is an API access token. Allow, when set, lists the only methods it may call;
// Applications, when set, the only applications it may touch.
type Token struct {
	Value        string   `yaml:"value" json:"value"`
	Kind         string   `yaml:"kind" json:"kind"`
	Allow        []string `yaml:"allow" json:"allow,omitempty"`
	Applications []string `yaml:"applications" json:"applications,omitempty"`
}

// Application is a Pushwoosh application.
type Application struct {
	Code                string `yaml:"code" json:"code"`
	Name                string `yaml:"name" json:"name,omitempty"`
	Suspended           bool   `yaml:"suspended" json:"suspended,omitempty"`
	DeviceTokenRequired bool   `yaml:"device_token_required" json:"device_token_required,omitempty"`
	// InApps are the in-app messages (rich media) getInApps lists for the application.
	InApps []InApp `yaml:"inapps" json:"inapps,omitempty"`
}

// InApp is an in-app message of an application, as the SDKs' getInApps lists it.
type InApp struct {
	Code     string `yaml:"code" json:"code"`
	URL      string `yaml:"url" json:"url,omitempty"`
	Layout   string `yaml:"layout" json:"layout,omitempty"`
	Required bool   `yaml:"required" json:"required,omitempty"`
	Priority int    `yaml:"priority" json:"priority,omitempty"`
	// Event, when set, is the event whose postEvent answers this in-app's code (an
	// in-app triggered by an event).
	Event string `yaml:"event" json:"event,omitempty"`
}

// Group is an application group (createMessage's applications_group).
type Group struct {
	Code         string   `yaml:"code" json:"code"`
	Name         string   `yaml:"name" json:"name,omitempty"`
	Applications []string `yaml:"applications" json:"applications"`
}

// Transports of an event stream.
const (
	TransportHTTP = "http"
	TransportGRPC = "grpc"
)

// Stream is an event streaming integration (https://docs.pushwoosh.com/product/integrations/event-streaming).
// Zero values take the docs'
// defaults; see ApplyDefaults.
type Stream struct {
	Name          string   `yaml:"name" json:"name,omitempty"`
	Endpoint      string   `yaml:"endpoint" json:"endpoint"`
	Transport     string   `yaml:"transport" json:"transport"`
	Authorization string   `yaml:"authorization" json:"authorization,omitempty"`
	Events        []string `yaml:"events" json:"events"`
	Platforms     []string `yaml:"platforms" json:"platforms"`
	Filters       Filters  `yaml:"filters" json:"filters"`
	Batch         Batch    `yaml:"batch" json:"batch"`
	Retry         Retry    `yaml:"retry" json:"retry"`
	Timeout       Duration `yaml:"timeout" json:"timeout"`
	TLS           TLS      `yaml:"tls" json:"tls,omitempty"`
	KeepAlive     Duration `yaml:"keep_alive" json:"keep_alive,omitempty"` // gRPC keep-alive ping interval; 0 = off
	// Framing is the HTTP body of a batch: "array" (default), "object" (one event a
	// request, as the docs' example) or "ndjson".
	Framing     string `yaml:"framing" json:"framing,omitempty"`
	Concurrency int    `yaml:"concurrency" json:"concurrency,omitempty"` // batches in flight at once; 0 = 1
	Chaos       Chaos  `yaml:"chaos" json:"chaos,omitempty"`
}

// Filters narrow a stream to some campaigns or messages, and opt in to live activities.
type Filters struct {
	Campaigns    []string `yaml:"campaigns" json:"campaigns,omitempty"`
	Messages     []string `yaml:"messages" json:"messages,omitempty"`
	LiveActivity bool     `yaml:"live_activity" json:"live_activity,omitempty"`
}

// Batch says when a batch (HTTP) or stream (gRPC) goes out: at Size ready events, or
// Interval after the previous one.
type Batch struct {
	Size     int      `yaml:"size" json:"size"`
	Interval Duration `yaml:"interval" json:"interval"`
}

// Retry lists the waits before each retry: the first retry waits Delays[0] after the
// failure, and so on; when they are used up the events are dropped.
type Retry struct {
	Delays []Duration `yaml:"delays" json:"delays"`
}

// TLS configures a gRPC stream's transport security (https:// URLs always use TLS).
type TLS struct {
	Enabled            *bool  `yaml:"enabled" json:"enabled,omitempty"`
	CA                 string `yaml:"ca" json:"ca,omitempty"` // PEM file of the CA to trust
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify" json:"insecure_skip_verify,omitempty"`
	ServerName         string `yaml:"server_name" json:"server_name,omitempty"`
}

// Chaos is sender-side misbehaviour for hardening receivers.
type Chaos struct {
	Duplicate float64  `yaml:"duplicate" json:"duplicate,omitempty"` // share of batches sent twice
	Reorder   bool     `yaml:"reorder" json:"reorder,omitempty"`     // shuffle events inside a batch
	Slow      Duration `yaml:"slow" json:"slow,omitempty"`           // extra emulator-time delay before each send
}

// Webhook is the email-status webhook integration
// (https://docs.pushwoosh.com/product/integrations/webhook-integration): one POST per event.
type Webhook struct {
	Name          string   `yaml:"name" json:"name,omitempty"`
	Endpoint      string   `yaml:"endpoint" json:"endpoint"`
	Authorization string   `yaml:"authorization" json:"authorization,omitempty"`
	Events        []string `yaml:"events" json:"events,omitempty"` // default: every email status event
	Retry         Retry    `yaml:"retry" json:"retry"`
	Timeout       Duration `yaml:"timeout" json:"timeout"`
}

// Traffic is events pwemu generates by itself at a point of the timeline.
type Traffic struct {
	At       Duration `yaml:"at" json:"at"`
	Generate Generate `yaml:"generate" json:"generate"`
}

// Generate describes generated events: Count at once, or Rate for a span (For).
type Generate struct {
	Count        int      `yaml:"count" json:"count,omitempty"`
	Rate         Rate     `yaml:"rate" json:"rate,omitempty"`
	For          Duration `yaml:"for" json:"for,omitempty"`
	Events       []string `yaml:"events" json:"events,omitempty"`       // default: those the integrations take (else Push Sent)
	Platforms    []string `yaml:"platforms" json:"platforms,omitempty"` // default: those taking each event (else iOS, Android)
	Application  string   `yaml:"application" json:"application,omitempty"`
	Messages     int      `yaml:"messages" json:"messages,omitempty"`           // distinct messages drawn from; 0 = 10
	Campaigns    []uint64 `yaml:"campaigns" json:"campaigns,omitempty"`         // campaign ids drawn from
	LiveActivity float64  `yaml:"live_activity" json:"live_activity,omitempty"` // share of live-activity events
}

// Lifecycle says what happens to messages created through the API: each target gets
// Push Sent, and shares of them Push Delivered and Push Opened.
type Lifecycle struct {
	Disabled  bool     `yaml:"disabled" json:"disabled,omitempty"`
	Delivered *float64 `yaml:"delivered" json:"delivered,omitempty"` // share; default 0.9
	Opened    *float64 `yaml:"opened" json:"opened,omitempty"`       // share of delivered; default 0.3
	Clicked   *float64 `yaml:"clicked" json:"clicked,omitempty"`     // share of email opens that click a link; default 0
	Delay     Duration `yaml:"delay" json:"delay,omitempty"`         // between stages; default 1s
}

// Journey is a Customer Journey that POST /api/journey/{id}/start/external runs: its
// points' messages go, one after the other, to the users it is started for, and their
// events carry the journey's title and the point's title.
type Journey struct {
	ID          string         `yaml:"id" json:"id"`
	Title       string         `yaml:"title" json:"title"`             // the events' journey_title
	Application string         `yaml:"application" json:"application"` // an application of the scenario
	Points      []JourneyPoint `yaml:"points" json:"points"`
}

// JourneyPoint is one message of a journey.
type JourneyPoint struct {
	Title   string         `yaml:"title" json:"title"`           // the events' journey_point_title
	After   Duration       `yaml:"after" json:"after,omitempty"` // emulator time after the previous point
	Message JourneyMessage `yaml:"message" json:"message"`
}

// JourneyMessage is what a journey point sends.
type JourneyMessage struct {
	Content string `yaml:"content" json:"content"`
}

// APIRule changes how the fake API answers. The first rule that matches a call wins;
// a rule that no longer applies (times used up, outside during) falls back to normal.
type APIRule struct {
	Method      string         `yaml:"method" json:"method"` // method name or "*"
	Match       map[string]any `yaml:"match" json:"match,omitempty"`
	Times       int            `yaml:"times" json:"times,omitempty"`
	During      []Duration     `yaml:"during" json:"during,omitempty"` // [from, to] on the timeline
	Probability float64        `yaml:"probability" json:"probability,omitempty"`
	Latency     Latency        `yaml:"latency" json:"latency,omitempty"`
	Respond     Respond        `yaml:"respond" json:"respond,omitempty"`
}

// Respond is what a matching API rule answers. Leave it empty for latency-only rules.
type Respond struct {
	HTTP    int    `yaml:"http" json:"http,omitempty"`
	Code    string `yaml:"code" json:"code,omitempty"`       // a named answer: app_not_found, …
	Warning string `yaml:"warning" json:"warning,omitempty"` // subscriber_limit, active_devices_exceeded
	// A custom envelope.
	StatusCode    int    `yaml:"status_code" json:"status_code,omitempty"`
	StatusMessage string `yaml:"status_message" json:"status_message,omitempty"`
	Response      any    `yaml:"response" json:"response,omitempty"`
	Fault         string `yaml:"fault" json:"fault,omitempty"` // reset, hang, malformed
}

// Expect is what `pwemu run` checks at the end; the run fails when one does not hold.
// Unset fields are not checked. "Events" are the events the ledger accounts for;
// "attempts" are delivery attempts to receivers; "API calls" are calls the fake API
// answered (scenarios/expect evaluates them).
type Expect struct {
	Delivered    *Count   `yaml:"delivered" json:"delivered,omitempty"` // all = every event not filtered out
	Dropped      *Count   `yaml:"dropped" json:"dropped,omitempty"`
	Filtered     *Count   `yaml:"filtered" json:"filtered,omitempty"`
	Pending      *Count   `yaml:"pending" json:"pending,omitempty"`           // still undelivered when the run ends
	MaxLatency   Duration `yaml:"max_latency" json:"max_latency,omitempty"`   // longest receiver answer over all attempts
	MaxDelay     Duration `yaml:"max_delay" json:"max_delay,omitempty"`       // longest generated→delivered time (emulator clock)
	MaxAttempts  int      `yaml:"max_attempts" json:"max_attempts,omitempty"` // most attempts any one event needed
	No4xx        bool     `yaml:"no_4xx" json:"no_4xx,omitempty"`             // no attempt answered 4xx
	No5xx        bool     `yaml:"no_5xx" json:"no_5xx,omitempty"`             // no attempt answered 5xx
	NoDuplicates bool     `yaml:"no_duplicates" json:"no_duplicates,omitempty"`
	// Statuses counts attempts by the receiver's HTTP status; 0 counts attempts that
	// got no HTTP answer (refused, reset, timed out). all = every attempt.
	Statuses    map[int]Count `yaml:"statuses" json:"statuses,omitempty"`
	APICalls    *Count        `yaml:"api_calls" json:"api_calls,omitempty"`
	APIStatuses map[int]Count `yaml:"api_statuses" json:"api_statuses,omitempty"` // API answers by HTTP status
	APICodes    map[int]Count `yaml:"api_codes" json:"api_codes,omitempty"`       // API answers by envelope status_code
}

// Count is an expected number: "all", "none", a number N (at least N), "at least N",
// "at most N" or "exactly N".
type Count struct {
	All  bool
	None bool
	N    int
	Op   string // "" (at least N), CountAtMost or CountExactly
}

// Count comparisons other than the default "at least".
const (
	CountAtMost  = "at most"
	CountExactly = "exactly"
)

// Holds reports whether got satisfies the count, where all is how many "all" means.
func (c Count) Holds(got, all int) bool {
	switch {
	case c.All:
		return got == all
	case c.None:
		return got == 0
	case c.Op == CountAtMost:
		return got <= c.N
	case c.Op == CountExactly:
		return got == c.N
	}
	return got >= c.N
}

// Rate is a number of events per time unit, written "50/s", "600/m" or "10/h".
type Rate struct {
	N   float64
	Per time.Duration
}

// PerSecond is the rate as events per second of emulator time.
func (r Rate) PerSecond() float64 {
	if r.Per <= 0 {
		return 0
	}
	return r.N / r.Per.Seconds()
}

// Latency is a fixed delay ("250ms") or a range ("100ms-2s").
type Latency struct {
	Min, Max time.Duration
}
