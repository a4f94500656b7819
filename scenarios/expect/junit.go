package expect

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"time"
)

// The JUnit XML shape CI systems read: one testsuite per scenario run, one testcase
// per check.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return strconv.FormatFloat(d.Seconds(), 'f', 3, 64) }

// WriteJUnit writes reports as JUnit XML: a testsuite per report, a testcase per
// check, a failure element for each check that did not hold.
func WriteJUnit(w io.Writer, reports ...Report) error {
	doc := junitSuites{Name: "pwemu"}
	var total time.Duration
	for _, r := range reports {
		s := junitSuite{Name: r.Scenario, Tests: len(r.Checks), Failures: r.Failed(), Time: seconds(r.Duration),
			SystemOut: describe(r.Outcome)}
		o := r.Outcome
		for _, p := range []struct {
			name  string
			value any
		}{{"generated", o.Generated}, {"delivered", o.Delivered}, {"dropped", o.Dropped}, {"filtered", o.Filtered},
			{"pending", o.Pending}, {"attempts", o.Attempts()}, {"max_latency", o.MaxLatency}, {"max_delay", o.MaxDelay},
			{"max_attempts", o.MaxAttempts}, {"api_calls", o.APICalls}} {
			s.Properties = append(s.Properties, junitProperty{Name: p.name, Value: fmt.Sprint(p.value)})
		}
		for _, c := range r.Checks {
			tc := junitCase{Name: c.Name, Classname: "pwemu." + r.Scenario, Time: "0.000"}
			if !c.OK {
				msg := fmt.Sprintf("want %s, got %s", c.Want, c.Got)
				text := c.Name + ": " + msg
				for _, line := range r.explain() {
					text += "\nwhy: " + line
				}
				tc.Failure = &junitFailure{Message: msg, Type: "expectation", Text: text}
			}
			s.Cases = append(s.Cases, tc)
		}
		doc.Tests += s.Tests
		doc.Failures += s.Failures
		total += r.Duration
		doc.Suites = append(doc.Suites, s)
	}
	doc.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
