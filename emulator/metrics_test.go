package emulator_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

const metricsScenario = `
name: metrics
clock: {mode: manual}
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - name: ios
    endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    batch: {size: 10, interval: 1m}
    retry: {delays: [1s]}
`

// scrape reads /metrics as a Prometheus client would.
func scrape(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + emulator.MetricsPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse as the Prometheus text format: %v", err)
	}
	return fams
}

// sum adds the values of a family's series whose labels include want.
func sum(f *dto.MetricFamily, want map[string]string) float64 {
	total := 0.0
	if f == nil {
		return 0
	}
next:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			total += m.Counter.GetValue()
		case m.Gauge != nil:
			total += m.Gauge.GetValue()
		case m.Histogram != nil:
			total += float64(m.Histogram.GetSampleCount())
		}
	}
	return total
}

func metricsScenarioFor(t *testing.T, receiverURL string) *scenarios.Scenario {
	t.Helper()
	sc, err := scenarios.ParseWith("metrics.yaml", []byte(metricsScenario),
		scenarios.Options{Vars: map[string]string{"RECEIVER_URL": receiverURL}})
	if err != nil {
		t.Fatal(err)
	}
	return sc
}

func TestMetricsMatchTheLedgerAndTheJournal(t *testing.T) {
	// The receiver fails the first request with a 503 and takes the rest.
	rec := receiver.StartHTTP(t, receiver.WithHTTPResponses(receiver.HTTPStatus(503)))
	emu := start(t, metricsScenarioFor(t, rec.URL()))

	evs := make([]catalog.Event, 25)
	for i := range evs {
		evs[i] = catalog.Event{EventName: "Push Sent", Platform: "iOS"}
	}
	evs[24].Platform = "Android" // filtered
	emu.Inject(evs...)
	for _, body := range []string{`{"request":{"auth":"srv"}}`, `{"request":{"auth":"nope"}}`, `not json`} {
		resp, err := http.Post(emu.URL()+"/json/1.3/getApplications", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	emu.Advance(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := emu.Wait(ctx, testkit.Settled().Holds); err != nil {
		t.Fatal(err)
	}

	fams := scrape(t, emu.URL())
	totals := emu.IntegrationTotals()["ios"]
	events := fams["pwemu_events_total"]
	for state, want := range map[string]int{"generated": totals.Generated, "delivered": totals.Delivered,
		"dropped": totals.Dropped, "filtered": totals.Filtered} {
		if got := sum(events, map[string]string{"integration": "ios", "state": state}); got != float64(want) {
			t.Errorf("pwemu_events_total{integration=ios,state=%s} = %v, the ledger says %d", state, got, want)
		}
	}
	if totals.Generated != 25 || totals.Filtered != 1 || totals.Delivered != 24 {
		t.Errorf("ledger totals %+v: the scripted run went differently than planned", totals)
	}
	if got := sum(fams["pwemu_events_pending"], map[string]string{"integration": "ios"}); got != float64(totals.Pending) {
		t.Errorf("pwemu_events_pending = %v, ledger %d", got, totals.Pending)
	}

	// One series per request: the ledger's attempts, counted once per request.
	requests := 0
	outcomes := map[string]int{}
	seen := map[uint64]bool{}
	for _, r := range emu.Records(emulator.RecordQuery{}) {
		for _, a := range r.Attempts {
			if !seen[a.Request] {
				seen[a.Request] = true
				requests++
				outcomes[a.Outcome()]++
			}
		}
	}
	attempts := fams["pwemu_delivery_attempts_total"]
	if got := sum(attempts, nil); got != float64(requests) || requests != 4 {
		t.Errorf("pwemu_delivery_attempts_total = %v, the ledger holds %d requests (want 4: 3 batches, 1 retry)", got, requests)
	}
	for outcome, n := range outcomes {
		if got := sum(attempts, map[string]string{"integration": "ios", "transport": "http", "outcome": outcome}); got != float64(n) {
			t.Errorf("attempts with outcome %s: metric %v, ledger %d", outcome, got, n)
		}
	}
	if outcomes["server_error"] != 1 {
		t.Errorf("outcomes %v: want one server_error (the scripted 503)", outcomes)
	}
	if got := sum(fams["pwemu_delivery_duration_seconds"], map[string]string{"integration": "ios"}); got != float64(requests) {
		t.Errorf("pwemu_delivery_duration_seconds holds %v observations, want %d", got, requests)
	}

	// The API calls: the journal's, by method and HTTP status.
	calls := emu.Calls()
	if got := sum(fams["pwemu_api_requests_total"], nil); got != float64(len(calls)) || len(calls) != 3 {
		t.Errorf("pwemu_api_requests_total = %v, journal %d", got, len(calls))
	}
	for _, c := range calls {
		if got := sum(fams["pwemu_api_requests_total"], map[string]string{"method": c.Method,
			"http_status": strconv.Itoa(c.HTTPStatus)}); got < 1 {
			t.Errorf("no pwemu_api_requests_total series for %s %d", c.Method, c.HTTPStatus)
		}
	}
	if got := sum(fams["pwemu_api_requests_total"], map[string]string{"method": "getApplications", "http_status": "200", "status_code": "200"}); got != 1 {
		t.Errorf("getApplications 200/200: %v, want 1", got)
	}

	if got := sum(fams["pwemu_emulator_time_seconds"], nil); got != float64(emu.Now().Unix()) {
		t.Errorf("pwemu_emulator_time_seconds = %v, clock %v", got, emu.Now())
	}
	if fams["go_goroutines"] == nil || fams["go_memstats_heap_alloc_bytes"] == nil {
		t.Error("the Go runtime metrics are missing")
	}

	// Two emulators, two registries: the second one starts from zero.
	other := start(t, metricsScenarioFor(t, rec.URL()))
	if got := sum(scrape(t, other.URL())["pwemu_api_requests_total"], nil); got != 0 {
		t.Errorf("a fresh emulator reports %v API calls", got)
	}
}
