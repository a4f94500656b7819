package expect

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteText writes a report for people:
//
//	FAIL happy path in 12.3s: 1 of 4 checks failed
//	  ok    ledger balances  want generated = delivered + dropped + filtered + pending  got 250 = 248 + 2 + 0 + 0
//	  FAIL  delivered        want all 250 events                                         got 248
//	  …
//	  outcome: generated 250, delivered 248, dropped 2, filtered 0, pending 0; …
func WriteText(w io.Writer, r Report) error {
	verdict, summary := "PASS", fmt.Sprintf("%s passed", plural(len(r.Checks), "check"))
	if f := r.Failed(); f > 0 {
		verdict, summary = "FAIL", fmt.Sprintf("%d of %s failed", f, plural(len(r.Checks), "check"))
	}
	if _, err := fmt.Fprintf(w, "%s %s in %s: %s\n", verdict, r.Scenario, r.Duration.Round(time.Millisecond), summary); err != nil {
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range r.Checks {
		mark := "ok"
		if !c.OK {
			mark = "FAIL"
		}
		fmt.Fprintf(tw, "  %s\t%s\twant %s\tgot %s\n", mark, c.Name, c.Want, c.Got)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Failed() > 0 {
		for _, line := range r.explain() {
			fmt.Fprintf(w, "  why: %s\n", line)
		}
	}
	_, err := fmt.Fprintf(w, "  outcome: %s\n", describe(r.Outcome))
	return err
}

// describe is the outcome in one line.
func describe(o Outcome) string {
	parts := []string{fmt.Sprintf("generated %d, delivered %d, dropped %d, filtered %d, pending %d",
		o.Generated, o.Delivered, o.Dropped, o.Filtered, o.Pending)}
	if n := o.Attempts(); n > 0 {
		parts = append(parts, fmt.Sprintf("%s (%s), max latency %s, max delay %s, max attempts %d",
			plural(n, "attempt"), breakdown(o.StatusCounts, all), o.MaxLatency, o.MaxDelay, o.MaxAttempts))
	}
	if o.APICalls > 0 {
		parts = append(parts, fmt.Sprintf("%s (HTTP %s; status_code %s)", plural(o.APICalls, "API call"),
			breakdown(o.APIStatusCounts, all), breakdown(o.APICodeCounts, all)))
	}
	return strings.Join(parts, "; ")
}

func all(int) bool { return true }
