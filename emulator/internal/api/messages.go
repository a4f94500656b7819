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

	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
)

// Message methods: createMessage, createTargetedMessage, deleteMessage,
// cancelMessage, getMessageDetails.

const (
	msgMessageNotFound = "Message not found"
	msgNotCancellable  = "Only scheduled messages can be cancelled"
	msgNoMessage       = "Message code is not set"
)

// plan is a validated notification: what to send, when, to whom.
type plan struct {
	sendAt     time.Time
	scheduled  bool
	platforms  []int // nil: every platform
	content    string
	contentRaw json.RawMessage
	data       json.RawMessage
	devices    []string
	users      []string
	campaign   string
	filter     *filterNode // createTargetedMessage: devices_filter instead of devices/users
}

// planNotification validates one notification of createMessage.
func planNotification(n *Notification, now time.Time) (plan, reply, bool) {
	// Copies: the decoded request points into the body, which a stored message
	// must not keep alive.
	p := plan{contentRaw: bytes.Clone(n.Content), data: bytes.Clone(n.Data), campaign: string(n.Campaign)}
	platforms, set, err := parseIntList(n.Platforms)
	if err != nil {
		return p, httpError(http.StatusBadRequest), false
	}
	if set {
		if p.platforms = knownPlatforms(platforms); len(p.platforms) == 0 {
			return p, refused(msgSelectPlatform), false
		}
	}
	sendAt, good := parseSendDate(n.SendDate, n.Timezone, now)
	if !good {
		return p, refused(msgCannotParseDate), false
	}
	p.sendAt, p.scheduled = sendAt, sendAt.After(now)
	if !isNull(n.AndroidRootParams) && n.AndroidRootParams[0] != '{' {
		return p, refused(msgAndroidRootParams), false
	}
	p.content = contentText(n.Content)
	p.devices = strs(n.Devices)
	p.users = strs(n.Users)
	return p, reply{}, true
}

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
		if state.PlatformName(t) != "" && !slices.Contains(out, t) {
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

// platformFilter accepts the device types of a plan (nil: all).
func platformFilter(platforms []int) func(int) bool {
	if platforms == nil {
		return nil
	}
	return func(t int) bool { return slices.Contains(platforms, t) }
}

// audience is where a message goes: per application, the devices.
type audience struct {
	apps    []string
	targets [][]state.Target
	unknown map[string][]string // devices named but not known, by application
}

func (a *audience) count() int {
	n := 0
	for _, t := range a.targets {
		n += len(t)
	}
	return n
}

// resolve finds a plan's devices in the applications. For a group, a device counts
// as unknown only when no application of the group knows it, and is listed under the
// group's first application.
func (s *Server) resolve(accountID string, apps []string, p *plan) audience {
	if p.filter != nil {
		return s.resolveFilter(accountID, apps, p)
	}
	keep := platformFilter(p.platforms)
	aud := audience{apps: apps, targets: make([][]state.Target, len(apps))}
	var missing map[string]int // how many applications do not know each device id
	for i, app := range apps {
		switch {
		case len(p.devices) > 0:
			found, unknown := s.st.ResolveDevices(app, p.devices, keep)
			aud.targets[i] = found
			seen := make(map[string]bool, len(unknown)) // an id listed twice counts once
			for _, id := range unknown {
				if seen[id] {
					continue
				}
				seen[id] = true
				if missing == nil {
					missing = map[string]int{}
				}
				missing[id]++
			}
		case len(p.users) > 0:
			aud.targets[i] = s.st.DevicesOfUsers(app, p.users, keep)
		default:
			aud.targets[i] = s.st.SubscribedDevices(app, keep)
		}
	}
	for _, id := range p.devices {
		if missing[id] == len(apps) {
			if aud.unknown == nil {
				aud.unknown = map[string][]string{}
			}
			aud.unknown[apps[0]] = append(aud.unknown[apps[0]], id)
			delete(missing, id) // listed once
		}
	}
	return aud
}

// limitTo keeps n random (seeded) devices of the audience.
func (s *Server) limitTo(aud *audience, n int) {
	total := aud.count()
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
	for a, ts := range aud.targets {
		kept := ts[:0]
		for _, t := range ts {
			if keep[at] {
				kept = append(kept, t)
			}
			at++
		}
		aud.targets[a] = kept
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
		return msgSubscriberLimit, true
	case acc.ActiveDevicesLimit > 0 && n >= acc.ActiveDevicesLimit:
		return msgActiveDevices, false
	}
	return "", false
}

func (s *Server) codeFor(id uint64) string { return messageCode(s.seed, id) }

// accept stores a message for a plan and sends it now, or at its send date.
func (s *Server) accept(c *call, apps []string, p *plan, oneDevice bool) (state.Message, audience, error) {
	aud := s.resolve(c.account.ID, apps, p)
	if oneDevice {
		s.limitTo(&aud, 1)
	}
	m := state.Message{AccountID: c.account.ID, Applications: apps, Group: c.group, Status: state.MessageSent,
		Created: c.in.arrive, SendDate: p.sendAt, Content: p.content, ContentRaw: p.contentRaw, Data: p.data,
		Platforms: p.platforms, Targets: aud.count(), Campaign: p.campaign}
	if p.scheduled {
		m.Status = state.MessageScheduled
		m.Targets = 0
	}
	m, err := s.st.AddMessage(m, s.codeFor)
	if err != nil {
		return m, aud, err
	}
	if !p.scheduled {
		s.deliver(m, aud)
		return m, aud, nil
	}
	s.schedule(m, apps, *p, oneDevice, p.sendAt.Sub(c.in.arrive))
	return m, aud, nil
}

// schedule sends a message at its send date, to the devices it then finds: devices
// registered in the meantime get it too, as at Pushwoosh.
func (s *Server) schedule(m state.Message, apps []string, p plan, oneDevice bool, after time.Duration) {
	s.clk.AfterFunc(after, func() {
		aud := s.resolve(m.AccountID, apps, &p)
		if oneDevice {
			s.limitTo(&aud, 1)
		}
		if s.st.TakeScheduled(m.Code, aud.count()) {
			s.deliver(m, aud)
		}
	})
}

// deliver passes a message on to the lifecycle, once per application.
func (s *Server) deliver(m state.Message, aud audience) {
	if s.onMessage == nil {
		return
	}
	campaign := campaignID(m.Campaign)
	for i, app := range aud.apps {
		targets := make([]lifecycle.Target, len(aud.targets[i]))
		for j, t := range aud.targets[i] {
			targets[j] = lifecycle.Target{HWID: t.HWID, UserID: t.UserID, Platform: t.Platform}
		}
		s.onMessage(lifecycle.Message{Code: m.Code, ID: m.ID, CampaignID: campaign,
			ApplicationCode: app, Content: m.Content, Targets: targets})
	}
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
		return refused(msgNoNotifications)
	}
	var one [1]plan // most calls carry one notification
	plans := one[:0]
	for i := range ns {
		if r, good := s.applyPreset(c, &ns[i]); !good {
			return r
		}
		p, r, good := planNotification(&ns[i], c.in.arrive)
		if !good {
			return r
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
			return httpError(http.StatusInternalServerError)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, m.Code)
		for app, ids := range aud.unknown {
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
	p := plan{contentRaw: bytes.Clone(r.Content), data: bytes.Clone(r.Data), content: contentText(r.Content), filter: node}
	platforms, set, err := parseIntList(r.Platforms)
	if err != nil {
		return httpError(http.StatusBadRequest)
	}
	if set {
		if p.platforms = knownPlatforms(platforms); len(p.platforms) == 0 {
			return refused(msgSelectPlatform)
		}
	}
	sendAt, good := parseSendDate(r.SendDate, r.Timezone, c.in.arrive)
	if !good {
		return refused(msgCannotParseDate)
	}
	p.sendAt, p.scheduled = sendAt, sendAt.After(c.in.arrive)
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
	aud := s.resolveFilter(c.account.ID, appCodes(c.apps), &plan{filter: node})
	return ok(map[string]any{"devices_count": aud.count(), "devices_filter": c.req.DevicesFilter})
}

// filterApps parses a devices filter and puts the applications it names (checked
// against the call's token) in c.apps.
func (s *Server) filterApps(c *call, src string) (*filterNode, reply, bool) {
	node, err := parseFilter(src)
	if err != nil {
		return nil, refused(msgBadFilter + ": " + err.Error()), false
	}
	for _, t := range filterTargets(node) {
		codes := []string{t.application}
		if t.group != "" {
			g, found := s.st.Group(t.group)
			if !found || g.AccountID != c.account.ID {
				return nil, refused(msgAccessDenied), false
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
		return nil, refused(msgNoAppOrGroup), false
	}
	return node, reply{}, true
}

// resolveFilter finds the devices a plan's devices filter selects among the
// subscribed devices of apps.
func (s *Server) resolveFilter(accountID string, apps []string, p *plan) audience {
	var universe []state.Device
	for _, d := range s.st.AccountDevices(accountID) {
		if slices.Contains(apps, d.Application) && (p.platforms == nil || slices.Contains(p.platforms, d.Type)) {
			universe = append(universe, d)
		}
	}
	groupApps := func(code string) []string {
		g, _ := s.st.Group(code)
		return g.Applications
	}
	selected := evalFilter(p.filter, universe, groupApps)
	aud := audience{apps: apps, targets: make([][]state.Target, len(apps))}
	for _, d := range universe { // in application and hwid order
		if selected[deviceKey{d.Application, d.HWID}] {
			i := slices.Index(apps, d.Application)
			aud.targets[i] = append(aud.targets[i], state.Target{HWID: d.HWID, UserID: d.UserID, Type: d.Type,
				Platform: state.PlatformName(d.Type)})
		}
	}
	return aud
}

// findMessage finds the message a call names, among those its token may see.
func (s *Server) findMessage(c *call) (state.Message, reply, bool) {
	code := string(c.req.Message)
	if code == "" {
		return state.Message{}, refused(msgNoMessage), false
	}
	m, found := s.st.Message(c.account.ID, code)
	if !found {
		return m, refused(msgMessageNotFound), false
	}
	for _, app := range m.Applications {
		if !c.token.Covers(app) {
			return m, refused(msgAccessDenied), false
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
		return refused(msgMessageNotFound)
	}
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
		return refused(msgMessageNotFound)
	case was == state.MessageSent:
		return refused(msgNotCancellable)
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
		d.Platforms = allPlatforms()
	}
	return ok(map[string]messageDetails{"message": d})
}

// allPlatforms lists every device type, ascending.
func allPlatforms() []int {
	var out []int
	for t := range 32 {
		if state.PlatformName(t) != "" {
			out = append(out, t)
		}
	}
	return out
}
