package api

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Asynchronous statistics (getMsgStats, getMsgPlatformsStats, getAppStats,
// getCampaignStats, getEventStatistics) answer a request_id at once; getResults
// collects the result. Figures are counted from what pwemu saw: the events the
// lifecycle produced about each message (send, delivery, open) and the device calls
// (applicationOpen, registerDevice, unregisterDevice, postEvent). A result is
// computed when asked for, so it is ready at once and does not change afterwards.

// Application-level actions the store records (getAppStats, getEventStatistics).
const (
	appActionOpen       = "open"
	appActionInstall    = "install"
	appActionRegister   = "register"
	appActionUnregister = "unregister"
	appActionEvent      = "event:"
)

// v1Actions names the message actions as the v1.3 statistics write them.
var v1Actions = map[string]string{state.ActionSent: "send", state.ActionOpened: "open"}

// statsRow is one row of a statistics result.
type statsRow struct {
	Datetime string `json:"datetime"`
	Action   string `json:"action"`
	Count    int    `json:"count"`
	Platform int    `json:"platform,omitempty"` // getMsgPlatformsStats: the device type
}

type statsResult struct {
	Formatter  string      `json:"formatter"`
	Rows       []statsRow  `json:"rows"`
	Conversion *conversion `json:"conversion,omitempty"`
}

// conversion is getMsgStats' goal tracking: sends, opens and the events the message
// led to. pwemu attributes no events to messages, so events is empty.
type conversion struct {
	Send   int   `json:"send"`
	Open   int   `json:"open"`
	Events []any `json:"events"`
}

// statsRequest stores a result under a fresh request id and answers the id.
func (s *Server) statsRequest(c *call, result any) reply {
	b, err := json.Marshal(result)
	if err != nil {
		return refused(catalog.MsgStatsNotReserved)
	}
	for range 16 {
		id := requestID(s.seed, s.st.NextSeq())
		err := s.st.AddStatsRequest(state.StatsRequest{ID: id, AccountID: c.account.ID, Method: c.in.method,
			Created: c.in.arrive, Result: b})
		if err == nil {
			return ok(map[string]string{"request_id": id})
		}
	}
	return refused(catalog.MsgStatsNotReserved)
}

// formatterFor is the report scale Pushwoosh picks for a period: yearly over a year,
// monthly over a month, daily over a day, hourly over three hours, else minutely.
func formatterFor(span time.Duration) string {
	switch {
	case span > 365*24*time.Hour:
		return "yearly"
	case span > 30*24*time.Hour:
		return "monthly"
	case span > 24*time.Hour:
		return "daily"
	case span > 3*time.Hour:
		return "hourly"
	}
	return "minutely"
}

// bucket is the datetime of the report row holding t at a scale.
func bucket(t time.Time, formatter string) string {
	t = t.UTC()
	switch formatter {
	case "yearly":
		t = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case "monthly":
		t = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	case "daily":
		t = t.Truncate(24 * time.Hour)
	case "hourly":
		t = t.Truncate(time.Hour)
	default:
		t = t.Truncate(time.Minute)
	}
	return t.Format(dateTimeLayout)
}

// rowKey collects counts into report rows.
type rowKey struct {
	datetime, action string
	platform         int
}

type rowSet map[rowKey]int

func (r rowSet) add(at time.Time, formatter, action string, platform, n int) {
	r[rowKey{bucket(at, formatter), action, platform}] += n
}

// rows lists the rows by datetime, then action, then platform.
func (r rowSet) rows() []statsRow {
	out := make([]statsRow, 0, len(r))
	for _, k := range slices.SortedFunc(maps.Keys(r), func(a, b rowKey) int {
		if c := strings.Compare(a.datetime, b.datetime); c != 0 {
			return c
		}
		if c := strings.Compare(a.action, b.action); c != 0 {
			return c
		}
		return a.platform - b.platform
	}) {
		out = append(out, statsRow{Datetime: k.datetime, Action: k.action, Count: r[k], Platform: k.platform})
	}
	return out
}

// platformType is the device type of a platform name; 0 when unknown.
func platformType(name string) int {
	for t := range 32 {
		if catalog.PlatformName(t) == name {
			return t
		}
	}
	return 0
}

// messageRows adds a message's send and open counts in [from, to] to rows; keep
// selects platforms (nil: all), byPlatform splits rows by device type.
func (s *Server) messageRows(rows rowSet, code, formatter string, from, to time.Time, keep func(int) bool, byPlatform bool) (sends, opens int) {
	for _, n := range s.st.MessageCounts(code) {
		action := v1Actions[n.Action]
		at := time.Unix(n.Minute, 0)
		typ := platformType(n.Platform)
		if action == "" || at.Before(from) || at.After(to) || (keep != nil && !keep(typ)) {
			continue
		}
		if !byPlatform {
			typ = 0
		}
		rows.add(at, formatter, action, typ, n.N)
		if action == "send" {
			sends += n.N
		} else {
			opens += n.N
		}
	}
	return sends, opens
}

var (
	dawn = time.Time{}
	dusk = time.Unix(1<<40, 0)
)

func (s *Server) getMsgStats(c *call) reply {
	m, r, good := s.findMessage(c)
	if !good {
		return r
	}
	formatter := formatterFor(c.in.arrive.Sub(m.SendDate))
	rows := rowSet{}
	sends, opens := s.messageRows(rows, m.Code, formatter, dawn, dusk, nil, false)
	return s.statsRequest(c, statsResult{Formatter: formatter, Rows: rows.rows(),
		Conversion: &conversion{Send: sends, Open: opens, Events: []any{}}})
}

func (s *Server) getMsgPlatformsStats(c *call) reply {
	m, r, good := s.findMessage(c)
	if !good {
		return r
	}
	platforms, set, err := parseIntList(c.req.Platforms)
	if err != nil {
		return httpError(http.StatusBadRequest)
	}
	var keep func(int) bool
	if set {
		if platforms = knownPlatforms(platforms); len(platforms) == 0 {
			return refused(catalog.MsgSelectPlatform)
		}
		keep = func(t int) bool { return slices.Contains(platforms, t) }
	}
	formatter := formatterFor(c.in.arrive.Sub(m.SendDate))
	rows := rowSet{}
	s.messageRows(rows, m.Code, formatter, dawn, dusk, keep, true)
	return s.statsRequest(c, statsResult{Formatter: formatter, Rows: rows.rows()})
}

// requiredRange reads the documented required datefrom/dateto.
func requiredRange(from, to string) (time.Time, time.Time, reply, bool) {
	if strings.TrimSpace(from) == "" || strings.TrimSpace(to) == "" {
		return dawn, dusk, refused(catalog.MsgDatesRequired), false
	}
	lo, hi, good := dateRange(from, to)
	if !good {
		return lo, hi, refused(catalog.MsgCannotParseDate), false
	}
	return lo, hi, reply{}, true
}

// appStatsResult is getAppStats' result: one report per level.
type appStatsResult struct {
	Applications statsResult `json:"applications"`
	Devices      statsResult `json:"devices"`
	Messages     statsResult `json:"messages"`
}

func (s *Server) getAppStats(c *call) reply {
	from, to, rep, good := requiredRange(c.req.DateFrom, c.req.DateTo)
	if !good {
		return rep
	}
	formatter := formatterFor(to.Sub(from))
	app := c.app().Code
	apps, devices := rowSet{}, rowSet{}
	for _, n := range s.st.AppCounts(app) {
		at := time.Unix(n.Minute, 0)
		if at.Before(from) || at.After(to) {
			continue
		}
		switch n.Action {
		case appActionOpen, appActionInstall:
			apps.add(at, formatter, n.Action, 0, n.N)
		case appActionRegister, appActionUnregister:
			devices.add(at, formatter, n.Action, 0, n.N)
		}
	}
	messages := rowSet{}
	for _, m := range s.st.MessagesOf(app) {
		s.messageRows(messages, m.Code, formatter, from, to, nil, false)
	}
	return s.statsRequest(c, appStatsResult{
		Applications: statsResult{Formatter: formatter, Rows: apps.rows()},
		Devices:      statsResult{Formatter: formatter, Rows: devices.rows()},
		Messages:     statsResult{Formatter: formatter, Rows: messages.rows()},
	})
}

func (s *Server) getCampaignStats(c *call) reply {
	var r campaignRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	code := strings.TrimSpace(string(r.Campaign))
	if code == "" {
		return refused(catalog.MsgNoCampaignCode)
	}
	k, found := s.st.Campaign(c.account.ID, code)
	if !found {
		return refused(catalog.MsgCampaignNotFound)
	}
	if !c.token.Covers(k.Application) {
		return refused(catalog.MsgAccessDenied)
	}
	from, to, rep, good := requiredRange(c.req.DateFrom, c.req.DateTo)
	if !good {
		return rep
	}
	formatter := formatterFor(to.Sub(from))
	rows := rowSet{}
	for _, m := range s.st.MessagesOfAccount(c.account.ID) {
		if m.Campaign == k.Code {
			s.messageRows(rows, m.Code, formatter, from, to, nil, false)
		}
	}
	return s.statsRequest(c, statsResult{Formatter: formatter, Rows: rows.rows()})
}

// eventStatsRequest is getEventStatistics' request.
type eventStatsRequest struct {
	Event    flexString `json:"event"`
	DateFrom string     `json:"date_from"`
	DateTo   string     `json:"date_to"`
}

// eventStatsRow is one day of getEventStatistics' result.
type eventStatsRow struct {
	Date  string `json:"date"`
	Count int    `json:"count"`
}

// getEventStatistics counts postEvent calls of one event by day. Its result is
// {"rows":[{"date","count"}]}: the documented list, in an object as every response.
func (s *Server) getEventStatistics(c *call) reply {
	var r eventStatsRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	name := strings.TrimSpace(string(r.Event))
	if name == "" {
		return refused(catalog.MsgNoStatsEvent)
	}
	if strings.TrimSpace(r.DateFrom) == "" || strings.TrimSpace(r.DateTo) == "" {
		return refused(catalog.MsgEventDates)
	}
	from, to, good := dateRange(r.DateFrom, r.DateTo)
	if !good {
		return refused(catalog.MsgCannotParseDate)
	}
	days := map[string]int{}
	for _, n := range s.st.AppCounts(c.app().Code) {
		at := time.Unix(n.Minute, 0)
		if n.Action == appActionEvent+name && !at.Before(from) && !at.After(to) {
			days[at.UTC().Format("2006-01-02")] += n.N
		}
	}
	rows := []eventStatsRow{}
	for _, d := range slices.Sorted(maps.Keys(days)) {
		rows = append(rows, eventStatsRow{Date: d, Count: days[d]})
	}
	return s.statsRequest(c, map[string][]eventStatsRow{"rows": rows})
}

func (s *Server) getResults(c *call) reply {
	id := strings.TrimSpace(c.req.RequestID)
	if id == "" {
		return refused(catalog.MsgNoRequestID)
	}
	r, found := s.st.StatsResult(c.account.ID, id)
	if !found {
		return refused(catalog.MsgRequestNotFound)
	}
	return okRaw(r.Result)
}

// dateRange reads datefrom/dateto ("YYYY-MM-DD" or "YYYY-MM-DD HH:mm:ss", UTC);
// either may be left out.
func dateRange(from, to string) (time.Time, time.Time, bool) {
	lo, hi := dawn, dusk
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
