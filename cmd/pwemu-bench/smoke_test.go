package main

import (
	"bufio"
	"os"
	"strings"
	"testing"
)

// TestMain lets the test binary play the harness's roles: the harness starts its own
// executable, which under go test is this binary.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 {
		if role, ok := roles[os.Args[1]]; ok {
			if err := role(os.Args[2:]); err != nil {
				os.Stderr.WriteString("pwemu-bench " + os.Args[1] + ": " + err.Error() + "\n")
				os.Exit(1)
			}
			os.Exit(0)
		}
	}
	os.Exit(m.Run())
}

// TestSmoke runs one pair of the API and HTTP sender figures with small loads: every
// process starts, talks and reports. It checks that the table comes out, never a figure.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds pwemu and starts processes")
	}
	var out strings.Builder
	err := runHarness([]string{"-short", "-pairs", "1", "-only", "api,http", "-duration", "1s", "-sender-events", "1000"}, &out)
	if err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, row := range []string{"| createMessage req/s |", "| createMessage p99 latency |", "| HTTP sender events/s"} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("no row %q in:\n%s", row, out.String())
		}
	}
}

func TestParseConfig(t *testing.T) {
	var out strings.Builder
	if _, err := parseConfig([]string{"-only", "api,nope"}, &out); err == nil || !strings.Contains(err.Error(), `unknown figure "nope"`) {
		t.Errorf("-only nope: got %v", err)
	}
	c, err := parseConfig([]string{"-short"}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if c.senderEvents != 5_000 || c.pairs != 5 {
		t.Errorf("-short defaults: %+v", c)
	}
}

func TestReadResponse(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		status   int
		closing  bool
	}{
		{"length", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 200, false},
		{"chunked", "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 503, false},
		{"close", "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n", 200, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := bufioFrom(tc.in)
			status, closing, err := readResponse(r)
			if err != nil || status != tc.status || closing != tc.closing {
				t.Errorf("got %d %v %v, want %d %v", status, closing, err, tc.status, tc.closing)
			}
			if r.Buffered() != 0 {
				t.Errorf("%d bytes left unread", r.Buffered())
			}
		})
	}
	if _, _, err := readResponse(bufioFrom("HTTP/1.1 200 OK\r\n\r\n")); err == nil {
		t.Error("an answer without a length: no error")
	}
}

func TestLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{"127.0.0.1:80": true, "[::1]:80": true, "localhost:1": true, "10.0.0.1:80": false, "example.com:80": false} {
		if err := loopbackOnly(addr); (err == nil) != ok {
			t.Errorf("%s: %v", addr, err)
		}
	}
}

func bufioFrom(s string) *bufio.Reader { return bufio.NewReader(strings.NewReader(s)) }
