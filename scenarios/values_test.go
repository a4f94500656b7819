package scenarios

import (
	"encoding/json"
	"testing"
	"time"
)

func TestParseCount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want Count
		str  string
	}{
		{"all", Count{All: true}, "all"},
		{"ALL", Count{All: true}, "all"},
		{"none", Count{None: true}, "none"},
		{"250", Count{N: 250}, "250"},
		{"at least 3", Count{N: 3}, "3"},
		{"at  most   3", Count{N: 3, Op: CountAtMost}, "at most 3"},
		{"exactly 0", Count{Op: CountExactly}, "exactly 0"},
	} {
		got, err := ParseCount(tc.in)
		if err != nil || got != tc.want || got.String() != tc.str {
			t.Errorf("%q: got %+v (%s) %v", tc.in, got, got, err)
		}
	}
	for _, bad := range []string{"", "-1", "most 3", "at most", "3.5", "lots"} {
		if _, err := ParseCount(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCountHolds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		c        Count
		got, all int
		want     bool
	}{
		{Count{All: true}, 10, 10, true},
		{Count{All: true}, 9, 10, false},
		{Count{None: true}, 0, 10, true},
		{Count{None: true}, 1, 10, false},
		{Count{N: 5}, 5, 10, true},
		{Count{N: 5}, 4, 10, false},
		{Count{N: 5, Op: CountAtMost}, 5, 10, true},
		{Count{N: 5, Op: CountAtMost}, 6, 10, false},
		{Count{N: 5, Op: CountExactly}, 5, 10, true},
		{Count{N: 5, Op: CountExactly}, 6, 10, false},
	} {
		if got := tc.c.Holds(tc.got, tc.all); got != tc.want {
			t.Errorf("%s holds for %d of %d: %v, want %v", tc.c, tc.got, tc.all, got, tc.want)
		}
	}
}

func TestParseRateAndLatency(t *testing.T) {
	t.Parallel()
	for in, perSecond := range map[string]float64{"50/s": 50, "600/m": 10, "36/h": 0.01, "5/100ms": 50, "1.5/sec": 1.5} {
		r, err := ParseRate(in)
		if err != nil || r.PerSecond() != perSecond {
			t.Errorf("%q: %v/s, %v", in, r.PerSecond(), err)
		}
	}
	for _, bad := range []string{"50", "0/s", "-1/s", "x/s", "5/fortnight", "5/-1s"} {
		if _, err := ParseRate(bad); err == nil {
			t.Errorf("rate %q accepted", bad)
		}
	}
	l, err := ParseLatency("100ms-2s")
	if err != nil || l != (Latency{100 * time.Millisecond, 2 * time.Second}) || l.String() != "100ms-2s" {
		t.Errorf("range: %+v %v", l, err)
	}
	if _, err := ParseLatency("2s-1s"); err == nil || err.Error() != `"2s-1s": a latency range goes from low to high` {
		t.Errorf("backwards range: %v", err)
	}
}

func TestValuesRoundTripThroughJSON(t *testing.T) {
	t.Parallel()
	type doc struct {
		D Duration
		C Count
		R Rate
		L Latency
	}
	in := doc{Duration(90 * time.Second), Count{N: 3, Op: CountAtMost}, Rate{N: 50, Per: time.Second}, Latency{time.Millisecond, time.Second}}
	b, err := json.Marshal(in)
	if err != nil || string(b) != `{"D":"1m30s","C":"at most 3","R":"50/s","L":"1ms-1s"}` {
		t.Fatalf("%s %v", b, err)
	}
	var out doc
	if err := json.Unmarshal(b, &out); err != nil || out != in {
		t.Errorf("%+v %v", out, err)
	}
	var zero doc
	b, _ = json.Marshal(zero)
	if err := json.Unmarshal(b, &out); err != nil || out != zero {
		t.Errorf("zero values: %s → %+v %v", b, out, err)
	}
}
