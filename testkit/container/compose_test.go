package container_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/container"
)

// composeCommand is docker-compose v1, or Docker's compose plugin.
func composeCommand() ([]string, error) {
	if _, err := exec.LookPath("docker-compose"); err == nil {
		return []string{"docker-compose"}, nil
	}
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}, nil
	}
	return nil, fmt.Errorf("neither docker-compose nor docker compose is installed")
}

// TestComposeFileDeliversToItsReceiver runs the repository's compose.yaml as the
// README says, on free ports: pwemu plays happy-path to the compose receiver; the
// receiver gets the 1,000 events and the ledger balances.
func TestComposeFileDeliversToItsReceiver(t *testing.T) {
	compose, err := composeCommand()
	if err != nil {
		if os.Getenv(container.RequireDockerEnv) != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	builder, err := exec.Command(filepath.Join(root, ".ci", "go-builder-image")).Output()
	if err != nil {
		t.Fatalf(".ci/go-builder-image: %v", err)
	}
	project := fmt.Sprintf("pwemu-compose-test-%d", os.Getpid())
	run := func(ctx context.Context, args ...string) string {
		t.Helper()
		argv := append(append(compose[1:], "-f", filepath.Join(root, "compose.yaml"), "-p", project), args...)
		cmd := exec.CommandContext(ctx, compose[0], argv...)
		// The same build arguments as TestMain's `make image`: the layers are cached.
		cmd.Env = append(os.Environ(), "GO_IMAGE="+strings.TrimSpace(string(builder)),
			"VERSION=test", "REVISION=test", "PWEMU_PORT=0", "RECEIVER_PORT=0")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s %s: %v\n%s", compose[0], strings.Join(argv, " "), err, out)
		}
		return string(out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		run(ctx, "down", "--volumes", "--remove-orphans", "--timeout", "5")
	})
	run(ctx, "up", "--detach", "--build")
	published := func(service, port string) string {
		out := strings.TrimSpace(run(ctx, "port", service, port))
		return "http://127.0.0.1:" + out[strings.LastIndex(out, ":")+1:]
	}

	client := testkit.NewClient(published("pwemu", "8080"), nil)
	for client.Health(ctx) != nil { // the container starts; bounded by ctx
		select {
		case <-ctx.Done():
			t.Fatalf("pwemu from compose.yaml never answered: %v\n%s", ctx.Err(), run(context.Background(), "logs"))
		case <-time.After(100 * time.Millisecond):
		}
	}
	totals, err := client.Wait(ctx, testkit.Condition{Delivered: ptr(1000), Settled: true, Timeout: "60s"})
	if err != nil {
		t.Fatalf("wait for 1,000 delivered: %v (%+v)\n%s", err, totals, run(context.Background(), "logs"))
	}
	if totals.Generated != 1000 || totals.Delivered != 1000 || !totals.Balanced() {
		t.Fatalf("ledger %+v; want 1,000 generated and delivered, balanced", totals)
	}

	resp, err := http.Get(published("receiver", "9000") + "/stats")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st struct{ Batches, Events, Invalid int }
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(err)
	}
	// A batch sent before the receiver listened is retried, so at least 1,000.
	if st.Events < 1000 || st.Batches < 10 || st.Invalid != 0 {
		t.Fatalf("receiver counted %+v; want the 1,000 events in batches of 100", st)
	}
}

func ptr[T any](v T) *T { return &v }
