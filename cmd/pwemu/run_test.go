package main

import (
	"encoding/json"
	"encoding/xml"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/testkit/receiver"
)

// junitSuites is the part of a JUnit report a CI system reads.
type junitSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	Suites  []struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Cases    []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) junitSuites {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var j junitSuites
	if err := xml.Unmarshal(data, &j); err != nil {
		t.Fatalf("JUnit report is not valid XML: %v\n%s", err, data)
	}
	if len(j.Suites) != 1 {
		t.Fatalf("JUnit report has %d suites", len(j.Suites))
	}
	return j
}

func TestRunExitsZeroWhenTheReceiverMeetsTheExpectations(t *testing.T) {
	rec := receiver.StartHTTP(t)
	dir := t.TempDir()
	junit, report := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "report.json")
	// flags after the file work too
	code, out, errs := run(t, nil, "run", "happy-path", "--receiver", rec.URL(), "--junit", junit, "--json", report)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errs)
	}
	if st := rec.Stats(); st.Unique != 1000 || st.Batches != 10 {
		t.Fatalf("receiver saw %+v; want 1000 events in 10 batches", st)
	}
	j := readJUnit(t, junit)
	if s := j.Suites[0]; s.Failures != 0 || s.Tests != len(s.Cases) || s.Tests < 5 {
		t.Fatalf("JUnit suite %+v", s)
	}
	var r struct {
		Outcome struct {
			Delivered int `json:"delivered"`
		} `json:"outcome"`
	}
	data, _ := os.ReadFile(report)
	if err := json.Unmarshal(data, &r); err != nil || r.Outcome.Delivered != 1000 {
		t.Fatalf("JSON report: %v %s", err, data)
	}
	if !strings.Contains(out, "delivered") {
		t.Fatalf("no readable report on stdout:\n%s", out)
	}
}

func TestRunExitsOneWhenAnExpectationFails(t *testing.T) {
	rec := receiver.StartHTTP(t, receiver.WithHTTPDefault(receiver.HTTPStatus(http.StatusUnprocessableEntity)))
	junit := filepath.Join(t.TempDir(), "junit.xml")
	code, out, errs := run(t, nil, "run", "--receiver", rec.URL(), "--junit", junit, "happy-path")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	j := readJUnit(t, junit)
	failed := map[string]bool{}
	for _, c := range j.Suites[0].Cases {
		if c.Failure != nil {
			failed[c.Name] = true
		}
	}
	if j.Suites[0].Failures == 0 || !failed["no_4xx"] {
		t.Fatalf("JUnit failures %v; want no_4xx among them", failed)
	}
}

func TestRunRejectsABrokenScenario(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.yaml")
	os.WriteFile(path, []byte("name: x\nstreams:\n  - endpoint: ${RECEIVER_URL}\n    events: [Push Sent]\n    platforms: [iPhone]\n"), 0o644)
	code, _, errs := run(t, nil, "run", "--receiver", "http://127.0.0.1:9/x", path)
	if code != 2 || !strings.Contains(errs, "broken.yaml:5:") {
		t.Fatalf("exit %d, stderr %q; want 2 naming broken.yaml:5", code, errs)
	}
}

func TestRunAgainstAClosedPortSaysConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	dir := t.TempDir()
	junit, report := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "report.json")
	code, out, errs := run(t, nil, "run", "--receiver", "http://"+addr+"/events", "--receiver-wait", "200ms",
		"--junit", junit, "--json", report, "happy-path")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errs)
	}
	want := "40 attempts: 40× connection refused (" + addr + ": is the receiver listening?)"
	if !strings.Contains(out, "why: ") || !strings.Contains(out, want) {
		t.Fatalf("the text report does not explain the failure with %q:\n%s", want, out)
	}
	if !strings.Contains(out, "still refuses connections after 200ms; playing anyway") {
		t.Fatalf("--receiver-wait did not say it waited in vain:\n%s", out)
	}
	for _, path := range []string{junit, report} {
		data, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(data), "connection refused") {
			t.Fatalf("%s does not name the cause: %v\n%s", filepath.Base(path), err, data)
		}
	}
}

func TestRunWaitsForTheReceiverToListen(t *testing.T) {
	rec := receiver.StartHTTP(t)
	code, out, errs := run(t, nil, "run", "--receiver", rec.URL(), "happy-path")
	if code != 0 || strings.Contains(out, "waiting up to") {
		t.Fatalf("exit %d; a listening receiver needs no wait\n%s\n%s", code, out, errs)
	}
}

func TestRunWritesReportsForAnInvalidScenario(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "broken.yaml")
	os.WriteFile(path, []byte("name: x\nstreams:\n  - endpoint: ${RECEIVER_URL}\n    events: [Push Sent]\n    platforms: [iPhone]\n"), 0o644)
	junit, report := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "report.json")
	code, _, errs := run(t, nil, "run", "--receiver", "http://127.0.0.1:9/x", "--junit", junit, "--json", report, path)
	if code != 2 {
		t.Fatalf("exit %d, want 2: %s", code, errs)
	}
	j := readJUnit(t, junit)
	if s := j.Suites[0]; s.Failures != 1 || len(s.Cases) != 1 || s.Cases[0].Failure == nil {
		t.Fatalf("JUnit for an invalid scenario: %+v; want one failing test case", s)
	}
	data, _ := os.ReadFile(junit)
	if !strings.Contains(string(data), "broken.yaml:5:") {
		t.Fatalf("the JUnit report does not carry the scenario's errors:\n%s", data)
	}
	var r struct {
		OK     bool `json:"ok"`
		Checks []struct {
			Got string `json:"got"`
		} `json:"checks"`
	}
	data, _ = os.ReadFile(report)
	if err := json.Unmarshal(data, &r); err != nil || r.OK || len(r.Checks) != 1 || !strings.Contains(r.Checks[0].Got, "broken.yaml:5:") {
		t.Fatalf("JSON report for an invalid scenario: %v\n%s", err, data)
	}
	if code, _, _ := run(t, nil, "run", "--clock", "sideways", "happy-path"); code != 2 {
		t.Fatalf("a bad --clock exits %d, want 2", code)
	}
}

func TestRunLogsAsJSONWithTheEmulatorTime(t *testing.T) {
	rec := receiver.StartHTTP(t)
	code, _, errs := run(t, nil, "run", "--receiver", rec.URL(), "--log-level", "info", "--log-format", "json", "happy-path")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	attempts := 0
	for _, line := range lines {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line is not JSON: %q", line)
		}
		if rec["emu_time"] == nil || rec["time"] == nil {
			t.Fatalf("a log line lacks the emulator time beside the wall time: %q", line)
		}
		if rec["msg"] == "delivery attempt" {
			attempts++
		}
	}
	if attempts != 10 {
		t.Fatalf("%d delivery attempt lines at info, want one per batch (10)", attempts)
	}
}
