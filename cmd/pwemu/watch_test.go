package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// eventually polls cond until it holds, failing the test after 10 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within 10s: %s", what)
		}
		<-time.After(20 * time.Millisecond) // the poll interval of a bounded wait
	}
}

func TestServeWatchReloadsTheScenarioFileAndKeepsTheLastGoodOne(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "watched.yaml")
	write := func(content string) {
		t.Helper()
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("name: first version\n")
	base, _, logs := startServeLogs(t, map[string]string{"PWEMU_WATCH": "true"},
		"serve", "--addr", "127.0.0.1:0", "--scenario", file)
	running := func() string {
		resp, err := http.Get(base + "/_pwemu/scenario")
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return string(body)
	}
	if !strings.Contains(running(), "first version") {
		t.Fatalf("running scenario: %q", running())
	}

	write("name: second version\n") // edited in place
	eventually(t, "the edited file is served", func() bool { return strings.Contains(running(), "second version") })

	// saved the way many editors do: a new file renamed over the old one
	tmp := filepath.Join(dir, ".watched.yaml.swp")
	if err := os.WriteFile(tmp, []byte("name: third version\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the renamed-over file is served", func() bool { return strings.Contains(running(), "third version") })

	write("name: broken\nstreams: [{endpoint: http://127.0.0.1:1/x, events: []}]\n")
	eventually(t, "the broken file's errors are logged", func() bool {
		return strings.Contains(logs.String(), "does not load") && strings.Contains(logs.String(), "streams[0].events")
	})
	if got := running(); !strings.Contains(got, "third version") {
		t.Fatalf("after a broken file the running scenario is %q; want the last good one kept", got)
	}
	if !strings.Contains(logs.String(), "scenario reloaded") {
		t.Fatalf("no reload logged:\n%s", logs.String())
	}
}

func TestServeWatchNeedsAScenarioFile(t *testing.T) {
	code, _, stderr := run(t, nil, "serve", "--addr", "127.0.0.1:0", "--watch", "--scenario", "default")
	if code != 2 || !strings.Contains(stderr, "--watch reloads a scenario file") {
		t.Fatalf("serve --watch with a bundled scenario: exit %d, %q; want 2 and why", code, stderr)
	}
}
