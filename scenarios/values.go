package scenarios

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written as Go writes it ("1h", "30s", "250ms").
type Duration time.Duration

// D is the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// ParseDuration reads "1h30m", "250ms", or "0".
func ParseDuration(s string) (Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (write it like 30s, 5m or 1h)", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%q: a duration cannot be negative", s)
	}
	return Duration(v), nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalYAML implements yaml.Marshaler.
func (d Duration) MarshalYAML() (any, error) { return d.String(), nil }

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a duration is a string such as \"30s\"")
	}
	v, err := ParseDuration(s)
	*d = v
	return err
}

// ParseCount reads "all", "none", "N", "at least N", "at most N" or "exactly N".
func ParseCount(s string) (Count, error) {
	t := strings.Join(strings.Fields(strings.ToLower(s)), " ")
	switch t {
	case "all":
		return Count{All: true}, nil
	case "none":
		return Count{None: true}, nil
	}
	var c Count
	for _, op := range []string{"at least", CountAtMost, CountExactly} {
		if rest, ok := strings.CutPrefix(t, op+" "); ok {
			t = rest
			if op != "at least" {
				c.Op = op
			}
			break
		}
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return Count{}, fmt.Errorf("%q is not a count: write all, none, a number (at least that many), at most N or exactly N", s)
	}
	c.N = n
	return c, nil
}

func (c Count) String() string {
	switch {
	case c.All:
		return "all"
	case c.None:
		return "none"
	case c.Op != "":
		return c.Op + " " + strconv.Itoa(c.N)
	}
	return strconv.Itoa(c.N)
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (c *Count) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseCount(n.Value)
	*c = v
	return err
}

// MarshalYAML implements yaml.Marshaler.
func (c Count) MarshalYAML() (any, error) { return c.String(), nil }

// MarshalJSON implements json.Marshaler.
func (c Count) MarshalJSON() ([]byte, error) { return json.Marshal(c.String()) }

// ParseRate reads "50/s", "600/m", "10/h" or "5/100ms".
func ParseRate(s string) (Rate, error) {
	num, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Rate{}, fmt.Errorf("%q is not a rate (write it like 50/s, 600/m or 10/h)", s)
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n <= 0 {
		return Rate{}, fmt.Errorf("%q: the count of a rate must be a number above 0", s)
	}
	var unit time.Duration
	switch strings.TrimSpace(per) {
	case "s", "sec", "second":
		unit = time.Second
	case "m", "min", "minute":
		unit = time.Minute
	case "h", "hour":
		unit = time.Hour
	default:
		unit, err = time.ParseDuration(strings.TrimSpace(per))
		if err != nil || unit <= 0 {
			return Rate{}, fmt.Errorf("%q: the unit of a rate is s, m, h or a duration", s)
		}
	}
	return Rate{N: n, Per: unit}, nil
}

func (r Rate) String() string {
	if r.Per == 0 {
		return ""
	}
	return strconv.FormatFloat(r.N, 'f', -1, 64) + "/" + strings.TrimPrefix(r.Per.String(), "1")
}

// IsZero reports an unset rate.
func (r Rate) IsZero() bool { return r.Per == 0 }

// UnmarshalYAML implements yaml.Unmarshaler.
func (r *Rate) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseRate(n.Value)
	*r = v
	return err
}

// MarshalYAML implements yaml.Marshaler.
func (r Rate) MarshalYAML() (any, error) { return r.String(), nil }

// MarshalJSON implements json.Marshaler.
func (r Rate) MarshalJSON() ([]byte, error) { return json.Marshal(r.String()) }

// ParseLatency reads "250ms" or a range "100ms-2s".
func ParseLatency(s string) (Latency, error) {
	lo, hi, isRange := strings.Cut(strings.TrimSpace(s), "-")
	a, err := ParseDuration(lo)
	if err != nil {
		return Latency{}, err
	}
	if !isRange {
		return Latency{Min: a.D(), Max: a.D()}, nil
	}
	b, err := ParseDuration(hi)
	if err != nil {
		return Latency{}, err
	}
	if b < a {
		return Latency{}, fmt.Errorf("%q: a latency range goes from low to high", s)
	}
	return Latency{Min: a.D(), Max: b.D()}, nil
}

func (l Latency) String() string {
	if l.Min == l.Max {
		return l.Min.String()
	}
	return l.Min.String() + "-" + l.Max.String()
}

// IsZero reports an unset latency.
func (l Latency) IsZero() bool { return l.Max == 0 }

// UnmarshalYAML implements yaml.Unmarshaler.
func (l *Latency) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseLatency(n.Value)
	*l = v
	return err
}

// MarshalYAML implements yaml.Marshaler.
func (l Latency) MarshalYAML() (any, error) { return l.String(), nil }

// MarshalJSON implements json.Marshaler.
func (l Latency) MarshalJSON() ([]byte, error) { return json.Marshal(l.String()) }

// UnmarshalJSON reads a count string ("all", "at most 3") or a bare number.
func (c *Count) UnmarshalJSON(b []byte) error {
	v, err := ParseCount(strings.Trim(string(b), `"`))
	*c = v
	return err
}

// UnmarshalJSON reads a rate string.
func (r *Rate) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a rate is a string such as \"50/s\"")
	}
	if s == "" {
		*r = Rate{}
		return nil
	}
	v, err := ParseRate(s)
	*r = v
	return err
}

// UnmarshalJSON reads a latency string.
func (l *Latency) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a latency is a string such as \"250ms\" or \"100ms-2s\"")
	}
	v, err := ParseLatency(s)
	*l = v
	return err
}
