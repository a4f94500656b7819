package expect

import (
	"encoding/json"
	"io"
	"time"
)

// MarshalJSON writes durations as strings and adds the attempt count.
func (o Outcome) MarshalJSON() ([]byte, error) {
	type plain Outcome // without this method
	return json.Marshal(struct {
		plain
		MaxLatency string `json:"max_latency"`
		MaxDelay   string `json:"max_delay"`
		Attempts   int    `json:"attempts"`
	}{plain(o), o.MaxLatency.String(), o.MaxDelay.String(), o.Attempts()})
}

type jsonReport struct {
	Scenario string  `json:"scenario"`
	OK       bool    `json:"ok"`
	Duration string  `json:"duration"`
	Failed   int     `json:"failed"`
	Outcome  Outcome `json:"outcome"`
	Checks   []Check `json:"checks"`
}

// WriteJSON writes a report as one JSON object:
// {"scenario","ok","duration","failed","outcome":{…},"checks":[{"name","want","got","ok"}]}.
func WriteJSON(w io.Writer, r Report) error {
	checks := r.Checks
	if checks == nil {
		checks = []Check{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{Scenario: r.Scenario, OK: r.OK(), Duration: r.Duration.Round(time.Millisecond).String(),
		Failed: r.Failed(), Outcome: r.Outcome, Checks: checks})
}
