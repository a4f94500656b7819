package stream

import (
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/pwemu/pwemu/scenarios"
)

// Transport names, as ledger attempts carry them.
const (
	TransportHTTP    = "http"
	TransportGRPC    = "grpc"
	TransportWebhook = "webhook"
)

// HTTP body framings.
const (
	FramingArray  = "array"  // a JSON array of events (default)
	FramingObject = "object" // one JSON object a request, as the docs' example
	FramingNDJSON = "ndjson" // one JSON object per line
)

// integration is one checked, compiled destination.
type integration struct {
	name        string
	transport   string // TransportHTTP, TransportGRPC or TransportWebhook
	filter      *Filter
	size        int           // events a batch holds at most, and the size trigger
	interval    time.Duration // interval trigger; 0: none (one event a batch)
	retry       RetryPolicy
	timeout     time.Duration
	concurrency int
	chaos       scenarios.Chaos
	sender      Transport
}

// compileStream checks one event streaming integration (defaults applied) and builds
// its transport.
func compileStream(st scenarios.Stream, log *slog.Logger) (*integration, error) {
	in := &integration{name: st.Name, size: st.Batch.Size, interval: st.Batch.Interval.D(),
		timeout: st.Timeout.D(), concurrency: st.Concurrency, chaos: st.Chaos}
	switch strings.ToLower(strings.TrimSpace(st.Transport)) {
	case TransportHTTP:
		in.transport = TransportHTTP
	case TransportGRPC:
		in.transport = TransportGRPC
	default:
		return nil, fmt.Errorf("transport %q is not supported (want http or grpc)", st.Transport)
	}
	if in.transport == TransportHTTP {
		if err := checkHTTPURL(st.Endpoint); err != nil {
			return nil, err
		}
	} else if strings.TrimSpace(st.Endpoint) == "" {
		return nil, fmt.Errorf("endpoint is required, e.g. grpc://receiver:50051")
	}
	f, err := NewFilter(FilterConfig{Events: st.Events, Platforms: nonNil(st.Platforms),
		Campaigns: st.Filters.Campaigns, Messages: st.Filters.Messages, LiveActivity: st.Filters.LiveActivity})
	if err != nil {
		return nil, err
	}
	in.filter = f
	if in.retry, err = newRetryPolicy(st.Retry); err != nil {
		return nil, err
	}
	if err := in.checkCommon(); err != nil {
		return nil, err
	}
	if st.Chaos.Duplicate < 0 || st.Chaos.Duplicate > 1 {
		return nil, fmt.Errorf("chaos.duplicate: %v is not a share between 0 and 1", st.Chaos.Duplicate)
	}
	if st.Chaos.Slow < 0 {
		return nil, fmt.Errorf("chaos.slow: %v is negative", st.Chaos.Slow)
	}
	if in.transport == TransportGRPC {
		in.sender, err = dialGRPC(st, log)
		if err != nil {
			return nil, err
		}
		return in, nil
	}
	framing := strings.ToLower(strings.TrimSpace(st.Framing))
	switch framing {
	case FramingArray, FramingNDJSON:
	case FramingObject:
		in.size = 1 // one event a request
	default:
		return nil, fmt.Errorf("framing %q is not supported (want array, object or ndjson)", st.Framing)
	}
	if in.size == 1 {
		in.interval = 0 // every event goes out at once: nothing ever waits for the timer
	}
	in.sender, err = newHTTPTransport(httpConfig{url: st.Endpoint, authorization: st.Authorization,
		framing: framing, tls: st.TLS})
	if err != nil {
		return nil, err
	}
	return in, nil
}

// compileWebhook checks one webhook integration (defaults applied) and builds its
// transport: one POST per email status event.
func compileWebhook(w scenarios.Webhook) (*integration, error) {
	in := &integration{name: w.Name, transport: TransportWebhook, size: 1,
		timeout: w.Timeout.D(), concurrency: 1}
	if err := checkHTTPURL(w.Endpoint); err != nil {
		return nil, err
	}
	f, err := NewFilter(FilterConfig{Events: w.Events})
	if err != nil {
		return nil, err
	}
	in.filter = f
	if in.retry, err = newRetryPolicy(w.Retry); err != nil {
		return nil, err
	}
	if err := in.checkCommon(); err != nil {
		return nil, err
	}
	in.sender, err = newHTTPTransport(httpConfig{url: w.Endpoint, authorization: w.Authorization,
		webhook: true})
	if err != nil {
		return nil, err
	}
	return in, nil
}

func (in *integration) checkCommon() error {
	if in.size < 1 {
		return fmt.Errorf("batch.size: %d, want at least 1", in.size)
	}
	if in.size > 1 && in.interval <= 0 {
		return fmt.Errorf("batch.interval: %v, want a positive duration such as 1h", in.interval)
	}
	if in.timeout <= 0 {
		return fmt.Errorf("timeout: %v, want a positive duration such as 30s", in.timeout)
	}
	if in.concurrency < 1 {
		return fmt.Errorf("concurrency: %d, want at least 1", in.concurrency)
	}
	return nil
}

// checkHTTPURL accepts a full http(s) URL with a host (the event streaming docs ask for
// a "full URL with scheme and optional port").
func checkHTTPURL(s string) error {
	const example = "https://example.com:8081/webhook_endpoint"
	if strings.TrimSpace(s) == "" {
		return fmt.Errorf("endpoint is required, e.g. %s", example)
	}
	if strings.Contains(s, "${") {
		return fmt.Errorf("endpoint %q still holds an unexpanded variable: set it (e.g. --receiver URL for ${RECEIVER_URL})", s)
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("endpoint %q is not a URL: %v", s, err)
	}
	switch u.Scheme {
	case "http", "https":
	case "":
		return fmt.Errorf("endpoint %q has no scheme: want a full URL such as %s", s, example)
	default:
		return fmt.Errorf("endpoint %q: scheme %q is not supported for HTTP delivery (want http or https)", s, u.Scheme)
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("endpoint %q has no host: want a full URL such as %s", s, example)
	}
	return nil
}

// nonNil makes "no platforms" an empty list, which the filter rejects, rather than
// nil, which it reads as "every platform".
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
