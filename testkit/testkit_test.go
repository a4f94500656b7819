package testkit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

const streamScenario = `
name: testkit stream
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
`

func pushSent(n int) []catalog.Event {
	evs := make([]catalog.Event, n)
	for i := range evs {
		evs[i] = catalog.Event{UUID: fmt.Sprintf("evt-%04d", i), EventName: "Push Sent", Platform: "iOS",
			MessageCode: "C3F8-C3863ED4-334AD4F1", ApplicationCode: "32E5A-9B411", HWID: fmt.Sprintf("hw-%d", i)}
	}
	return evs
}

func TestStartInjectAdvanceWaitAndTheClientAgree(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.ScenarioYAML(streamScenario), testkit.Env("RECEIVER_URL", rec.URL()),
		testkit.ManualClock())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	if n := emu.Inject(pushSent(250)...); n != 250 {
		t.Fatalf("Inject accepted %d", n)
	}
	emu.Advance(0)
	if got := emu.Totals(); got.Delivered != 200 || got.Pending != 50 {
		t.Fatalf("after Advance(0): %+v; want 200 delivered (two full batches), 50 pending", got)
	}
	emu.Advance(time.Hour)
	totals, err := emu.WaitDelivered(ctx, 250)
	if err != nil || totals != (emulator.Totals{Generated: 250, Delivered: 250}) {
		t.Fatalf("WaitDelivered: %+v, %v", totals, err)
	}
	if st := rec.Stats(); st.Batches != 3 || st.Unique != 250 || st.Duplicates != 0 {
		t.Fatalf("receiver saw %+v; want 3 batches of 250 unique events", st)
	}
	if totals, err := emu.Wait(ctx, testkit.Settled()); err != nil || totals.Pending != 0 {
		t.Fatalf("Wait(Settled): %+v, %v", totals, err)
	}
	records := emu.Records()
	if len(records) != 250 || records[0].State != emulator.Delivered || records[0].Event.UUID != "evt-0000" || len(records[0].Attempts) != 1 {
		t.Fatalf("records: %d, first %+v", len(records), records[0])
	}

	// the control-API client reads the same ledger
	c := emu.Client()
	view, err := c.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if view.Totals != totals || len(view.Events) != 250 || view.Events[0].Event.UUID != "evt-0000" {
		t.Fatalf("client ledger %+v with %d records", view.Totals, len(view.Events))
	}
	if view.Events[249].State != emulator.Delivered || len(view.Events[249].Attempts) != 1 {
		t.Fatalf("last record %+v", view.Events[249])
	}
	now, err := c.Advance(ctx, time.Minute)
	if err != nil || !now.Equal(emu.Now()) {
		t.Fatalf("client Advance: %v %v (emulator at %v)", now, err, emu.Now())
	}
	if _, err := c.Wait(ctx, testkit.Condition{Delivered: ptr(250), Settled: true}); err != nil {
		t.Fatalf("client Wait: %v", err)
	}

	emu.Reset()
	if got := emu.Totals(); got != (emulator.Totals{}) {
		t.Fatalf("after Reset: %+v", got)
	}
}

func TestClientInjectGenerateJournalAndErrors(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.ScenarioYAML(streamScenario), testkit.Env("RECEIVER_URL", rec.URL()),
		testkit.ManualClock())
	ctx := context.Background()
	c := testkit.NewClient(emu.URL(), nil)
	if err := c.Health(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := c.Inject(ctx, pushSent(3)...); err != nil || n != 3 {
		t.Fatalf("Inject: %d %v", n, err)
	}
	resp, err := http.Post(emu.URL()+"/json/1.3/getApplications", "", strings.NewReader(`{"request":{"auth":"srv"}}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	j, err := c.Journal(ctx, "getApplications")
	if err != nil || j.Total != 1 || j.Calls[0].HTTPStatus != 200 {
		t.Fatalf("Journal: %+v %v", j, err)
	}
	if err := c.PutScenario(ctx, []byte("name: broken\nstreams: [{endpoint: nope}]\n")); err == nil ||
		!strings.Contains(err.Error(), "HTTP 400") {
		t.Fatalf("PutScenario of a broken scenario: %v", err)
	}
	// Three events wait for the hourly batch: only Advance can deliver them.
	_, err = c.Wait(ctx, testkit.Condition{Delivered: ptr(1000)})
	var apiErr *testkit.APIError
	if !asAPIError(err, &apiErr) || apiErr.Status != http.StatusConflict ||
		!strings.Contains(apiErr.Message, "nothing will happen until 01:00:00") || !strings.Contains(apiErr.Message, "call Advance") {
		t.Fatalf("Wait that only Advance can satisfy: %v; want a 409 naming the next timer", err)
	}
}

func TestWaitOnAManualClockWithNothingInFlightFailsAtOnce(t *testing.T) {
	emu := testkit.Start(t, testkit.ScenarioYAML(streamScenario), testkit.Env("RECEIVER_URL", "http://127.0.0.1:9/x"),
		testkit.ManualClock())
	emu.Inject(pushSent(2)...)
	// A generous deadline: the wait must end on its own, long before it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := emu.WaitDelivered(ctx, 2)
	var stalled *emulator.StalledError
	if !errors.As(err, &stalled) || !stalled.HasNext || !strings.Contains(err.Error(), "nothing will happen until 01:00:00") || !strings.Contains(err.Error(), "call Advance") {
		t.Fatalf("in-process wait with only a timer ahead: %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the wait ran into its deadline instead of ending at once")
	}
	_, err = emu.Client().WaitDelivered(ctx, 2)
	var apiErr *testkit.APIError
	if !asAPIError(err, &apiErr) || apiErr.Status != http.StatusConflict || !strings.Contains(apiErr.Message, "01:00:00") {
		t.Fatalf("remote wait with only a timer ahead: %v", err)
	}
	emu.Advance(time.Hour) // the batch goes out; the receiver is not there: retries are timers too
	if _, err := emu.Wait(ctx, testkit.Condition{Generated: ptr(2)}); err != nil {
		t.Fatalf("a condition that holds: %v", err)
	}
}

func asAPIError(err error, target **testkit.APIError) bool {
	e, ok := err.(*testkit.APIError)
	if ok {
		*target = e
	}
	return ok
}

func TestWaitHonoursItsTimeoutInProcessAndRemotely(t *testing.T) {
	// A real clock: on a manual clock with nothing due a wait cannot time out, it is
	// refused at once.
	emu := testkit.Start(t)
	never := testkit.Condition{Delivered: ptr(1 << 30), Timeout: "20ms"}
	if _, err := emu.Wait(context.Background(), never); err == nil {
		t.Fatal("in-process Wait on a condition that cannot hold returned no error")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := emu.Client().Wait(ctx, testkit.Condition{Delivered: ptr(1 << 30)})
	var apiErr *testkit.APIError
	if !asAPIError(err, &apiErr) || apiErr.Status != http.StatusRequestTimeout {
		t.Fatalf("client Wait under a 100ms deadline: %v; want the server's 408 before the deadline", err)
	}
}

func TestAdvanceOnARealClockIsRefused(t *testing.T) {
	emu, err := testkit.New() // outside a test, what would fail the test panics
	if err != nil {
		t.Fatal(err)
	}
	defer emu.Close()
	defer func() {
		if p := recover(); p == nil || !strings.Contains(fmt.Sprint(p), "the clock is not manual") {
			t.Fatalf("Advance on a real clock: %v", p)
		}
	}()
	emu.Advance(time.Second)
}

func TestScenarioValueSeedAndLogger(t *testing.T) {
	sc := &scenarios.Scenario{Name: "in go", Streams: []scenarios.Stream{{Endpoint: "http://127.0.0.1:9/x",
		Events: []string{"Push Sent"}, Platforms: []string{"iOS"}}},
		Traffic: []scenarios.Traffic{{Generate: scenarios.Generate{Count: 5, Platforms: []string{"iOS"}}}}}
	hwids := func(seed int64) (ids []string, logs string) {
		var buf bytes.Buffer
		emu := testkit.Start(t, testkit.ScenarioValue(sc), testkit.ManualClock(), testkit.Seed(seed),
			testkit.Logger(slog.New(slog.NewTextHandler(&buf, nil))))
		emu.Advance(0) // the traffic due at the start
		for _, r := range emu.Records() {
			ids = append(ids, r.Event.HWID)
		}
		emu.Close()
		return ids, buf.String()
	}
	one, logs := hwids(1)
	again, _ := hwids(1)
	other, _ := hwids(2)
	if len(one) != 5 || !slices.Equal(one, again) || slices.Equal(one, other) {
		t.Fatalf("seed 1: %v, again %v, seed 2: %v; want 5 events, the same for the same seed", one, again, other)
	}
	if !strings.Contains(logs, "final ledger") {
		t.Fatalf("the logger got %q; want the final ledger logged at close", logs)
	}
	if sc.Streams[0].Batch.Size != 0 || sc.Raw != nil {
		t.Fatalf("the caller's scenario was changed: %+v", sc.Streams[0])
	}
}

func TestBundledScenarioAndCalls(t *testing.T) {
	emu := testkit.Start(t, testkit.BundledScenario("suspended-app"))
	body := `{"request":{"application":"DEAD0-00001","auth":"suspended-server-token","notifications":[{"send_date":"now","content":"hi"}]}}`
	resp, err := http.Post(emu.URL()+"/json/1.3/createMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	calls := emu.Calls()
	if len(calls) != 1 || calls[0].Method != "createMessage" || !strings.Contains(string(calls[0].Response), "Application suspended") {
		t.Fatalf("calls: %+v", calls)
	}
}

func TestScaledClock(t *testing.T) {
	emu := testkit.Start(t, testkit.ScaledClock(3600))
	var info struct {
		Mode  string  `json:"mode"`
		Speed float64 `json:"speed"`
	}
	resp, err := http.Get(emu.URL() + "/_pwemu/clock")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil || info.Mode != "scaled" || info.Speed != 3600 {
		t.Fatalf("clock %+v, %v; want scaled at 3600", info, err)
	}
}

func TestReplaceScenario(t *testing.T) {
	rec := receiver.StartHTTP(t)
	emu := testkit.Start(t, testkit.ManualClock())
	emu.ReplaceScenario(testkit.ScenarioYAML(streamScenario), testkit.Env("RECEIVER_URL", rec.URL()))
	emu.Inject(pushSent(100)...)
	emu.Advance(0)
	if got := emu.Totals(); got.Delivered != 100 || rec.Stats().Unique != 100 {
		t.Fatalf("after replacing the scenario: %+v, receiver %+v", got, rec.Stats())
	}
	yaml, err := emu.Client().Scenario(context.Background())
	if err != nil || !strings.Contains(string(yaml), "name: testkit stream") {
		t.Fatalf("running scenario: %q %v", yaml, err)
	}
	if emu.Now() != emu.Advance(0) {
		t.Fatal("Now is not the manual clock's time")
	}
}

func ptr(n int) *int { return &n }

// BenchmarkStart measures an in-process start (scenario parsed, port bound, served)
// and close.
func BenchmarkStart(b *testing.B) {
	for b.Loop() {
		emu, err := testkit.New(testkit.ScenarioYAML(streamScenario), testkit.Env("RECEIVER_URL", "http://127.0.0.1:9/x"))
		if err != nil {
			b.Fatal(err)
		}
		emu.Close()
	}
}
