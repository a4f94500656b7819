package expect

import (
	"time"

	"github.com/pwemu/pwemu/scenarios"
)

// Report is the verdict on one run.
type Report struct {
	Scenario string        // the scenario's name (or its source when unnamed)
	Duration time.Duration // how long the run took, wall time
	Outcome
	Checks []Check
}

// NewReport evaluates a scenario's expectations against an outcome.
func NewReport(s *scenarios.Scenario, took time.Duration, o Outcome) Report {
	name := s.Name
	if name == "" {
		name = s.Source
	}
	return Report{Scenario: name, Duration: took, Outcome: o, Checks: Evaluate(s.Expect, o)}
}

// Failed counts the checks that did not hold.
func (r Report) Failed() int {
	n := 0
	for _, c := range r.Checks {
		if !c.OK {
			n++
		}
	}
	return n
}

// OK reports whether every check held: the exit status of `pwemu run`.
func (r Report) OK() bool { return r.Failed() == 0 }
