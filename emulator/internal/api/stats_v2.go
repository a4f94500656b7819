package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// The v2 statistics (https://docs.pushwoosh.com/developer/api-reference/statistics-api/):
// POST /api/v2/messages:list, /api/v2/statistics/messages/totalsByIntervals and
// /api/v2/statistics/getMessageLog. They answer at once, from the messages pwemu
// accepted and the events the lifecycle and the devices produced about them, so the
// same seed gives the same figures. Their errors are the gRPC-Gateway shape, except
// getMessageLog's, which the docs show as {"error": "..."}.

// Bounds and defaults of the v2 statistics. The docs give the maxima; the defaults
// are pwemu's.
const (
	maxListPerPage     = 1000
	defaultListPerPage = 100
	maxLogLimit        = 100_000
	defaultLogLimit    = 1000
	maxLogInterval     = 30 * 24 * time.Hour
)

// decodeV2 reads a v2 statistics body, bare or wrapped in {"request": …} (the docs
// show both).
func decodeV2(body []byte, v any) bool {
	var wrap struct {
		Request json.RawMessage `json:"request"`
	}
	if json.Unmarshal(body, &wrap) == nil && len(wrap.Request) > 0 && wrap.Request[0] == '{' {
		body = wrap.Request
	}
	return json.Unmarshal(body, v) == nil
}

// ownAppV2 checks the call may read an application, in the v2 error shape.
func (s *Server) ownAppV2(c *call, code string) (state.Application, reply, bool) {
	app, rep, good := s.ownApp(c, code)
	if good {
		return app, rep, true
	}
	if rep.message == catalog.MsgAppNotFound {
		return app, v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgAppNotFound), false
	}
	return app, v2Error(http.StatusForbidden, grpcPermissionDenied, rep.message), false
}

// v2Metrics are one platform's counts of a message (messages:list).
type v2Metrics struct {
	Sends           int `json:"sends"`
	Opens           int `json:"opens"`
	Deliveries      int `json:"deliveries"`
	InboxOpens      int `json:"inbox_opens"`
	UnshowableSends int `json:"unshowable_sends"`
	Errors          int `json:"errors"`
	Platform        int `json:"platform"`
}

func (m *v2Metrics) add(action string, n int) {
	switch action {
	case state.ActionSent:
		m.Sends += n
	case state.ActionDelivered:
		m.Deliveries += n
	case state.ActionOpened:
		m.Opens += n
	}
}

// messageMetrics counts a message's events by platform, in device type order.
func (s *Server) messageMetrics(code string) []v2Metrics {
	by := map[int]*v2Metrics{}
	for _, n := range s.st.MessageCounts(code) {
		typ := platformType(n.Platform)
		m := by[typ]
		if m == nil {
			m = &v2Metrics{Platform: typ}
			by[typ] = m
		}
		m.add(n.Action, n.N)
	}
	out := make([]v2Metrics, 0, len(by))
	for _, typ := range slices.Sorted(maps.Keys(by)) {
		out = append(out, *by[typ])
	}
	return out
}

// sourceOf is a message's source in messages:list's spelling.
func sourceOf(m *state.Message) string {
	switch {
	case m.Source != "":
		return m.Source
	case len(m.Platforms) > 0 && !slices.ContainsFunc(m.Platforms, func(t int) bool { return t != catalog.DeviceEmail }):
		return catalog.SourceEmailAPI
	}
	return catalog.SourceAPI
}

func isEmail(m *state.Message) bool { return sourceOf(m) == catalog.SourceEmailAPI }

// statsPlatformName is a device type's name in the v2 statistics, "" when none.
func statsPlatformName(typ int) string {
	for name, t := range catalog.StatsPlatforms {
		if t == typ {
			return name
		}
	}
	return ""
}

type listRequest struct {
	Filters *struct {
		Platforms []string `json:"platforms"`
		DateRange *struct {
			DateFrom string `json:"date_from"`
			DateTo   string `json:"date_to"`
		} `json:"date_range"`
		Source        string       `json:"source"`
		Campaign      string       `json:"campaign"`
		MessagesIDs   []flexString `json:"messages_ids"`
		MessagesCodes []string     `json:"messages_codes"`
		Application   string       `json:"application"`
	} `json:"filters"`
	Params struct {
		WithDetails bool `json:"with_details"`
		WithMetrics bool `json:"with_metrics"`
	} `json:"params"`
	PerPage *int `json:"per_page"`
	Page    int  `json:"page"`
}

type listedMessage struct {
	ID          uint64       `json:"id"`
	Code        string       `json:"code"`
	CreatedDate string       `json:"created_date"`
	SendDate    string       `json:"send_date"`
	Status      string       `json:"status"`
	Platforms   []string     `json:"platforms"`
	Source      string       `json:"source"`
	PushInfo    *channelInfo `json:"push_info"`
	EmailInfo   *channelInfo `json:"email_info"`
}

// channelInfo is a message's push_info or email_info: details and metrics when the
// request's params ask for them.
type channelInfo struct {
	Details any         `json:"details,omitempty"`
	Metrics []v2Metrics `json:"metrics,omitempty"`
}

type pushDetails struct {
	Title              string          `json:"title"`
	FilterName         string          `json:"filter_name"`
	FilterCode         string          `json:"filter_code"`
	Content            json.RawMessage `json:"content"`
	PlatformParameters map[string]any  `json:"platform_parameters"`
	FollowUserTimezone bool            `json:"follow_user_timezone"`
}

type emailDetails struct {
	Template   string `json:"template"`
	FilterName string `json:"filter_name"`
	FilterCode string `json:"filter_code"`
}

// contentObject is a message's content as a language → text object: a plain string
// is the "default" language.
func contentObject(m *state.Message) json.RawMessage {
	if len(m.ContentRaw) > 0 && m.ContentRaw[0] == '{' {
		return m.ContentRaw
	}
	b, _ := json.Marshal(map[string]string{"default": m.Content})
	return b
}

// listMessages is POST /api/v2/messages:list: the application's messages that pass
// the filters, by id, a page at a time.
func (s *Server) listMessages(c *call, _ map[string]string) reply {
	var r listRequest
	if !decodeV2(c.in.body, &r) {
		return badRequest(catalog.MsgBadJSON)
	}
	f := r.Filters
	switch {
	case f == nil:
		return badRequest(catalog.MsgNoFilters)
	case strings.TrimSpace(f.Application) == "":
		return badRequest(catalog.MsgNoFiltersApp)
	case r.PerPage != nil && (*r.PerPage < 0 || *r.PerPage > maxListPerPage):
		return badRequest(catalog.MsgPerPage)
	case r.Page < 0:
		return badRequest(catalog.MsgPage)
	}
	app, rep, good := s.ownAppV2(c, f.Application)
	if !good {
		return rep
	}
	var platforms []int
	for _, p := range f.Platforms {
		t, known := catalog.StatsPlatforms[p]
		if !known {
			return badRequest("unknown platform " + strconv.Quote(p))
		}
		platforms = append(platforms, t)
	}
	if f.Source != "" && !slices.Contains(catalog.MessageSources, f.Source) {
		return badRequest("unknown source " + strconv.Quote(f.Source))
	}
	from, to := dawn, dusk
	if d := f.DateRange; d != nil {
		var bad string
		if from, bad = v2Day(d.DateFrom, "date_range.date_from", dawn); bad == "" {
			to, bad = v2Day(d.DateTo, "date_range.date_to", dusk)
		}
		if bad != "" {
			return badRequest(bad)
		}
		if to != dusk {
			to = to.Add(24*time.Hour - time.Nanosecond)
		}
	}
	ids := map[uint64]bool{}
	for _, id := range f.MessagesIDs {
		n, err := strconv.ParseUint(string(id), 10, 64)
		if err != nil {
			return badRequest("messages_ids: not a message id: " + strconv.Quote(string(id)))
		}
		ids[n] = true
	}
	var matched []state.Message
	for _, m := range s.st.MessagesOf(app.Code) {
		switch {
		case m.AccountID != c.account.ID,
			m.SendDate.Before(from) || m.SendDate.After(to),
			f.Source != "" && sourceOf(&m) != f.Source,
			f.Campaign != "" && m.Campaign != f.Campaign,
			len(ids) > 0 && !ids[m.ID],
			len(f.MessagesCodes) > 0 && !slices.Contains(f.MessagesCodes, m.Code),
			len(platforms) > 0 && m.Platforms != nil && !slices.ContainsFunc(m.Platforms, func(t int) bool { return slices.Contains(platforms, t) }):
			continue
		}
		matched = append(matched, m)
	}
	perPage := defaultListPerPage
	if r.PerPage != nil && *r.PerPage > 0 {
		perPage = *r.PerPage
	}
	page := max(r.Page, 1) // pages count from 1; 0 is the first too
	items := []listedMessage{}
	lo := min((page-1)*perPage, len(matched))
	for _, m := range matched[lo:min(lo+perPage, len(matched))] {
		item := listedMessage{ID: m.ID, Code: m.Code, CreatedDate: m.Created.UTC().Format(dateTimeLayout),
			SendDate: m.SendDate.UTC().Format(dateTimeLayout), Status: m.Status, Platforms: []string{}, Source: sourceOf(&m)}
		for _, t := range m.Platforms {
			if name := statsPlatformName(t); name != "" {
				item.Platforms = append(item.Platforms, name)
			}
		}
		info := &channelInfo{}
		if r.Params.WithMetrics {
			info.Metrics = s.messageMetrics(m.Code)
		}
		if isEmail(&m) {
			if r.Params.WithDetails {
				info.Details = emailDetails{Template: m.Preset}
			}
			item.EmailInfo = info
		} else {
			if r.Params.WithDetails {
				params := map[string]any{}
				if !isNull(m.Data) {
					params["data"] = m.Data
				}
				info.Details = pushDetails{Content: contentObject(&m), PlatformParameters: params}
			}
			item.PushInfo = info
		}
		items = append(items, item)
	}
	return jsonOK(struct {
		Total int             `json:"total"`
		Items []listedMessage `json:"items"`
	}{len(matched), items})
}

// v2Day reads a "YYYY-MM-DD" date; empty is dflt. bad names the field when the date
// is malformed.
func v2Day(s, field string, dflt time.Time) (time.Time, string) {
	if s = strings.TrimSpace(s); s == "" {
		return dflt, ""
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, field + " must be YYYY-MM-DD"
	}
	return t, ""
}

type totalsRequest struct {
	MessageCode string `json:"message_code"`
	Platforms   []int  `json:"platforms"`
}

// intervalMetrics is one hour of one platform (totalsByIntervals): the docs give the
// counts as strings.
type intervalMetrics struct {
	Timestamp       string `json:"timestamp"`
	Platform        int    `json:"platform"`
	Sends           string `json:"sends"`
	Opens           string `json:"opens"`
	Deliveries      string `json:"deliveries"`
	InboxOpens      string `json:"inbox_opens"`
	UnshowableSends string `json:"unshowable_sends"`
	Errors          string `json:"errors"`
}

type totalsConversion struct {
	Sends  string `json:"sends"`
	Opens  string `json:"opens"`
	Events []any  `json:"events"`
}

// totalsByIntervals is POST /api/v2/statistics/messages/totalsByIntervals: a
// message's counts by hour and platform, and its conversion. pwemu attributes no
// events to messages, so conversion.events is empty.
func (s *Server) totalsByIntervals(c *call, _ map[string]string) reply {
	var r totalsRequest
	if !decodeV2(c.in.body, &r) {
		return badRequest(catalog.MsgBadJSON)
	}
	code := strings.TrimSpace(r.MessageCode)
	if code == "" {
		return badRequest(catalog.MsgNoMessageCode)
	}
	for _, p := range r.Platforms {
		if catalog.PlatformName(p) == "" {
			return badRequest(fmt.Sprintf("unknown platform %d", p))
		}
	}
	m, found := s.st.Message(c.account.ID, code)
	if !found {
		return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgV2MessageMissing)
	}
	for _, app := range m.Applications {
		if !c.token.Covers(app) {
			return v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgAccessDenied)
		}
	}
	type key struct {
		hour     int64
		platform int
	}
	by := map[key]*v2Metrics{}
	var total v2Metrics
	for _, n := range s.st.MessageCounts(code) {
		typ := platformType(n.Platform)
		if len(r.Platforms) > 0 && !slices.Contains(r.Platforms, typ) {
			continue
		}
		k := key{n.Minute - n.Minute%3600, typ}
		if by[k] == nil {
			by[k] = &v2Metrics{Platform: typ}
		}
		by[k].add(n.Action, n.N)
		total.add(n.Action, n.N)
	}
	keys := slices.SortedFunc(maps.Keys(by), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.hour, b.hour), cmp.Compare(a.platform, b.platform))
	})
	metrics := make([]intervalMetrics, 0, len(keys))
	for _, k := range keys {
		m := by[k]
		metrics = append(metrics, intervalMetrics{Timestamp: time.Unix(k.hour, 0).UTC().Format(dateTimeLayout),
			Platform: k.platform, Sends: strconv.Itoa(m.Sends), Opens: strconv.Itoa(m.Opens),
			Deliveries: strconv.Itoa(m.Deliveries), InboxOpens: "0", UnshowableSends: "0", Errors: "0"})
	}
	return jsonOK(struct {
		Metrics    []intervalMetrics `json:"metrics"`
		Conversion totalsConversion  `json:"conversion"`
	}{metrics, totalsConversion{Sends: strconv.Itoa(total.Sends), Opens: strconv.Itoa(total.Opens), Events: []any{}}})
}

type messageLogRequest struct {
	MessageID       flexString      `json:"message_id"`
	MessageCode     string          `json:"message_code"`
	CampaignCode    string          `json:"campaign_code"`
	HWID            json.RawMessage `json:"hwid"` // a string or an array of them
	UserID          string          `json:"user_id"`
	DateFrom        string          `json:"date_from"`
	DateTo          string          `json:"date_to"`
	Limit           *int            `json:"limit"`
	PaginationToken string          `json:"pagination_token"`
	ApplicationCode string          `json:"application_code"`
	Actions         []string        `json:"actions"`
	Platforms       []string        `json:"platforms"`
}

type messageLogRow struct {
	MessageID       uint64 `json:"message_id"`
	MessageCode     string `json:"message_code"`
	CampaignCode    string `json:"campaign_code"`
	ApplicationCode string `json:"application_code"`
	HWID            string `json:"hwid"`
	UserID          string `json:"user_id"`
	Platform        string `json:"platform"`
	Action          string `json:"action"`
	Date            string `json:"date"`
}

// logError is getMessageLog's documented error body.
func logError(message string) reply {
	b, _ := json.Marshal(map[string]string{"error": message})
	return reply{status: http.StatusBadRequest, code: http.StatusBadRequest, message: message, raw: b}
}

// getMessageLog is POST /api/v2/statistics/getMessageLog: the device events of the
// account's messages that pass the selectors, oldest first, limit at a time; the
// pagination_token of an answer asks for the next rows. The log keeps the last
// state.MaxLogEntries events.
func (s *Server) getMessageLog(c *call, _ map[string]string) reply {
	var r messageLogRequest
	if !decodeV2(c.in.body, &r) {
		return logError(catalog.MsgBadJSON)
	}
	var hwids []string
	if !isNull(r.HWID) {
		var one string
		if json.Unmarshal(r.HWID, &one) == nil {
			hwids = []string{one}
		} else if json.Unmarshal(r.HWID, &hwids) != nil {
			return logError("hwid must be a string or an array of strings")
		}
	}
	from, to := dawn, dusk
	if r.DateFrom != "" || r.DateTo != "" {
		var good bool
		if from, good = parseDay(strings.TrimSpace(r.DateFrom)); !good {
			return logError("cannot parse date_from")
		}
		if to, good = parseDay(strings.TrimSpace(r.DateTo)); !good {
			return logError("cannot parse date_to")
		}
		if to.Sub(from) > maxLogInterval {
			return logError(catalog.MsgLogInterval)
		}
	}
	if r.MessageID == "" && r.MessageCode == "" && r.CampaignCode == "" && len(hwids) == 0 && r.UserID == "" && from == dawn {
		return logError(catalog.MsgLogSelector)
	}
	limit := defaultLogLimit
	if r.Limit != nil {
		if *r.Limit < 0 || *r.Limit > maxLogLimit {
			return logError(catalog.MsgLogLimit)
		}
		if *r.Limit > 0 {
			limit = *r.Limit
		}
	}
	for _, a := range r.Actions {
		if !slices.Contains(catalog.LogActions, a) {
			return logError("unknown action " + strconv.Quote(a))
		}
	}
	var platforms []int
	for _, p := range r.Platforms {
		typ := -1
		for t, name := range catalog.LogPlatforms {
			if name == p {
				typ = t
			}
		}
		if typ < 0 {
			return logError("unknown platform " + strconv.Quote(p))
		}
		platforms = append(platforms, typ)
	}
	skip := 0
	if r.PaginationToken != "" {
		n, err := strconv.Atoi(r.PaginationToken)
		if err != nil || n < 0 {
			return logError(catalog.MsgLogToken)
		}
		skip = n
	}
	// The account's messages the token may read, with their ids and campaigns.
	type about struct {
		id       uint64
		campaign string
	}
	mine := map[string]about{}
	for _, m := range s.st.MessagesOfAccount(c.account.ID) {
		covered := true
		for _, app := range m.Applications {
			covered = covered && c.token.Covers(app)
		}
		if covered {
			mine[m.Code] = about{m.ID, m.Campaign}
		}
	}
	entries := s.st.MessageLog(func(e *state.LogEntry) bool {
		m, own := mine[e.MessageCode]
		at := time.Unix(e.Timestamp, 0)
		switch {
		case !own,
			!slices.Contains(catalog.LogActions, e.Action),
			r.MessageID != "" && strconv.FormatUint(m.id, 10) != string(r.MessageID),
			r.MessageCode != "" && e.MessageCode != r.MessageCode,
			r.CampaignCode != "" && m.campaign != r.CampaignCode,
			len(hwids) > 0 && !slices.Contains(hwids, e.HWID),
			r.UserID != "" && e.UserID != r.UserID,
			r.ApplicationCode != "" && e.Application != r.ApplicationCode,
			at.Before(from) || at.After(to),
			len(r.Actions) > 0 && !slices.Contains(r.Actions, e.Action),
			len(platforms) > 0 && !slices.Contains(platforms, platformType(e.Platform)):
			return false
		}
		return true
	})
	rows := []messageLogRow{}
	lo := min(skip, len(entries))
	hi := min(lo+limit, len(entries))
	for _, e := range entries[lo:hi] {
		m := mine[e.MessageCode]
		rows = append(rows, messageLogRow{MessageID: m.id, MessageCode: e.MessageCode, CampaignCode: m.campaign,
			ApplicationCode: e.Application, HWID: e.HWID, UserID: e.UserID,
			Platform: catalog.LogPlatforms[platformType(e.Platform)], Action: e.Action,
			Date: time.Unix(e.Timestamp, 0).UTC().Format(dateTimeLayout)})
	}
	next := ""
	if hi < len(entries) {
		next = strconv.Itoa(hi)
	}
	return jsonOK(struct {
		Rows            []messageLogRow `json:"rows"`
		PaginationToken string          `json:"pagination_token"`
	}{rows, next})
}
