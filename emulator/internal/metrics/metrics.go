// Package metrics exposes what one emulator did as Prometheus metrics (GET /metrics):
// API calls, events by ledger state, delivery attempts and their durations, the
// emulator time, and the Go runtime. Each emulator has its own registry: two
// emulators in one test process never share a counter.
//
// The counts describe the running scenario: replacing or resetting it starts them
// again from zero, as it does the ledger and the journal they match (Prometheus reads
// a counter that drops as a reset).
package metrics

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pwemu/pwemu/emulator/internal/ledger"
)

// NoIntegration labels events that no integration takes.
const NoIntegration = "none"

// Recorder counts what happens in one scenario run. It is safe for concurrent use.
type Recorder struct {
	api      *prometheus.CounterVec
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewRecorder returns a Recorder with every count at zero.
func NewRecorder() *Recorder {
	return &Recorder{
		api: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pwemu_api_requests_total",
			Help: "Calls the emulated Pushwoosh API answered, by API method, HTTP status and envelope status_code.",
		}, []string{"method", "http_status", "status_code"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "pwemu_delivery_attempts_total",
			Help: "Requests sent to receivers (HTTP batches, gRPC streams, webhook calls), by integration, transport and outcome.",
		}, []string{"integration", "transport", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pwemu_delivery_duration_seconds",
			Help:    "Wall time a delivery attempt took (the timeout when it timed out).",
			Buckets: prometheus.ExponentialBuckets(0.001, 4, 9), // 1ms … 65s
		}, []string{"integration", "transport"}),
	}
}

// APICall counts one answered API call; statusCode is the envelope's status_code
// (0 when the answer had none).
func (r *Recorder) APICall(method string, httpStatus, statusCode int) {
	r.api.WithLabelValues(method, strconv.Itoa(httpStatus), strconv.Itoa(statusCode)).Inc()
}

// Attempt counts one request to a receiver and how long it took.
func (r *Recorder) Attempt(integration, transport, outcome string, took time.Duration) {
	r.attempts.WithLabelValues(integration, transport, outcome).Inc()
	r.duration.WithLabelValues(integration, transport).Observe(took.Seconds())
}

// Run is what the metrics of the running scenario are read from.
type Run struct {
	Recorder *Recorder
	Ledger   *ledger.Ledger
	Now      func() time.Time // the emulator clock
}

// Handler serves the Prometheus exposition of the scenario run that current returns
// at each scrape, plus the Go runtime and process metrics, from a registry of its own.
// The registry is built at the first scrape: an emulator nobody scrapes (most
// in-process ones) does not pay for it at start.
func Handler(current func() Run) http.Handler {
	handler := sync.OnceValue(func() http.Handler {
		reg := prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
			&runCollector{current: current, template: NewRecorder()})
		return promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler().ServeHTTP(w, r) })
}

var (
	eventsDesc = prometheus.NewDesc("pwemu_events_total",
		"Events generated for each integration, by ledger state: generated, delivered, dropped, filtered.",
		[]string{"integration", "state"}, nil)
	pendingDesc = prometheus.NewDesc("pwemu_events_pending",
		"Events taken by an integration and not yet delivered, dropped or filtered.",
		[]string{"integration"}, nil)
	timeDesc = prometheus.NewDesc("pwemu_emulator_time_seconds",
		"The emulator clock, in Unix seconds.", nil, nil)
)

// runCollector reads the current run at every scrape: the event counts come straight
// from the ledger's totals, so they always match GET /_pwemu/ledger.
type runCollector struct {
	current  func() Run
	template *Recorder // for the descriptions only
}

func (c *runCollector) Describe(ch chan<- *prometheus.Desc) {
	c.template.api.Describe(ch)
	c.template.attempts.Describe(ch)
	c.template.duration.Describe(ch)
	ch <- eventsDesc
	ch <- pendingDesc
	ch <- timeDesc
}

func (c *runCollector) Collect(ch chan<- prometheus.Metric) {
	run := c.current()
	run.Recorder.api.Collect(ch)
	run.Recorder.attempts.Collect(ch)
	run.Recorder.duration.Collect(ch)
	for name, t := range run.Ledger.IntegrationTotals() {
		if name == "" {
			name = NoIntegration
		}
		for _, s := range []struct {
			state string
			n     int
		}{{"generated", t.Generated}, {"delivered", t.Delivered}, {"dropped", t.Dropped}, {"filtered", t.Filtered}} {
			ch <- prometheus.MustNewConstMetric(eventsDesc, prometheus.CounterValue, float64(s.n), name, s.state)
		}
		ch <- prometheus.MustNewConstMetric(pendingDesc, prometheus.GaugeValue, float64(t.Pending), name)
	}
	now := run.Now()
	ch <- prometheus.MustNewConstMetric(timeDesc, prometheus.GaugeValue, float64(now.UnixNano())/1e9)
}
