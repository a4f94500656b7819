package api

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/emulator/internal/targeting"
)

// iOS Live Activities (https://docs.pushwoosh.com/platform-docs/api-reference/ios-live-activities-api):
// startLiveActivity starts an activity on iOS devices chosen as createMessage
// chooses them (devices, users, filter or filter_code); updateLiveActivity updates
// or ends it on the devices that hold it: those the start reached, and those whose
// SDK reported a token for it (setActivityToken). Their events carry
// live_activity_id and no payload, so a stream's live-activity filter keeps or
// drops them.

// liveActivity is the live_activity object of a notification.
type liveActivity struct {
	Event          string          `json:"event"`
	ContentState   json.RawMessage `json:"content-state"`
	AttributesType string          `json:"attributes-type"`
	Attributes     json.RawMessage `json:"attributes"`
	DismissalDate  flexInt         `json:"dismissal-date"`
}

// liveExtras are the fields of a live-activity notification the shared decoder
// does not read.
type liveExtras struct {
	LiveActivity    json.RawMessage `json:"live_activity"`
	IOSLiveActivity json.RawMessage `json:"ios_live_activity"` // updateLiveActivity's older name
	LiveActivityID  flexString      `json:"live_activity_id"`
	FilterCode      string          `json:"filter_code"`
	PushTokens      []string        `json:"live_activity_push_tokens"`
}

func liveFields(body []byte) []liveExtras {
	return notificationFields[liveExtras](body)
}

// object reads the live_activity object; ok is false when it is missing or not an
// object.
func (x *liveExtras) object() (liveActivity, bool) {
	raw := x.LiveActivity
	if isNull(raw) {
		raw = x.IOSLiveActivity
	}
	var la liveActivity
	if isNull(raw) || raw[0] != '{' || json.Unmarshal(raw, &la) != nil {
		return la, false
	}
	return la, true
}

// liveSend plans and accepts each notification of a live-activity call with
// prepare, and answers {"Messages": […]}.
func (s *Server) liveSend(c *call, prepare func(n *Notification, x *liveExtras, ne *notificationExtras) (plan, reply, bool)) reply {
	ns := c.req.Notifications
	if len(ns) == 0 {
		return refused(catalog.MsgNoNotifications)
	}
	xs, ls := extras(c.in.body), liveFields(c.in.body)
	plans := make([]plan, 0, len(ns))
	for i := range ns {
		ne, lx := nth(xs, i), nth(ls, i)
		p, r, good := prepare(&ns[i], &lx, &ne)
		if !good {
			return r
		}
		plans = append(plans, p)
	}
	apps := appCodes(c.apps)
	codes := make([]string, 0, len(plans))
	for i := range plans {
		m, _, err := s.accept(c, apps, &plans[i], false)
		if err != nil {
			return messageRefusal(err)
		}
		codes = append(codes, m.Code)
	}
	return ok(map[string][]string{"Messages": codes})
}

func (s *Server) startLiveActivity(c *call) reply {
	return s.liveSend(c, func(n *Notification, x *liveExtras, ne *notificationExtras) (plan, reply, bool) {
		la, good := x.object()
		switch {
		case !good:
			return plan{}, refused(catalog.MsgNoLiveActivity), false
		case isNull(la.ContentState):
			return plan{}, refused(catalog.MsgNoContentState), false
		case x.LiveActivityID == "":
			return plan{}, refused(catalog.MsgNoLiveActivityID), false
		}
		if n.Filter == "" && x.FilterCode != "" {
			n.Filter = s.filterName(c.account.ID, x.FilterCode)
		}
		if len(n.Users) > 0 {
			n.Devices = nil // the docs: devices are ignored when users are given
		}
		n.Platforms = json.RawMessage(`[1]`) // Live Activities are iOS's
		p, r, good := s.planNotification(c, n, ne)
		if !good {
			return p, r, false
		}
		p.liveActivityID = string(x.LiveActivityID)
		return p, reply{}, true
	})
}

func (s *Server) updateLiveActivity(c *call) reply {
	return s.liveSend(c, func(n *Notification, x *liveExtras, ne *notificationExtras) (plan, reply, bool) {
		la, good := x.object()
		switch {
		case !good:
			return plan{}, refused(catalog.MsgNoLiveActivity), false
		case la.Event != "update" && la.Event != "end":
			return plan{}, refused(catalog.MsgBadLiveEvent), false
		case isNull(la.ContentState):
			return plan{}, refused(catalog.MsgNoContentState), false
		case x.LiveActivityID == "" && len(x.PushTokens) == 0:
			return plan{}, refused(catalog.MsgNoLiveActivityID), false
		}
		id := string(x.LiveActivityID)
		found := false
		for _, app := range c.apps {
			ts, named := s.st.LiveActivityTargets(app.Code, id, x.PushTokens)
			if len(ts) > 0 {
				found = true
				if id == "" {
					id = named
				}
			}
		}
		if !found {
			return plan{}, refused(catalog.MsgLiveActivityUnknown + ": " + strings.Join(append([]string{id}, x.PushTokens...), " ")), false
		}
		p := plan{content: contentText(n.Content), contentRaw: bytes.Clone(n.Content), liveActivityID: id,
			transactionID: string(ne.TransactionID), platforms: []int{catalog.DeviceIOS}}
		if r, good := s.planTime(c, &p, n.SendDate, n.Timezone, ne); !good {
			return p, r, false
		}
		tokens := x.PushTokens
		p.audience = func(apps []string) targeting.Audience {
			aud := targeting.Audience{Apps: apps, Targets: make([][]state.Target, len(apps))}
			for i, app := range apps {
				aud.Targets[i], _ = s.st.LiveActivityTargets(app, id, tokens)
			}
			return aud
		}
		return p, reply{}, true
	})
}
