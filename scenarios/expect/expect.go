// Package expect plays a scenario to its end and checks what the run did against the
// scenario's expect: block, and writes the verdict for people (text) and for CI (JUnit
// XML, JSON). Play drives the public emulator façade; Observe fills an Outcome from its
// ledger and API journal, and Evaluate and NewReport judge any Outcome, however made.
package expect

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/scenarios"
)

// Outcome is what a run did, as the ledger and the API journal count it.
type Outcome struct {
	Generated int `json:"generated"`
	Delivered int `json:"delivered"`
	Dropped   int `json:"dropped"`
	Filtered  int `json:"filtered"`
	Pending   int `json:"pending"`

	MaxLatency  time.Duration `json:"max_latency"`  // longest receiver answer over all attempts
	MaxDelay    time.Duration `json:"max_delay"`    // longest generated→delivered time, emulator clock
	MaxAttempts int           `json:"max_attempts"` // most attempts any one event needed
	Duplicates  int           `json:"duplicates"`   // events delivered more than once
	// StatusCounts counts delivery attempts by the receiver's HTTP status; 0 counts
	// attempts that got no HTTP answer (refused, reset, timed out, gRPC).
	StatusCounts map[int]int `json:"status_counts,omitempty"`

	APICalls        int         `json:"api_calls"`                   // calls the fake API answered
	APIStatusCounts map[int]int `json:"api_status_counts,omitempty"` // API answers by HTTP status
	APICodeCounts   map[int]int `json:"api_code_counts,omitempty"`   // API answers by envelope status_code

	// Causes group the failed delivery attempts of each integration by what went
	// wrong: what a failed expectation is explained with.
	Causes []Causes `json:"causes,omitempty"`
}

// Attempts is the number of delivery attempts.
func (o Outcome) Attempts() int { return sum(o.StatusCounts, func(int) bool { return true }) }

// Balanced reports whether the ledger invariant holds.
func (o Outcome) Balanced() bool {
	return o.Generated == o.Delivered+o.Dropped+o.Filtered+o.Pending
}

// Check is one expectation and whether the run met it.
type Check struct {
	Name string `json:"name"` // the expect key, e.g. delivered or statuses.503
	Want string `json:"want"`
	Got  string `json:"got"`
	OK   bool   `json:"ok"`
}

// LedgerCheck is the name of the check every evaluation starts with: the ledger's
// invariant, which holds whatever the scenario expects.
const LedgerCheck = "ledger balances"

// Evaluate checks the outcome against every expectation set in e, in the order of
// the expect keys, after the ledger invariant.
func Evaluate(e scenarios.Expect, o Outcome) []Check {
	checks := []Check{{
		Name: LedgerCheck,
		Want: "generated = delivered + dropped + filtered + pending",
		Got:  fmt.Sprintf("%d %s %d + %d + %d + %d", o.Generated, map[bool]string{true: "=", false: "≠"}[o.Balanced()], o.Delivered, o.Dropped, o.Filtered, o.Pending),
		OK:   o.Balanced(),
	}}
	deliverable := o.Generated - o.Filtered
	for _, c := range []struct {
		name     string
		want     *scenarios.Count
		got, all int
	}{
		{"delivered", e.Delivered, o.Delivered, deliverable},
		{"dropped", e.Dropped, o.Dropped, deliverable},
		{"filtered", e.Filtered, o.Filtered, o.Generated},
		{"pending", e.Pending, o.Pending, deliverable},
	} {
		if c.want != nil {
			checks = append(checks, countCheck(c.name, *c.want, c.got, c.all, "events"))
		}
	}
	if e.MaxLatency > 0 {
		checks = append(checks, atMostDuration("max_latency", e.MaxLatency.D(), o.MaxLatency))
	}
	if e.MaxDelay > 0 {
		checks = append(checks, atMostDuration("max_delay", e.MaxDelay.D(), o.MaxDelay))
	}
	if e.MaxAttempts > 0 {
		checks = append(checks, Check{Name: "max_attempts", Want: "at most " + strconv.Itoa(e.MaxAttempts),
			Got: strconv.Itoa(o.MaxAttempts), OK: o.MaxAttempts <= e.MaxAttempts})
	}
	if e.No4xx {
		checks = append(checks, noStatusClass("no_4xx", 4, o.StatusCounts))
	}
	if e.No5xx {
		checks = append(checks, noStatusClass("no_5xx", 5, o.StatusCounts))
	}
	if e.NoDuplicates {
		checks = append(checks, Check{Name: "no_duplicates", Want: "no event delivered twice",
			Got: plural(o.Duplicates, "event") + " delivered more than once", OK: o.Duplicates == 0})
	}
	checks = append(checks, countMap("statuses", e.Statuses, o.StatusCounts, o.Attempts(), "attempts")...)
	if e.APICalls != nil {
		checks = append(checks, countCheck("api_calls", *e.APICalls, o.APICalls, o.APICalls, "calls"))
	}
	checks = append(checks, countMap("api_statuses", e.APIStatuses, o.APIStatusCounts, o.APICalls, "calls")...)
	checks = append(checks, countMap("api_codes", e.APICodes, o.APICodeCounts, o.APICalls, "calls")...)
	return checks
}

// countCheck compares a number with an expected count. "all" of nothing fails: a
// run that generated no event has not shown that all events get delivered.
func countCheck(name string, want scenarios.Count, got, all int, unit string) Check {
	c := Check{Name: name, Want: want.String(), Got: strconv.Itoa(got), OK: want.Holds(got, all)}
	switch {
	case want.All:
		c.Want = fmt.Sprintf("all %d %s", all, unit)
		if all == 0 {
			c.Want, c.OK = "all "+unit, false
			c.Got += " (there were none)"
		}
	case want.Op == "" && !want.None:
		c.Want = "at least " + strconv.Itoa(want.N)
	}
	return c
}

func countMap(name string, want map[int]scenarios.Count, got map[int]int, all int, unit string) []Check {
	keys := make([]int, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var checks []Check
	for _, k := range keys {
		checks = append(checks, countCheck(name+"."+strconv.Itoa(k), want[k], got[k], all, unit))
	}
	return checks
}

func atMostDuration(name string, limit, got time.Duration) Check {
	return Check{Name: name, Want: "at most " + limit.String(), Got: got.String(), OK: got <= limit}
}

// noStatusClass checks that no attempt was answered with a status of class c (4 → 4xx).
func noStatusClass(name string, class int, counts map[int]int) Check {
	in := func(s int) bool { return s/100 == class }
	n := sum(counts, in)
	got := "none"
	if n > 0 {
		got = plural(n, "attempt") + " (" + breakdown(counts, in) + ")"
	}
	return Check{Name: name, Want: fmt.Sprintf("no %dxx answers", class), Got: got, OK: n == 0}
}

func sum(counts map[int]int, in func(int) bool) int {
	n := 0
	for s, c := range counts {
		if in(s) {
			n += c
		}
	}
	return n
}

// breakdown writes counts as "503×2, 500×1", statuses in order.
func breakdown(counts map[int]int, in func(int) bool) string {
	keys := make([]int, 0, len(counts))
	for s := range counts {
		if in(s) && counts[s] > 0 {
			keys = append(keys, s)
		}
	}
	sort.Ints(keys)
	parts := make([]string, len(keys))
	for i, s := range keys {
		parts[i] = fmt.Sprintf("%d×%d", s, counts[s])
	}
	return strings.Join(parts, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.Itoa(n) + " " + word + "s"
}

// Causes say why deliveries to one integration failed: its requests grouped by what
// went wrong, from the ledger's attempts.
type Causes struct {
	Integration string  `json:"integration"`
	Attempts    int     `json:"attempts"` // requests made, failed or not
	Causes      []Cause `json:"causes"`
}

// Cause is one kind of failure: how many requests it hit and when, emulator time.
type Cause struct {
	What  string    `json:"what"`
	Count int       `json:"count"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
}

// String is e.g. "20 attempts: 20× connection refused (127.0.0.1:9001: is the receiver
// listening?) from 00:00:00 to 00:03:10".
func (c Causes) String() string {
	parts := make([]string, len(c.Causes))
	for i, g := range c.Causes {
		span := "at " + g.First.Format(time.TimeOnly)
		if !g.Last.Equal(g.First) {
			span = "from " + g.First.Format(time.TimeOnly) + " to " + g.Last.Format(time.TimeOnly)
		}
		parts[i] = fmt.Sprintf("%d× %s %s", g.Count, g.What, span)
	}
	name := c.Integration
	if name == "" {
		name = "(no integration)"
	}
	return fmt.Sprintf("%s: %s: %s", name, plural(c.Attempts, "attempt"), strings.Join(parts, ", "))
}

// explain lists the causes, one line each, for a failed check.
func (o Outcome) explain() []string {
	lines := make([]string, len(o.Causes))
	for i, c := range o.Causes {
		lines[i] = c.String()
	}
	return lines
}
