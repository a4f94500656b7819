package main

import (
	"encoding/json"
	"encoding/xml"
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
	if code != 1 || !strings.Contains(errs, "broken.yaml:5:") {
		t.Fatalf("exit %d, stderr %q; want 1 naming broken.yaml:5", code, errs)
	}
}
