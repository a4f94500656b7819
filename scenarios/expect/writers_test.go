package expect

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func sampleReports() []Report {
	pass := Report{Scenario: "happy path", Duration: 1500 * time.Millisecond,
		Outcome: Outcome{Generated: 3, Delivered: 3, MaxLatency: 12 * time.Millisecond, MaxDelay: time.Second, MaxAttempts: 1, StatusCounts: map[int]int{200: 1}},
		Checks: []Check{{"ledger balances", "generated = delivered + dropped + filtered + pending", "3 = 3 + 0 + 0 + 0", true},
			{"delivered", "all 3 events", "3", true}}}
	fail := Report{Scenario: "storm <&> \"quoted\"", Duration: 2 * time.Minute,
		Outcome: Outcome{Generated: 10, Delivered: 8, Dropped: 2, MaxAttempts: 4, StatusCounts: map[int]int{200: 1, 503: 8},
			APICalls: 2, APIStatusCounts: map[int]int{200: 2}, APICodeCounts: map[int]int{200: 2}},
		Checks: []Check{{"ledger balances", "generated = delivered + dropped + filtered + pending", "10 = 8 + 2 + 0 + 0", true},
			{"delivered", "all 10 events", "8", false},
			{"no_5xx", "no 5xx answers", "8 attempts (503×8)", false}}}
	return []Report{pass, fail}
}

func TestWriteText(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	for _, r := range sampleReports() {
		if err := WriteText(&b, r); err != nil {
			t.Fatal(err)
		}
	}
	want := `PASS happy path in 1.5s: 2 checks passed
  ok  ledger balances  want generated = delivered + dropped + filtered + pending  got 3 = 3 + 0 + 0 + 0
  ok  delivered        want all 3 events                                          got 3
  outcome: generated 3, delivered 3, dropped 0, filtered 0, pending 0; 1 attempt (200×1), max latency 12ms, max delay 1s, max attempts 1
FAIL storm <&> "quoted" in 2m0s: 2 of 3 checks failed
  ok    ledger balances  want generated = delivered + dropped + filtered + pending  got 10 = 8 + 2 + 0 + 0
  FAIL  delivered        want all 10 events                                         got 8
  FAIL  no_5xx           want no 5xx answers                                        got 8 attempts (503×8)
  outcome: generated 10, delivered 8, dropped 2, filtered 0, pending 0; 9 attempts (200×1, 503×8), max latency 0s, max delay 0s, max attempts 4; 2 API calls (HTTP 200×2; status_code 200×2)
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}

// The JUnit shape as a CI system reads it back.
type readSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []struct {
		Name       string `xml:"name,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Time       string `xml:"time,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
		} `xml:"testcase"`
		SystemOut string `xml:"system-out"`
	} `xml:"testsuite"`
}

func TestWriteJUnitParsesBack(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJUnit(&b, sampleReports()...); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), `<?xml version="1.0" encoding="UTF-8"?>`+"\n<testsuites") {
		t.Errorf("header: %.80s", b.String())
	}
	var doc readSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, b.String())
	}
	if doc.Tests != 5 || doc.Failures != 2 || doc.Time != "121.500" || len(doc.Suites) != 2 {
		t.Fatalf("testsuites: tests %d failures %d time %s suites %d", doc.Tests, doc.Failures, doc.Time, len(doc.Suites))
	}
	pass, fail := doc.Suites[0], doc.Suites[1]
	if pass.Name != "happy path" || pass.Tests != 2 || pass.Failures != 0 || pass.Time != "1.500" || len(pass.Cases) != 2 {
		t.Errorf("passing suite: %+v", pass)
	}
	for _, c := range pass.Cases {
		if c.Failure != nil || c.Classname != "pwemu.happy path" {
			t.Errorf("passing case %+v", c)
		}
	}
	if fail.Name != `storm <&> "quoted"` || fail.Tests != 3 || fail.Failures != 2 || len(fail.Cases) != 3 {
		t.Errorf("failing suite: %+v", fail)
	}
	if fail.Cases[0].Failure != nil {
		t.Errorf("the ledger check held: %+v", fail.Cases[0])
	}
	f := fail.Cases[1].Failure
	if fail.Cases[1].Name != "delivered" || f == nil || f.Message != "want all 10 events, got 8" || f.Type != "expectation" || f.Text != "delivered: want all 10 events, got 8" {
		t.Errorf("failure: %+v %+v", fail.Cases[1], f)
	}
	props := map[string]string{}
	for _, p := range fail.Properties {
		props[p.Name] = p.Value
	}
	if props["generated"] != "10" || props["dropped"] != "2" || props["attempts"] != "9" || props["api_calls"] != "2" {
		t.Errorf("properties: %v", props)
	}
	if !strings.HasPrefix(fail.SystemOut, "generated 10, delivered 8") {
		t.Errorf("system-out: %q", fail.SystemOut)
	}
}

func TestWriteJUnitWithNoReports(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	var doc readSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil || doc.Tests != 0 || len(doc.Suites) != 0 {
		t.Errorf("%v %+v", err, doc)
	}
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleReports()[1]); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scenario string         `json:"scenario"`
		OK       bool           `json:"ok"`
		Duration string         `json:"duration"`
		Failed   int            `json:"failed"`
		Outcome  map[string]any `json:"outcome"`
		Checks   []Check        `json:"checks"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if doc.Scenario != `storm <&> "quoted"` || doc.OK || doc.Duration != "2m0s" || doc.Failed != 2 || len(doc.Checks) != 3 || doc.Checks[1] != sampleReports()[1].Checks[1] {
		t.Errorf("%+v", doc)
	}
	o := doc.Outcome
	if o["generated"] != 10.0 || o["dropped"] != 2.0 || o["max_latency"] != "0s" || o["attempts"] != 9.0 ||
		o["status_counts"].(map[string]any)["503"] != 8.0 || o["api_calls"] != 2.0 {
		t.Errorf("outcome: %v", o)
	}
	b.Reset()
	if err := WriteJSON(&b, Report{Scenario: "empty"}); err != nil || !strings.Contains(b.String(), `"checks": []`) {
		t.Errorf("an empty report must still list checks as []: %s %v", b.String(), err)
	}
}
