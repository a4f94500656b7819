package container_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/testkit/container"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// stormScenario: the receiver answers 503 to the first batches; pwemu retries them on
// 1 s / 3 s / 8 s of (manual) emulator time.
const stormScenario = `
name: 5xx storm through the container
clock: {mode: manual}
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS, Android]
`

func TestContainerDeliversA5xxStormToAReceiverInTheTest(t *testing.T) {
	ctx := t.Context()
	// The container reaches the host through the bridge gateway, so the receiver listens
	// on every interface; the storm: 503 to the first five requests.
	rec := receiver.StartHTTP(t, receiver.WithHTTPAddr("0.0.0.0:0"),
		receiver.WithHTTPResponses(receiver.HTTPRepeat(receiver.HTTPStatus(http.StatusServiceUnavailable), 5)...))
	port := rec.Addr()[strings.LastIndex(rec.Addr(), ":")+1:]

	ctr := container.Start(t, container.WithScenarioYAML(stormScenario),
		container.WithEnv(map[string]string{"RECEIVER_URL": container.HostURL("http://127.0.0.1:" + port + "/events")}))
	client := ctr.Client
	evs := make([]catalog.Event, 300)
	for i := range evs {
		evs[i] = catalog.Event{UUID: fmt.Sprintf("storm-%03d", i), EventName: "Push Sent", Platform: "iOS", HWID: fmt.Sprint(i)}
	}
	if n, err := client.Inject(ctx, evs...); err != nil || n != 300 {
		t.Fatalf("Inject: %d, %v", n, err)
	}
	// Three batches go out at once; two get 503 twice… every batch succeeds within the
	// retry schedule because only five requests fail in all.
	if _, err := client.Advance(ctx, 15*time.Second); err != nil {
		t.Fatal(err)
	}
	view, err := client.Ledger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := emulator.Totals{Generated: 300, Delivered: 300}
	if view.Totals != want || !view.Totals.Balanced() {
		t.Fatalf("ledger through ControlClient: %+v, want %+v", view.Totals, want)
	}
	st := rec.Stats()
	if st.Requests != 8 || st.Unique != 300 {
		t.Fatalf("receiver saw %+v; want 8 requests (3 batches + 5 retries), 300 unique events", st)
	}
	retried := 0
	for _, r := range view.Events {
		if len(r.Attempts) > 1 {
			retried++
			if r.Attempts[0].Status != http.StatusServiceUnavailable {
				t.Fatalf("first attempt of a retried event: %+v", r.Attempts[0])
			}
		}
	}
	if retried == 0 {
		t.Fatal("no event needed a retry: the storm did not happen")
	}
}

func TestStartTakesTheScenarioClockSeedAndImageOptions(t *testing.T) {
	ctx := t.Context()
	file := filepath.Join(t.TempDir(), "quiet.yaml")
	if err := os.WriteFile(file, []byte("name: quiet from a file\nclock: {mode: real}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctr := container.Start(t, container.WithImage(image), container.WithScenario(file),
		container.WithClock("manual"), container.WithSeed(7))
	if now, err := ctr.Client.Now(ctx); err != nil || !now.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("WithClock(manual): emulator time %v, %v; want the manual clock's start", now, err)
	}
	if sc, err := ctr.Client.Scenario(ctx); err != nil || !strings.Contains(string(sc), "quiet from a file") {
		t.Fatalf("WithScenario: running scenario %q, %v", sc, err)
	}
	// The seed shows only in generated data; cmd/pwemu's tests cover PWEMU_SEED itself.
	info, err := ctr.Inspect(ctx)
	if err != nil || !slices.Contains(info.Config.Env, "PWEMU_SEED=7") {
		t.Fatalf("WithSeed(7): container environment %v, %v", info.Config.Env, err)
	}
	if ctr.Client.URL() != ctr.URL {
		t.Fatalf("Client drives %s, the API is at %s", ctr.Client.URL(), ctr.URL)
	}

	bundled := container.Start(t, container.WithBundledScenario("default"))
	if sc, err := bundled.Client.Scenario(ctx); err != nil || !strings.Contains(string(sc), "name: default") {
		t.Fatalf("WithBundledScenario(default): running scenario %q, %v", sc, err)
	}
}

func TestHostURL(t *testing.T) {
	cases := map[string]string{
		"http://127.0.0.1:9000/hook": "http://host.docker.internal:9000/hook",
		"http://localhost:9000":      "http://host.docker.internal:9000",
		"https://[::1]:8443/x?y=1":   "https://host.docker.internal:8443/x?y=1",
		"grpc://127.0.0.1:50051":     "grpc://host.docker.internal:50051",
		"127.0.0.1:50051":            "host.docker.internal:50051",
		"http://example.com:9000/":   "http://example.com:9000/",
		"http://10.1.2.3:80":         "http://10.1.2.3:80",
	}
	for in, want := range cases {
		if got := container.HostURL(in); got != want {
			t.Errorf("HostURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// BenchmarkContainerStart measures `Run` to a healthy pwemu (the module's wait on
// /_pwemu/health) against the bare lifecycle of a container of the same image that
// only prints its version and exits: the difference is pwemu's own start.
func BenchmarkContainerStart(b *testing.B) {
	ctx := context.Background()
	b.Run("bare-docker-run-version", func(b *testing.B) {
		for b.Loop() {
			ctr, err := testcontainers.Run(ctx, image, testcontainers.WithCmd("version"),
				testcontainers.WithWaitStrategy(wait.ForExit().WithExitTimeout(30*time.Second)))
			if err != nil {
				b.Fatal(err)
			}
			testcontainers.TerminateContainer(ctr)
		}
	})
	b.Run("pwemu-healthy", func(b *testing.B) {
		for b.Loop() {
			ctr, err := container.Run(ctx, image)
			if err != nil {
				b.Fatal(err)
			}
			testcontainers.TerminateContainer(ctr)
		}
	})
}
