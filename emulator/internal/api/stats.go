package api

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Asynchronous statistics: getMsgStats and getAppStats answer a request_id at once;
// getResults collects the result. pwemu computes results when asked, so they are
// ready immediately.

const (
	msgNoRequestID      = "request_id is not set"
	msgRequestNotFound  = "Request not found"
	msgStatsNotReserved = "Could not register the statistics request"
)

// statsRow is one row of a statistics result.
type statsRow struct {
	Datetime string `json:"datetime"`
	Action   string `json:"action"`
	Count    int    `json:"count"`
}

type statsResult struct {
	Formatter string     `json:"formatter"`
	Rows      []statsRow `json:"rows"`
}

// statsRequest stores a result under a fresh request id and answers the id.
func (s *Server) statsRequest(c *call, result statsResult) reply {
	if result.Rows == nil {
		result.Rows = []statsRow{}
	}
	b, err := json.Marshal(result)
	if err != nil {
		return refused(msgStatsNotReserved)
	}
	for range 16 {
		id := requestID(s.seed, s.st.NextSeq())
		err := s.st.AddStatsRequest(state.StatsRequest{ID: id, AccountID: c.account.ID, Method: c.in.method,
			Created: c.in.arrive, Result: b})
		if err == nil {
			return ok(map[string]string{"request_id": id})
		}
	}
	return refused(msgStatsNotReserved)
}

func (s *Server) getMsgStats(c *call) reply {
	m, r, good := s.findMessage(c)
	if !good {
		return r
	}
	rows := []statsRow{}
	if m.Status == state.MessageSent {
		rows = append(rows, statsRow{Datetime: hour(m.SendDate), Action: "send", Count: m.Targets})
	}
	return s.statsRequest(c, statsResult{Formatter: "hourly", Rows: rows})
}

func (s *Server) getAppStats(c *call) reply {
	from, to, good := dateRange(c.req.DateFrom, c.req.DateTo)
	if !good {
		return refused(msgCannotParseDate)
	}
	app := c.app().Code
	sends := map[string]int{}
	for _, m := range s.st.MessagesOf(app) {
		if m.Status == state.MessageSent && !m.SendDate.Before(from) && !m.SendDate.After(to) {
			sends[day(m.SendDate)] += m.Targets
		}
	}
	var rows []statsRow
	for _, d := range slices.Sorted(maps.Keys(sends)) {
		rows = append(rows, statsRow{Datetime: d, Action: "send", Count: sends[d]})
	}
	// Device calls are counted, not dated: they show on the day the request is made.
	counters := s.st.Counters(app)
	today := day(c.in.arrive)
	for _, k := range []struct{ counter, action string }{{"open", "open"}, {"push_stat", "push_open"}, {"delivery", "delivery"}} {
		if n := counters[k.counter]; n > 0 {
			rows = append(rows, statsRow{Datetime: today, Action: k.action, Count: n})
		}
	}
	return s.statsRequest(c, statsResult{Formatter: "daily", Rows: rows})
}

func (s *Server) getResults(c *call) reply {
	id := strings.TrimSpace(c.req.RequestID)
	if id == "" {
		return refused(msgNoRequestID)
	}
	r, found := s.st.StatsResult(c.account.ID, id)
	if !found {
		return refused(msgRequestNotFound)
	}
	return okRaw(r.Result)
}

func hour(t time.Time) string { return t.UTC().Truncate(time.Hour).Format(dateTimeLayout) }
func day(t time.Time) string  { return t.UTC().Truncate(24 * time.Hour).Format(dateTimeLayout) }

// dateRange reads datefrom/dateto ("YYYY-MM-DD" or "YYYY-MM-DD HH:mm:ss", UTC);
// either may be left out.
func dateRange(from, to string) (time.Time, time.Time, bool) {
	lo, hi := time.Time{}, time.Unix(1<<62, 0)
	var good bool
	if from = strings.TrimSpace(from); from != "" {
		if lo, good = parseDay(from); !good {
			return lo, hi, false
		}
	}
	if to = strings.TrimSpace(to); to != "" {
		if hi, good = parseDay(to); !good {
			return lo, hi, false
		}
		if len(to) == len("2006-01-02") {
			hi = hi.Add(24*time.Hour - time.Nanosecond)
		}
	}
	return lo, hi, true
}

func parseDay(s string) (time.Time, bool) {
	for _, layout := range []string{dateTimeLayout, "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
