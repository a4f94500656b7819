package expect

import (
	"reflect"
	"testing"
	"time"

	"github.com/pwemu/pwemu/scenarios"
)

// expectFrom reads an expect: block the way a scenario file would.
func expectFrom(t *testing.T, block string) scenarios.Expect {
	t.Helper()
	src := "name: t\nstreams:\n  - endpoint: http://127.0.0.1:1\n    events: [Push Sent]\n    platforms: [iOS]\nexpect:\n" + block
	s, err := scenarios.ParseWith("t.yaml", []byte(src), scenarios.Options{Env: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	return s.Expect
}

var healthy = Outcome{Generated: 250, Delivered: 250, MaxLatency: 40 * time.Millisecond, MaxAttempts: 1,
	StatusCounts: map[int]int{200: 3}}

func TestDesignSketchExpectations(t *testing.T) {
	t.Parallel()
	e := expectFrom(t, "  delivered: all\n  max_latency: 2s\n")
	got := Evaluate(e, healthy)
	want := []Check{
		{Name: "ledger balances", Want: "generated = delivered + dropped + filtered + pending", Got: "250 = 250 + 0 + 0 + 0", OK: true},
		{Name: "delivered", Want: "all 250 events", Got: "250", OK: true},
		{Name: "max_latency", Want: "at most 2s", Got: "40ms", OK: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
	slow := healthy
	slow.Delivered, slow.Dropped, slow.MaxLatency = 248, 2, 2500*time.Millisecond
	got = Evaluate(e, slow)
	want = []Check{
		{Name: "ledger balances", Want: "generated = delivered + dropped + filtered + pending", Got: "250 = 248 + 2 + 0 + 0", OK: true},
		{Name: "delivered", Want: "all 250 events", Got: "248", OK: false},
		{Name: "max_latency", Want: "at most 2s", Got: "2.5s", OK: false},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

func TestEveryExpectation(t *testing.T) {
	t.Parallel()
	e := expectFrom(t, `  delivered: at least 90
  dropped: at most 5
  filtered: exactly 10
  pending: none
  max_delay: 1h
  max_attempts: 2
  no_4xx: true
  no_5xx: true
  no_duplicates: true
  statuses: {0: none, 503: at least 1, 200: all}
  api_calls: 4
  api_statuses: {503: exactly 3, 200: at least 1}
  api_codes: {210: none}
`)
	o := Outcome{Generated: 110, Delivered: 94, Dropped: 6, Filtered: 10, Pending: 0,
		MaxDelay: time.Hour + time.Second, MaxAttempts: 4, Duplicates: 1,
		StatusCounts: map[int]int{200: 9, 503: 2, 500: 1, 404: 1, 0: 1},
		APICalls:     5, APIStatusCounts: map[int]int{503: 3, 200: 2}, APICodeCounts: map[int]int{200: 2, 210: 1}}
	want := []Check{
		{"ledger balances", "generated = delivered + dropped + filtered + pending", "110 = 94 + 6 + 10 + 0", true},
		{"delivered", "at least 90", "94", true},
		{"dropped", "at most 5", "6", false},
		{"filtered", "exactly 10", "10", true},
		{"pending", "none", "0", true},
		{"max_delay", "at most 1h0m0s", "1h0m1s", false},
		{"max_attempts", "at most 2", "4", false},
		{"no_4xx", "no 4xx answers", "1 attempt (404×1)", false},
		{"no_5xx", "no 5xx answers", "3 attempts (500×1, 503×2)", false},
		{"no_duplicates", "no event delivered twice", "1 event delivered more than once", false},
		{"statuses.0", "none", "1", false},
		{"statuses.200", "all 14 attempts", "9", false},
		{"statuses.503", "at least 1", "2", true},
		{"api_calls", "at least 4", "5", true},
		{"api_statuses.200", "at least 1", "2", true},
		{"api_statuses.503", "exactly 3", "3", true},
		{"api_codes.210", "none", "1", false},
	}
	if got := Evaluate(e, o); !reflect.DeepEqual(got, want) {
		for i := range max(len(got), len(want)) {
			var g, w Check
			if i < len(got) {
				g = got[i]
			}
			if i < len(want) {
				w = want[i]
			}
			if g != w {
				t.Errorf("check %d:\n got %+v\nwant %+v", i, g, w)
			}
		}
	}
}

func TestUnbalancedLedgerFails(t *testing.T) {
	t.Parallel()
	got := Evaluate(scenarios.Expect{}, Outcome{Generated: 10, Delivered: 8})
	if len(got) != 1 || got[0].OK || got[0].Got != "10 ≠ 8 + 0 + 0 + 0" {
		t.Errorf("%+v", got)
	}
}

func TestAllOfNothingFails(t *testing.T) {
	t.Parallel()
	e := expectFrom(t, "  delivered: all\n  dropped: none\n")
	got := Evaluate(e, Outcome{})
	if got[1] != (Check{Name: "delivered", Want: "all events", Got: "0 (there were none)", OK: false}) || !got[2].OK {
		t.Errorf("%+v", got)
	}
	filtered := Evaluate(e, Outcome{Generated: 5, Filtered: 5})
	if filtered[1].OK {
		t.Errorf("every event filtered out: nothing was shown to be delivered: %+v", filtered[1])
	}
}

func TestNewReport(t *testing.T) {
	t.Parallel()
	s, err := scenarios.LoadWith("happy-path", scenarios.Options{Env: func(string) (string, bool) { return "http://127.0.0.1:1", true }})
	if err != nil {
		t.Fatal(err)
	}
	o := Outcome{Generated: 1000, Delivered: 1000, MaxLatency: time.Millisecond, MaxAttempts: 1, StatusCounts: map[int]int{200: 10}}
	r := NewReport(s, 3*time.Second, o)
	if r.Scenario != "happy path" || !r.OK() || r.Failed() != 0 || len(r.Checks) != 7 {
		t.Errorf("%+v", r)
	}
	o.StatusCounts = map[int]int{200: 10, 500: 1}
	o.MaxAttempts = 2
	if r := NewReport(s, time.Second, o); r.OK() || r.Failed() != 2 {
		t.Errorf("want max_attempts and no_5xx failed: %+v", r.Checks)
	}
}
