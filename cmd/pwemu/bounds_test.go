package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/testkit/receiver"
)

func TestParseBytes(t *testing.T) {
	for in, want := range map[string]int{"64MiB": 64 << 20, "512KiB": 512 << 10, "1GiB": 1 << 30, "4096": 4096, "10B": 10} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-1MiB", "lots", "1TB", "99999999999999999GiB"} {
		if _, err := parseBytes(in); err == nil {
			t.Errorf("parseBytes(%q): no error", in)
		}
	}
}

// SIGTERM with pending work that cannot go out: the last attempt is bounded by
// --shutdown-grace, then the final totals are printed and serve returns.
func TestServeShutsDownWithinTheGraceAndPrintsTotals(t *testing.T) {
	rcv := receiver.StartHTTP(t, receiver.WithHTTPDefault(receiver.HTTPHang()))
	file := filepath.Join(t.TempDir(), "s.yaml")
	yaml := "name: shutdown\nstreams:\n  - endpoint: " + rcv.URL() + "/events\n    events: [Push Sent]\n    platforms: [iOS]\n"
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	out, errb := &syncBuffer{}, &syncBuffer{}
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--scenario", file, "--shutdown-grace", "200ms"}, envOf(nil), out, errb)
	}()
	var base string
	for base == "" {
		if m := apiLine.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errb.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	req, _ := http.NewRequest("POST", base+"/_pwemu/events", strings.NewReader(`[{"event_name":"Push Sent","platform":"iOS"},{"event_name":"Push Sent","platform":"iOS"}]`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cancel() // SIGTERM
	select {
	case <-done:
	case <-time.After(20 * time.Second): // the old bound was 35 s
		t.Fatal("serve did not return after its shutdown grace")
	}
	if !strings.Contains(out.String(), "final ledger: generated 2, delivered 0, dropped 0, filtered 0, pending 2") {
		t.Fatalf("no final totals printed:\n%s", out.String())
	}
	if rcv.Stats().Requests == 0 {
		t.Fatal("the pending batch got no last attempt")
	}
}

// The store limits are flags mirrored by PWEMU_* variables; a limit of 0 is a usage error.
func TestStoreLimitFlagsAreCheckedFromFlagsAndEnvironment(t *testing.T) {
	for _, tc := range []struct {
		vars map[string]string
		args []string
	}{
		{nil, []string{"serve", "--max-devices", "0"}},
		{map[string]string{"PWEMU_MAX_MESSAGES": "-1"}, []string{"serve"}},
		{map[string]string{"PWEMU_MAX_TAGS": "0"}, []string{"serve"}},
	} {
		code, _, errs := run(t, tc.vars, tc.args...)
		if code != 2 || !strings.Contains(errs, "--max-devices, --max-messages and --max-tags must be above 0") {
			t.Errorf("%v %v: exit %d, stderr %q; want 2 naming the limits", tc.vars, tc.args, code, errs)
		}
	}
}
