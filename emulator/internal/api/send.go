package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/emulator/internal/targeting"
)

// Sending: every sender (createMessage, createTargetedMessage, messaging v2 notify,
// createEmailMessage, createSMSMessage, startLiveActivity, updateLiveActivity)
// turns its request into a plan, and accept stores and sends plans the same way:
// the audience comes from the targeting package, the send time from send_date,
// timezone and ignore_user_timezone, the pace from send_rate, and transactionId
// keeps a retried request from sending twice.

// plan is a validated notification: what to send, when, to whom.
type plan struct {
	sendAt    time.Time
	scheduled bool
	// local, when set, is send_date as a wall-clock time to be reached in each
	// device's own time zone (ignore_user_timezone: false).
	local    *time.Time
	sendRate int // devices a second; 0 for no throttling

	transactionID  string
	platforms      []int // nil: every platform
	content        string
	contentRaw     json.RawMessage
	data           json.RawMessage
	campaign       string
	preset         string
	liveActivityID string
	inbox          *state.InboxOptions // nil: no inbox

	query targeting.Query // Apps is filled in by accept
	// audience, when set, replaces the query (live-activity updates go to the
	// devices holding the activity's token).
	audience func(apps []string) targeting.Audience
}

// notificationExtras are the fields of a notification that only sending reads;
// they are decoded from the body apart from the shared request.
type notificationExtras struct {
	ConditionsOperator  string          `json:"conditions_operator"`
	IgnoreUserTimezone  *bool           `json:"ignore_user_timezone"`
	SendRate            flexInt         `json:"send_rate"`
	TransactionID       flexString      `json:"transactionId"`
	Preset              string          `json:"preset"`
	Subject             json.RawMessage `json:"subject"`
	FilterExpression    string          `json:"filter_expression"`
	LiveActivityID      flexString      `json:"live_activity_id"`
	LiveActivity        json.RawMessage `json:"live_activity"`
	UseAutoRegistration bool            `json:"use_auto_registration"`
	DevicesRaw          json.RawMessage `json:"devices"`
}

// extras decodes the notifications' extra fields of a v1.3 body; a body of another
// shape gives none.
func extras(body []byte) []notificationExtras {
	if !mayHaveKeys(body, extraKeys()) {
		return nil // what decoding would give: no extra field is set
	}
	return notificationFields[notificationExtras](body)
}

// notificationFields decodes fields of a v1.3 body's notifications that the shared
// decoder does not read, one T a notification: each sender reads only its own.
func notificationFields[T any](body []byte) []T {
	var b struct {
		Request struct {
			Notifications []T `json:"notifications"`
		} `json:"request"`
	}
	json.Unmarshal(body, &b) //nolint:errcheck // the shared decoder already judged the body
	return b.Request.Notifications
}

// nth is xs[i], or the zero T past the end: a notification whose extras were not
// decoded has none set.
func nth[T any](xs []T, i int) T {
	if i < len(xs) {
		return xs[i]
	}
	var zero T
	return zero
}

// extraKeys are the JSON names of notificationExtras' fields.
var extraKeys = sync.OnceValue(func() [][]byte {
	var keys [][]byte
	t := reflect.TypeFor[notificationExtras]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		keys = append(keys, []byte(name))
	}
	return keys
})

// mayHaveKeys reports whether body may hold an object key that encoding/json would
// match with one of keys (it matches case-insensitively). Only plain ASCII is judged:
// a body with escapes or other bytes may hold any key.
func mayHaveKeys(body []byte, keys [][]byte) bool {
	for i, c := range body {
		switch {
		case c == '\\' || c >= utf8.RuneSelf:
			return true
		case c != '"':
			continue
		}
		rest := body[i+1:]
		for _, k := range keys {
			if len(rest) > len(k) && rest[len(k)] == '"' && bytes.EqualFold(rest[:len(k)], k) {
				return true
			}
		}
	}
	return false
}

// decodeRequestInto decodes the "request" object of a v1.3 body into v.
func decodeRequestInto(body []byte, v any) error {
	var b struct {
		Request json.RawMessage `json:"request"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return err
	}
	if isNull(b.Request) {
		return errors.New(`the body has no "request" object`)
	}
	return json.Unmarshal(b.Request, v)
}

// planNotification validates one notification of createMessage (and the email and
// SMS senders).
func (s *Server) planNotification(c *call, n *Notification, x *notificationExtras) (plan, reply, bool) {
	// Copies: the decoded request points into the body, which a stored message
	// must not keep alive.
	p := plan{contentRaw: bytes.Clone(n.Content), data: bytes.Clone(n.Data), campaign: string(n.Campaign),
		transactionID: string(x.TransactionID), preset: x.Preset, content: contentText(n.Content)}
	platforms, set, err := parseIntList(n.Platforms)
	if err != nil {
		return p, httpError(http.StatusBadRequest), false
	}
	if set {
		if p.platforms = knownPlatforms(platforms); len(p.platforms) == 0 {
			return p, refused(catalog.MsgSelectPlatform), false
		}
	}
	if r, good := s.planTime(c, &p, n.SendDate, n.Timezone, x); !good {
		return p, r, false
	}
	if !isNull(n.AndroidRootParams) && n.AndroidRootParams[0] != '{' {
		return p, refused(catalog.MsgAndroidRootParams), false
	}
	p.query.Devices, p.query.Users = strs(n.Devices), strs(n.Users)
	if r, good := s.planAudience(c, &p, n.Filter, x.FilterExpression, n.Conditions, x.ConditionsOperator); !good {
		return p, r, false
	}
	return p, reply{}, true
}

// planTime reads send_date, timezone, ignore_user_timezone and send_rate.
func (s *Server) planTime(c *call, p *plan, sendDate string, tz json.RawMessage, x *notificationExtras) (reply, bool) {
	sendAt, good := parseSendDate(sendDate, tz, c.in.arrive)
	if !good {
		return refused(catalog.MsgCannotParseDate), false
	}
	p.sendAt, p.scheduled = sendAt, sendAt.After(c.in.arrive)
	// ignore_user_timezone: false with a date and no timezone: the date is a wall
	// clock time reached in each device's own zone.
	if x.IgnoreUserTimezone != nil && !*x.IgnoreUserTimezone && rawString(tz) == "" && !isNow(sendDate) {
		wall := sendAt
		p.local = &wall
		// The first zones (UTC+14) reach it 14 hours before UTC does.
		p.sendAt = wall.Add(-14 * time.Hour)
		p.scheduled = p.sendAt.After(c.in.arrive)
	}
	if x.SendRate.Set {
		if x.SendRate.V <= 0 {
			return refused(catalog.MsgBadSendRate), false
		}
		p.sendRate = int(x.SendRate.V)
	}
	return reply{}, true
}

func isNow(sendDate string) bool {
	s := strings.TrimSpace(sendDate)
	return s == "" || strings.EqualFold(s, "now")
}

// planAudience checks the list limits and resolves filter (a named filter, or a
// devices filter in the segmentation language), filter_expression and conditions.
func (s *Server) planAudience(c *call, p *plan, filter, expression string, conditions json.RawMessage, operator string) (reply, bool) {
	if len(p.query.Devices) > targeting.MaxListed {
		return refused(catalog.MsgTooManyDevices), false
	}
	if len(p.query.Users) > targeting.MaxListed {
		return refused(catalog.MsgTooManyUsers), false
	}
	filter, expression = strings.TrimSpace(filter), strings.TrimSpace(expression)
	if filter != "" && !isNull(conditions) && strings.TrimSpace(string(conditions)) != "[]" {
		return refused(catalog.MsgFilterAndCondition), false
	}
	var expr *targeting.Expr
	if filter != "" {
		e, err := targeting.Named(s.st, c.account.ID, filter)
		if errors.Is(err, targeting.ErrUnknownFilter) && strings.Contains(filter, "(") {
			e, err = targeting.Parse(filter) // filter syntax instead of a name
		}
		switch {
		case errors.Is(err, targeting.ErrUnknownFilter):
			return refused(catalog.MsgFilterNotFound + ": " + filter), false
		case err != nil:
			return refused(catalog.MsgBadFilter + ": " + err.Error()), false
		}
		expr = e
	}
	if expression != "" {
		e, err := targeting.Parse(expression)
		if err != nil {
			return refused(catalog.MsgBadFilter + ": " + err.Error()), false
		}
		expr = targeting.And(expr, e)
	}
	e, err := targeting.Conditions(conditions, operator, targeting.KnownTag(s.st, c.account.ID))
	if err != nil {
		return refused(catalog.MsgBadConditions + ": " + err.Error()), false
	}
	p.query.Expr = targeting.And(expr, e)
	return reply{}, true
}

// filterApps parses a devices filter and puts the applications it names (checked
// against the call's token) in c.apps.
func (s *Server) filterApps(c *call, src string) (*targeting.Expr, reply, bool) {
	node, err := targeting.Parse(src)
	if err != nil {
		return nil, refused(catalog.MsgBadFilter + ": " + err.Error()), false
	}
	for _, t := range targeting.Targets(node) {
		codes := []string{t.Application}
		if t.Group != "" {
			g, found := s.st.Group(t.Group)
			if !found || g.AccountID != c.account.ID {
				return nil, refused(catalog.MsgAccessDenied), false
			}
			codes = g.Applications
		}
		for _, code := range codes {
			app, rep, good := s.ownApp(c, code)
			if !good {
				return nil, rep, false
			}
			if !slices.ContainsFunc(c.apps, func(a state.Application) bool { return a.Code == code }) {
				c.apps = append(c.apps, app)
			}
		}
	}
	if len(c.apps) == 0 {
		return nil, refused(catalog.MsgNoAppOrGroup), false
	}
	return node, reply{}, true
}

// resolve finds a plan's devices in the applications.
func (s *Server) resolve(accountID string, apps []string, p *plan) targeting.Audience {
	if p.audience != nil {
		return p.audience(apps)
	}
	q := p.query
	q.Apps, q.Platforms = apps, p.platforms
	return targeting.Select(s.st, accountID, q)
}

// limitTo keeps n random (seeded) devices of the audience.
func (s *Server) limitTo(aud *targeting.Audience, n int) {
	total := aud.Count()
	if total <= n {
		return
	}
	keep := make([]bool, total)
	for k := 0; k < n; {
		if i := s.picks.intn(total); !keep[i] {
			keep[i] = true
			k++
		}
	}
	at := 0
	for a, ts := range aud.Targets {
		kept := ts[:0]
		for _, t := range ts {
			if keep[at] {
				kept = append(kept, t)
			}
			at++
		}
		aud.Targets[a] = kept
	}
}

// limitWarning is the plan warning an account's devices earn on createMessage, with
// whether messages go to one random device only. An account is at its subscriber
// limit, or over its active devices, once it has that many subscribed devices.
func (s *Server) limitWarning(acc state.Account) (string, bool) {
	if acc.SubscriberLimit <= 0 && acc.ActiveDevicesLimit <= 0 {
		return "", false
	}
	n := s.st.RegisteredDevices(acc.ID)
	switch {
	case acc.SubscriberLimit > 0 && n >= acc.SubscriberLimit:
		return catalog.MsgSubscriberLimit, true
	case acc.ActiveDevicesLimit > 0 && n >= acc.ActiveDevicesLimit:
		return catalog.MsgActiveDevices, false
	}
	return "", false
}

func (s *Server) codeFor(id uint64) string { return messageCode(s.seed, id) }

// accept stores a message for a plan and sends it now, or at its send date. A
// transactionId seen in the last day gives the message it made then, sent no more.
// A message to an account with many devices is answered first and fanned out after
// (see fanOut), as Pushwoosh sends asynchronously.
func (s *Server) accept(c *call, apps []string, p *plan, oneDevice bool) (state.Message, targeting.Audience, error) {
	var aud targeting.Audience
	later := !p.scheduled && s.fanOutLater(c.account.ID, p)
	if !p.scheduled && !later {
		aud = s.resolve(c.account.ID, apps, p)
		if oneDevice {
			s.limitTo(&aud, 1)
		}
	}
	m := state.Message{AccountID: c.account.ID, Applications: apps, Group: c.group, Status: state.MessageSent,
		Created: c.in.arrive, SendDate: p.sendAt, Content: p.content, ContentRaw: p.contentRaw, Data: p.data,
		Platforms: p.platforms, Targets: aud.Count(), Campaign: p.campaign, TransactionID: p.transactionID,
		Preset: p.preset, LiveActivityID: p.liveActivityID, Inbox: p.inbox}
	if p.scheduled {
		m.Status = state.MessageScheduled
	}
	m, err := s.st.AddMessage(m, s.codeFor)
	if errors.Is(err, state.ErrDuplicate) {
		return m, targeting.Audience{}, nil
	}
	if err != nil {
		return m, aud, err
	}
	switch {
	case later:
		s.fanOut.add(s.resolveAndDispatch(m, apps, *p, oneDevice, false))
	case !p.scheduled:
		if s.fanOut.busy() {
			s.fanOut.add(s.dispatchJob(m, aud, *p))
		} else {
			s.dispatch(m, aud, p)
		}
	default:
		// Devices registered in the meantime get it too, as at Pushwoosh.
		s.clk.AfterFunc(p.sendAt.Sub(c.in.arrive), s.resolveAndDispatch(m, apps, *p, oneDevice, true))
	}
	return m, aud, nil
}

// The jobs below take their own copies (a plan is the caller's, and values a closure
// keeps live on the heap: accept's own stay on its stack).

// resolveAndDispatch is the fan-out of m done later: its audience found then, and
// for a scheduled message only while it is still scheduled.
func (s *Server) resolveAndDispatch(m state.Message, apps []string, p plan, oneDevice, scheduled bool) func() {
	return func() {
		aud := s.resolve(m.AccountID, apps, &p)
		if oneDevice {
			s.limitTo(&aud, 1)
		}
		if !scheduled {
			s.st.SetTargets(m.Code, aud.Count())
			s.dispatch(m, aud, &p)
			return
		}
		if s.st.TakeScheduled(m.Code, aud.Count()) {
			if s.fanOut.busy() {
				s.fanOut.add(s.dispatchJob(m, aud, p))
			} else {
				s.dispatch(m, aud, &p)
			}
		}
	}
}

func (s *Server) dispatchJob(m state.Message, aud targeting.Audience, p plan) func() {
	return func() { s.dispatch(m, aud, &p) }
}

// fanOutAfter is how many subscribed devices an account has from which its messages
// are fanned out after the answer. Below it the answer waits for the fan-out, so a
// caller sees the pushes and sent events as soon as it has the message code.
const fanOutAfter = 10_000

// fanOutLater reports whether a message now is fanned out after the answer: for an
// account with many devices, unless the message lists its devices (the answer names
// the unknown ones).
func (s *Server) fanOutLater(accountID string, p *plan) bool {
	return p.audience == nil && len(p.query.Devices) == 0 && s.st.RegisteredDevices(accountID) >= fanOutAfter
}

// fanOutQueue runs fan-outs one after another in the order messages were accepted
// (the lifecycle draws its choices in that order), as tracked clock work: a manual
// Advance waits for them.
type fanOutQueue struct {
	clk     clock.Clock
	mu      sync.Mutex
	jobs    []func()
	running bool
}

// add queues a fan-out to run after the answer.
func (q *fanOutQueue) add(job func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append(q.jobs, job)
	if !q.running {
		q.running = true
		q.clk.Go(q.drain)
	}
}

// busy reports whether fan-outs are queued or running: a new one goes behind them.
func (q *fanOutQueue) busy() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.running
}

func (q *fanOutQueue) drain() {
	for {
		q.mu.Lock()
		if len(q.jobs) == 0 {
			q.jobs, q.running = nil, false
			q.mu.Unlock()
			return
		}
		job := q.jobs[0]
		q.jobs[0] = nil
		q.jobs = q.jobs[1:]
		q.mu.Unlock()
		job()
	}
}

// dispatch sends a message to its audience: now, or per device at the plan's wall
// clock time in the device's zone, and at most sendRate devices a second.
func (s *Server) dispatch(m state.Message, aud targeting.Audience, p *plan) {
	now := s.clk.Now()
	type wave struct {
		at      time.Time
		app     string
		targets []state.Target
	}
	if p.local == nil && p.sendRate <= 0 {
		// Everyone now, in one go: no waves to work out.
		for i, ts := range aud.Targets {
			s.deliver(m, aud.Apps[i], ts)
		}
		return
	}
	var waves []wave
	for i, ts := range aud.Targets {
		if len(ts) == 0 {
			waves = append(waves, wave{now, aud.Apps[i], nil}) // the lifecycle hears of it all the same
			continue
		}
		byTime := map[time.Time][]state.Target{}
		var times []time.Time
		for _, t := range ts {
			at := now
			if p.local != nil {
				at = p.local.Add(-time.Duration(t.Timezone) * time.Second)
				if at.Before(now) {
					at = now
				}
			}
			if _, seen := byTime[at]; !seen {
				times = append(times, at)
			}
			byTime[at] = append(byTime[at], t)
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
		for _, at := range times {
			group := byTime[at]
			if p.sendRate <= 0 {
				waves = append(waves, wave{at, aud.Apps[i], group})
				continue
			}
			for k := 0; k*p.sendRate < len(group); k++ {
				chunk := group[k*p.sendRate : min(len(group), (k+1)*p.sendRate)]
				waves = append(waves, wave{at.Add(time.Duration(k) * time.Second), aud.Apps[i], chunk})
			}
		}
	}
	for _, w := range waves {
		if !w.at.After(now) {
			s.deliver(m, w.app, w.targets)
			continue
		}
		s.clk.AfterFunc(w.at.Sub(now), func() {
			if s.st.Sendable(m.AccountID, m.Code) {
				s.deliver(m, w.app, w.targets)
			}
		})
	}
}

// deliver records a message's pushes to devices of one application and passes it
// on to the lifecycle.
func (s *Server) deliver(m state.Message, app string, ts []state.Target) {
	at := s.clk.Now()
	campaign := campaignID(m.Campaign)
	pushes := make([]state.Push, len(ts))
	targets := make([]lifecycle.Target, len(ts))
	for j, t := range ts {
		targets[j] = lifecycle.Target{HWID: t.HWID, UserID: t.UserID, Platform: t.Platform}
		pushes[j] = state.Push{MessageCode: m.Code, MessageID: m.ID, Hash: pushHash(s.seed, m.ID, t.HWID),
			Application: app, HWID: t.HWID, UserID: t.UserID, Platform: t.Platform, Payload: m.Content,
			Campaign: m.Campaign, CampaignID: campaign, LiveActivityID: m.LiveActivityID, Sent: at}
	}
	if len(pushes) > 0 {
		s.st.RecordPushes(pushes)
		if m.Inbox != nil {
			s.st.AddToInbox(m.Inbox, pushes, at)
		}
	}
	if s.onMessage == nil {
		return
	}
	lm := lifecycle.Message{Code: m.Code, ID: m.ID, CampaignID: campaign, ApplicationCode: app,
		Content: m.Content, LiveActivityID: m.LiveActivityID, Targets: targets}
	if len(ts) > 0 && ts[0].Platform == catalog.PlatformName(catalog.DeviceEmail) {
		lm.Links = s.emailLinks(&m) // what a recipient may click
	}
	s.onMessage(lm)
}
