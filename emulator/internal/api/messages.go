package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // send dates name time zones; a scratch image has no zoneinfo

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/emulator/internal/targeting"
	"github.com/pwemu/pwemu/scenarios"
)

// Message methods: createMessage, createTargetedMessage, deleteMessage,
// cancelMessage, getMessageDetails.

func strs(in []flexString) []string {
	if len(in) == 0 {
		return nil
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s != "" {
			out = append(out, string(s))
		}
	}
	return out
}

// knownPlatforms keeps the device types Pushwoosh knows, in place.
func knownPlatforms(types []int) []int {
	out := types[:0]
	for _, t := range types {
		if catalog.PlatformName(t) != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// sendDateLayouts are the send_date forms Pushwoosh takes besides "now".
var sendDateLayouts = []string{"2006-01-02 15:04", "2006-01-02 15:04:05"}

// parseSendDate reads send_date: "now" (or nothing) or "YYYY-MM-DD HH:mm" in the
// notification's timezone (UTC when none).
func parseSendDate(s string, tz json.RawMessage, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "now") {
		return now, true
	}
	loc := time.UTC
	if name := rawString(tz); name != "" {
		l, err := time.LoadLocation(name)
		if err != nil {
			return time.Time{}, false
		}
		loc = l
	}
	for _, layout := range sendDateLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// campaignID turns a campaign code into the number events carry: a numeric code is
// taken as is, another is hashed (stable across runs).
func campaignID(code string) uint64 {
	if code == "" {
		return 0
	}
	if n, err := strconv.ParseUint(code, 10, 64); err == nil {
		return n
	}
	h := fnv.New32a()
	h.Write([]byte(code))
	return uint64(h.Sum32())
}

func appCodes(apps []state.Application) []string {
	out := make([]string, len(apps))
	for i, a := range apps {
		out[i] = a.Code
	}
	return out
}

func (s *Server) createMessage(c *call) reply {
	if !s.st.AllowCreateMessage(c.account.ID, c.in.arrive) {
		r := httpError(http.StatusTooManyRequests)
		if c.account.CreateMessageRate != scenarios.DefaultMessageRate {
			r.message = "Too many requests: createMessage is limited to " + strconv.Itoa(c.account.CreateMessageRate) + " calls a minute per account"
		}
		return r
	}
	ns := c.req.Notifications
	if len(ns) == 0 {
		return refused(catalog.MsgNoNotifications)
	}
	var one [1]plan // most calls carry one notification
	plans := one[:0]
	xs := extras(c.in.body)
	inboxes := inboxFieldsOf(c.in.body)
	for i := range ns {
		x := nth(xs, i)
		if r, good := s.applyPreset(c, &ns[i]); !good {
			return r
		}
		p, r, good := s.planNotification(c, &ns[i], &x)
		if !good {
			return r
		}
		if i < len(inboxes) {
			var refusal string
			if p.inbox, refusal = inboxes[i].options(c.in.arrive); refusal != "" {
				return refused(refusal)
			}
		}
		if r, good := s.checkCampaign(c, p.campaign); !good {
			return r
		}
		plans = append(plans, p)
	}
	warning, oneDevice := s.limitWarning(c.account)
	apps := appCodes(c.apps)
	b := make([]byte, 0, 16+25*len(plans))
	b = append(b, `{"Messages":[`...)
	var unknown map[string][]string
	for i := range plans {
		m, aud, err := s.accept(c, apps, &plans[i], oneDevice)
		if err != nil {
			return messageRefusal(err)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Code)
		for app, ids := range aud.Unknown {
			if unknown == nil {
				unknown = map[string][]string{}
			}
			for _, id := range ids {
				if !slices.Contains(unknown[app], id) {
					unknown[app] = append(unknown[app], id)
				}
			}
		}
	}
	b = append(b, ']')
	if len(unknown) > 0 {
		u, _ := json.Marshal(unknown)
		b = append(b, `,"UnknownDevices":`...)
		b = append(b, u...)
	}
	b = append(b, '}')
	return okRaw(b).withWarning(warning)
}

func (s *Server) createTargetedMessage(c *call) reply {
	r := c.req
	node, rep, good := s.filterApps(c, r.DevicesFilter)
	if !good {
		return rep
	}
	p := plan{contentRaw: bytes.Clone(r.Content), data: bytes.Clone(r.Data), content: contentText(r.Content)}
	p.query.Expr = node
	var x notificationExtras
	decodeRequestInto(c.in.body, &x) //nolint:errcheck // the shared decoder already judged the body
	p.transactionID, p.preset = string(x.TransactionID), x.Preset
	platforms, set, err := parseIntList(r.Platforms)
	if err != nil {
		return httpError(http.StatusBadRequest)
	}
	if set {
		if p.platforms = knownPlatforms(platforms); len(p.platforms) == 0 {
			return refused(catalog.MsgSelectPlatform)
		}
	}
	if rep, good := s.planTime(c, &p, r.SendDate, r.Timezone, &x); !good {
		return rep
	}
	warning, oneDevice := s.limitWarning(c.account)
	m, _, err := s.accept(c, appCodes(c.apps), &p, oneDevice)
	if err != nil {
		return httpError(http.StatusInternalServerError)
	}
	return ok(map[string]string{"messageCode": m.Code}).withWarning(warning)
}

func (s *Server) compileFilter(c *call) reply {
	node, rep, good := s.filterApps(c, c.req.DevicesFilter)
	if !good {
		return rep
	}
	aud := targeting.Select(s.st, c.account.ID, targeting.Query{Apps: appCodes(c.apps), Expr: node})
	return ok(map[string]any{"devices_count": aud.Count(), "devices_filter": c.req.DevicesFilter})
}

// findMessage finds the message a call names, among those its token may see.
func (s *Server) findMessage(c *call) (state.Message, reply, bool) {
	code := string(c.req.Message)
	if code == "" {
		return state.Message{}, refused(catalog.MsgNoMessage), false
	}
	m, found := s.st.Message(c.account.ID, code)
	if !found {
		return m, refused(catalog.MsgMessageNotFound), false
	}
	for _, app := range m.Applications {
		if !c.token.Covers(app) {
			return m, refused(catalog.MsgAccessDenied), false
		}
	}
	return m, reply{}, true
}

func (s *Server) deleteMessage(c *call) reply {
	m, r, good := s.findMessage(c)
	if !good {
		return r
	}
	if err := s.st.DeleteMessage(c.account.ID, m.Code); err != nil {
		return refused(catalog.MsgMessageNotFound)
	}
	s.st.DeleteFromInboxes(m.Code, s.clk.Now())
	return ok(nil)
}

func (s *Server) cancelMessage(c *call) reply {
	m, r, good := s.findMessage(c)
	if !good {
		return r
	}
	was, err := s.st.CancelMessage(c.account.ID, m.Code)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return refused(catalog.MsgMessageNotFound)
	case was == state.MessageSent:
		return refused(catalog.MsgNotCancellable)
	}
	return ok(nil)
}

// Pushwoosh shows dates as "YYYY-MM-DD HH:mm:ss" (UTC).
const dateTimeLayout = "2006-01-02 15:04:05"

// messageDetails is the message object of getMessageDetails.
type messageDetails struct {
	ID           uint64          `json:"id"`
	Code         string          `json:"code"`
	Created      string          `json:"created"`
	SendDate     string          `json:"send_date"`
	Status       string          `json:"status"`
	Content      json.RawMessage `json:"content"`
	Platforms    []int           `json:"platforms"`
	Data         json.RawMessage `json:"data,omitempty"`
	Campaign     string          `json:"campaign,omitempty"`
	Applications []string        `json:"applications"`
	Group        string          `json:"applications_group,omitempty"`
	Targets      int             `json:"devices_count"`
}

func (s *Server) getMessageDetails(c *call) reply {
	m, r, good := s.findMessage(c)
	if !good {
		return r
	}
	d := messageDetails{ID: m.ID, Code: m.Code, Created: m.Created.UTC().Format(dateTimeLayout),
		SendDate: m.SendDate.UTC().Format(dateTimeLayout), Status: m.Status, Content: m.ContentRaw,
		Platforms: m.Platforms, Campaign: m.Campaign, Applications: m.Applications, Group: m.Group, Targets: m.Targets}
	if isNull(d.Content) {
		d.Content = json.RawMessage(`""`)
	}
	if !isNull(m.Data) {
		d.Data = m.Data
	}
	if d.Platforms == nil {
		d.Platforms = catalog.DeviceTypes()
	}
	return ok(map[string]messageDetails{"message": d})
}
