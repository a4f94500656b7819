package container_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/testkit/container"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// docker stop gives a container 10 s between SIGTERM and SIGKILL: with batches still
// pending at a receiver that hangs, pwemu's shutdown grace (8 s by default) ends
// within that window and the final totals reach the container's log.
func TestDockerStopWithPendingWorkPrintsTheFinalTotals(t *testing.T) {
	ctx := t.Context()
	rec := receiver.StartHTTP(t, receiver.WithHTTPAddr("0.0.0.0:0"), receiver.WithHTTPDefault(receiver.HTTPHang()))
	port := rec.Addr()[strings.LastIndex(rec.Addr(), ":")+1:]
	ctr := container.Start(t, container.WithScenarioYAML(stormScenario),
		container.WithEnv(map[string]string{"RECEIVER_URL": container.HostURL("http://127.0.0.1:" + port + "/events")}))
	evs := make([]catalog.Event, 50)
	for i := range evs {
		evs[i] = catalog.Event{UUID: fmt.Sprintf("stop-%02d", i), EventName: "Push Sent", Platform: "iOS", HWID: fmt.Sprint(i)}
	}
	if n, err := ctr.Client.Inject(ctx, evs...); err != nil || n != len(evs) {
		t.Fatalf("Inject: %d, %v", n, err)
	}
	if tot, err := ctr.Client.Totals(ctx); err != nil || tot.Pending != len(evs) {
		t.Fatalf("before the stop: %+v, %v; want %d pending", tot, err, len(evs))
	}
	timeout := 10 * time.Second // docker stop's default
	if err := ctr.Stop(ctx, &timeout); err != nil {
		t.Fatalf("docker stop: %v", err)
	}
	st, err := ctr.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logs, err := ctr.Logs(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(logs)
	logs.Close()
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("final ledger: generated %d, delivered 0, dropped 0, filtered 0, pending %d", len(evs), len(evs))
	if !strings.Contains(string(b), want) {
		t.Fatalf("no %q in the container's log (exit code %d, OOM-killed %v):\n%s", want, st.ExitCode, st.OOMKilled, b)
	}
	if st.ExitCode == 137 {
		t.Fatalf("pwemu was killed (exit 137) after printing its totals:\n%s", b)
	}
}
