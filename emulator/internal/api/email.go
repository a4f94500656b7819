package api

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Email and SMS (https://docs.pushwoosh.com/developer/api-reference/email-api,
// .../sms): createEmailMessage and createSMSMessage send through the same plan,
// targeting and delivery as createMessage, restricted to the Email (14) or SMS (18)
// devices; their Email/SMS events come from the lifecycle and go to the streams and
// the email-status webhooks. deleteEmail drops an email subscription;
// getBouncedEmails reports, through getResults, the emails that bounced.

// emailExtras are the fields of an email or SMS notification only these senders
// read.
type emailExtras struct {
	Subject             json.RawMessage `json:"subject"`
	From                json.RawMessage `json:"from"`
	UseAutoRegistration bool            `json:"use_auto_registration"`
	Devices             json.RawMessage `json:"devices"`
}

func emailFields(body []byte) []emailExtras {
	return notificationFields[emailExtras](body)
}

// subjectText is the default-language text of an email subject: a string, a
// per-language object, or the docs' list of one-language objects
// ([{"default": …}, {"en": …}]), where "default" wins.
func subjectText(raw json.RawMessage) string {
	if isNull(raw) || raw[0] != '[' {
		return contentText(raw)
	}
	var list []map[string]json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		return ""
	}
	merged := map[string]json.RawMessage{}
	for _, m := range list {
		for k, v := range m {
			merged[k] = v
		}
	}
	if v, ok := merged["default"]; ok {
		return rawString(v)
	}
	b, _ := json.Marshal(merged)
	return contentText(b)
}

// channelSend sends the notifications of an email or SMS call to devices of one
// type; register, when use_auto_registration is set, registers the listed
// addresses first. It answers the message codes.
func (s *Server) channelSend(c *call, deviceType int, check func(n *Notification, x *emailExtras) (reply, bool)) ([]string, reply, bool) {
	ns := c.req.Notifications
	if len(ns) == 0 {
		return nil, refused(catalog.MsgNoNotifications), false
	}
	xs, es := extras(c.in.body), emailFields(c.in.body)
	plans := make([]plan, 0, len(ns))
	for i := range ns {
		x, e := nth(xs, i), nth(es, i)
		n := &ns[i]
		if r, good := check(n, &e); !good {
			return nil, r, false
		}
		if r, good := s.applyPreset(c, n); !good {
			return nil, r, false
		}
		if len(n.Devices) > 0 {
			n.Users = nil // the docs: users are ignored when devices are given
		}
		n.Platforms = json.RawMessage(`[` + strconv.Itoa(deviceType) + `]`)
		p, r, good := s.planNotification(c, n, &x)
		if !good {
			return nil, r, false
		}
		if r, good := s.checkCampaign(c, p.campaign); !good {
			return nil, r, false
		}
		if subject := subjectText(e.Subject); subject != "" {
			p.content = subject // email events carry the subject as their payload
		}
		if e.UseAutoRegistration {
			for _, app := range c.apps {
				for _, id := range p.query.Devices {
					if _, known := s.st.Device(app.Code, id); !known {
						s.st.RegisterDevice(state.Registration{Application: app.Code, HWID: id, PushToken: id, Type: deviceType}, c.in.arrive) //nolint:errcheck // the application was just found
					}
				}
			}
		}
		plans = append(plans, p)
	}
	apps := appCodes(c.apps)
	codes := make([]string, 0, len(plans))
	for i := range plans {
		m, _, err := s.accept(c, apps, &plans[i], false)
		if err != nil {
			return nil, messageRefusal(err), false
		}
		codes = append(codes, m.Code)
	}
	return codes, reply{}, true
}

// createEmailMessage sends email messages; the docs answer null.
func (s *Server) createEmailMessage(c *call) reply {
	_, r, good := s.channelSend(c, catalog.DeviceEmail, func(n *Notification, e *emailExtras) (reply, bool) {
		if n.Preset == "" {
			return refused(catalog.MsgNoEmailPreset), false
		}
		if !isNull(e.From) {
			var from struct {
				Name  string `json:"name"`
				Email string `json:"email"`
			}
			if e.From[0] != '{' || json.Unmarshal(e.From, &from) != nil || !strings.Contains(from.Email, "@") {
				return refused(catalog.MsgBadFrom), false
			}
		}
		return reply{}, true
	})
	if !good {
		return r
	}
	return ok(nil)
}

// createSMSMessage sends SMS messages to the phone numbers of devices and answers
// their codes; a devices that is not a list gets the documented 210 with an empty
// Messages list.
func (s *Server) createSMSMessage(c *call) reply {
	codes, r, good := s.channelSend(c, catalog.DeviceSMS, func(n *Notification, e *emailExtras) (reply, bool) {
		if isNull(e.Devices) || e.Devices[0] != '[' {
			r := refused(catalog.MsgSMSDevicesNoArray)
			r.body = []byte(`{"Messages":[]}`)
			return r, false
		}
		if isNull(n.Content) && n.Preset == "" {
			return refused(catalog.MsgNoSMSContent), false
		}
		return reply{}, true
	})
	if !good {
		return r
	}
	return ok(map[string][]string{"Messages": codes})
}

// smsBody makes a createSMSMessage body whose devices is not a list readable by the
// shared decoder (devices becomes null), so that the handler can answer the
// documented 210 instead of a 400.
func smsBody(body []byte) []byte {
	var b map[string]json.RawMessage
	if json.Unmarshal(body, &b) != nil {
		return body
	}
	var req map[string]json.RawMessage
	if json.Unmarshal(b["request"], &req) != nil {
		return body
	}
	var ns []map[string]json.RawMessage
	if json.Unmarshal(req["notifications"], &ns) != nil {
		return body
	}
	changed := false
	for _, n := range ns {
		if d, set := n["devices"]; set && !isNull(d) && d[0] != '[' {
			n["devices"] = json.RawMessage("null")
			changed = true
		}
	}
	if !changed {
		return body
	}
	req["notifications"], _ = json.Marshal(ns)
	b["request"], _ = json.Marshal(req)
	out, err := json.Marshal(b)
	if err != nil {
		return body
	}
	return out
}

// deleteEmail drops the email subscription of an address; the user and its other
// devices stay.
func (s *Server) deleteEmail(c *call) reply {
	email := strings.TrimSpace(c.req.Email)
	if email == "" {
		return refused(catalog.MsgNoEmail)
	}
	found, err := s.st.DeleteEmail(c.app().Code, email)
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	if !found {
		return refused(catalog.MsgEmailNotFound)
	}
	return ok(nil)
}

// bouncedEmail is one row of getBouncedEmails' result.
type bouncedEmail struct {
	Email       string `json:"email"`
	MessageCode string `json:"message_code"`
	Timestamp   int64  `json:"timestamp"`
}

// getBouncedEmails answers a request_id whose result lists the application's
// bounced emails (Email Bounced events about its messages), oldest first, within
// datefrom and dateto when given.
func (s *Server) getBouncedEmails(c *call) reply {
	lo, hi, good := dateRange(c.req.DateFrom, c.req.DateTo)
	if !good {
		return refused(catalog.MsgCannotParseDate)
	}
	from, to := lo.Unix(), hi.Unix()
	app := c.app().Code
	rows := []bouncedEmail{}
	for _, e := range s.st.MessageLog(func(e *state.LogEntry) bool {
		return e.Application == app && e.Action == state.ActionBounced && e.Timestamp >= from && e.Timestamp <= to
	}) {
		rows = append(rows, bouncedEmail{Email: e.HWID, MessageCode: e.MessageCode, Timestamp: e.Timestamp})
	}
	return s.statsRequest(c, map[string][]bouncedEmail{"bounced": rows})
}
