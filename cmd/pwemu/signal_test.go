package main

import (
	"bufio"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pwemu/pwemu/testkit/receiver"
)

// mainArgsVar, set, makes the test binary run main with these arguments: the test
// below needs a real process to send signals to.
const mainArgsVar = "PWEMU_TEST_MAIN_ARGS"

// A second SIGTERM during the shutdown grace ends pwemu at once: the grace is an
// hour, the receiver hangs, and the process still exits, killed by the signal,
// without printing the final totals.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	if args := os.Getenv(mainArgsVar); args != "" {
		os.Args = append([]string{"pwemu"}, strings.Split(args, "\x1f")...)
		main()
		return
	}
	rcv := receiver.StartHTTP(t, receiver.WithHTTPDefault(receiver.HTTPHang()))
	file := filepath.Join(t.TempDir(), "s.yaml")
	yaml := "name: second-signal\nstreams:\n  - endpoint: " + rcv.URL() + "/events\n    events: [Push Sent]\n    platforms: [iOS]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecondSignalExitsAtOnce$")
	cmd.Env = append(os.Environ(), mainArgsVar+"="+strings.Join([]string{"serve", "--addr", "127.0.0.1:0", "--scenario", file, "--shutdown-grace", "1h"}, "\x1f"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	lines := make(chan string, 64)
	var out strings.Builder
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		exited <- cmd.Wait()
	}()
	var waitErr error
	finished := false
	t.Cleanup(func() {
		if !finished {
			cmd.Process.Kill() //nolint:errcheck // the test failed before the process ended
			for range lines {
			}
			<-exited
		}
	})
	deadline := time.After(60 * time.Second) // generous: a loaded machine, not a timing assertion
	// await reads stdout up to a line containing want.
	await := func(want string) string {
		t.Helper()
		for {
			select {
			case l, ok := <-lines:
				if !ok {
					t.Fatalf("stdout ended before %q:\n%s", want, out.String())
				}
				out.WriteString(l + "\n")
				if strings.Contains(l, want) {
					return l
				}
			case <-deadline:
				t.Fatalf("no %q on stdout:\n%s", want, out.String())
			}
		}
	}
	m := apiLine.FindStringSubmatch(await("/json/1.3/"))
	if m == nil {
		t.Fatalf("no API address in:\n%s", out.String())
	}
	req, _ := http.NewRequest("POST", m[1]+"/_pwemu/events", strings.NewReader(`[{"event_name":"Push Sent","platform":"iOS"}]`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	await("shutting down")
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	for open := true; open; {
		select {
		case l, ok := <-lines:
			out.WriteString(l + "\n")
			open = ok
		case <-deadline:
			t.Fatalf("pwemu still runs after a second SIGTERM within its hour of grace:\n%s", out.String())
		}
	}
	waitErr = <-exited // stdout closed: the process has ended
	finished = true
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		t.Fatalf("exit: %v, want death by SIGTERM", waitErr)
	}
	if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Fatalf("exit: %v, want death by SIGTERM", waitErr)
	}
	if strings.Contains(out.String(), "final ledger") {
		t.Fatalf("the grace ran to its end:\n%s", out.String())
	}
}
