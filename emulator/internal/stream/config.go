package stream

import (
	"log/slog"
	"time"

	"github.com/pwemu/pwemu/scenarios"
)

// Transport names, as ledger attempts carry them.
const (
	TransportHTTP    = scenarios.TransportHTTP
	TransportGRPC    = scenarios.TransportGRPC
	TransportWebhook = "webhook"
)

// integration is one compiled destination.
type integration struct {
	name        string
	transport   string // TransportHTTP, TransportGRPC or TransportWebhook
	filter      *Filter
	size        int           // events a batch holds at most, and the size trigger
	interval    time.Duration // interval trigger; 0: none (one event a batch)
	retry       RetryPolicy
	timeout     time.Duration
	concurrency int
	chaos       scenarios.ChaosPlan
	sender      Transport
}

// compileStream builds one event streaming integration and its transport.
func compileStream(st scenarios.StreamPlan, log *slog.Logger) (*integration, error) {
	in := &integration{name: st.Name, transport: st.Transport, filter: NewFilter(st.Filter),
		size: st.BatchSize, interval: st.BatchInterval, retry: RetryPolicy{Delays: st.RetryDelays},
		timeout: st.Timeout, concurrency: st.Concurrency, chaos: st.Chaos}
	var err error
	if st.Transport == TransportGRPC {
		in.sender, err = dialGRPC(st, log)
	} else {
		in.sender, err = newHTTPTransport(httpConfig{url: st.URL, authorization: st.Authorization,
			framing: st.Framing, tls: st.TLS})
	}
	if err != nil {
		return nil, err
	}
	return in, nil
}

// compileWebhook builds one webhook integration and its transport: one POST per email
// status event.
func compileWebhook(w scenarios.WebhookPlan) (*integration, error) {
	in := &integration{name: w.Name, transport: TransportWebhook, size: 1, timeout: w.Timeout, concurrency: 1,
		filter: NewFilter(scenarios.FilterPlan{Events: w.Events}), retry: RetryPolicy{Delays: w.RetryDelays}}
	var err error
	in.sender, err = newHTTPTransport(httpConfig{url: w.URL, authorization: w.Authorization, webhook: true})
	if err != nil {
		return nil, err
	}
	return in, nil
}
