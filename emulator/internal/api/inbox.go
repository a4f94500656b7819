package api

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// The Message Inbox. A notification with inbox options (inbox_date, inbox_days,
// inbox_image: in createMessage's notifications, in the v2 notify payload) is kept
// in the inbox of each user it reaches; getInboxMessages lists a user's inbox as
// the SDKs read it and inboxStatus moves a message's status, a read or an opening
// becoming an Inbox Read or Inbox Opened event.

// maxInboxDays is the longest inbox_days Pushwoosh takes, and how long a message
// with only an inbox_image stays.
const maxInboxDays = 30

// inboxFields are a notification's fields the inbox reads.
type inboxFields struct {
	InboxDate  string  `json:"inbox_date"`
	InboxDays  flexInt `json:"inbox_days"`
	InboxImage string  `json:"inbox_image"`
	Link       string  `json:"link"`
	RichMedia  string  `json:"rich_media"`
	// Titles by platform, as createMessage names them.
	IOSTitle      json.RawMessage `json:"ios_title"`
	AndroidHeader json.RawMessage `json:"android_header"`
	HuaweiHeader  json.RawMessage `json:"huawei_android_header"`
	ADMHeader     json.RawMessage `json:"adm_header"`
	ChromeTitle   json.RawMessage `json:"chrome_title"`
	FirefoxTitle  json.RawMessage `json:"firefox_title"`
	SafariTitle   json.RawMessage `json:"safari_title"`
}

// inboxMarker is in every body with inbox options: bodies without it are not
// decoded again.
var inboxMarker = []byte(`"inbox_`)

// inboxFieldsOf decodes the inbox fields of createMessage's notifications; nil
// when the body has none.
func inboxFieldsOf(body []byte) []inboxFields {
	if !bytes.Contains(body, inboxMarker) {
		return nil
	}
	return notificationFields[inboxFields](body)
}

// inboxPayload decodes the inbox fields of a v2 notify payload.
func inboxPayload(payload json.RawMessage) *inboxFields {
	if !bytes.Contains(payload, inboxMarker) {
		return nil
	}
	var f inboxFields
	if json.Unmarshal(payload, &f) != nil {
		return nil
	}
	return &f
}

// options checks a notification's inbox fields and makes its inbox options: nil
// for a notification that goes to no inbox, or the refusal's message.
func (f *inboxFields) options(now time.Time) (*state.InboxOptions, string) {
	if f == nil || (f.InboxDate == "" && !f.InboxDays.Set && f.InboxImage == "") {
		return nil, ""
	}
	o := &state.InboxOptions{Image: f.InboxImage, Link: f.Link, RichMedia: f.RichMedia, Titles: map[string]string{}}
	switch date := strings.TrimSpace(f.InboxDate); {
	case date != "" && f.InboxDays.Set:
		return nil, catalog.MsgInboxDateAndDays
	case date != "":
		t, good := parseInboxDate(date)
		if !good || !t.After(now) {
			return nil, catalog.MsgBadInboxDate
		}
		o.Expires = t
	case f.InboxDays.Set:
		if f.InboxDays.V < 1 || f.InboxDays.V > maxInboxDays {
			return nil, catalog.MsgBadInboxDays
		}
		o.Days = int(f.InboxDays.V)
	default:
		o.Days = maxInboxDays
	}
	for typ, raw := range map[int]json.RawMessage{catalog.DeviceIOS: f.IOSTitle, catalog.DeviceAndroid: f.AndroidHeader,
		catalog.DeviceHuawei: f.HuaweiHeader, catalog.DeviceAmazon: f.ADMHeader, catalog.DeviceChrome: f.ChromeTitle,
		catalog.DeviceFirefox: f.FirefoxTitle, catalog.DeviceSafari: f.SafariTitle} {
		if t := titleOf(raw); t != "" {
			o.Titles[catalog.PlatformName(typ)] = t
		}
	}
	return o, ""
}

// titleOf reads a title given as a string or as an object with a "title" (iOS's
// alert form).
func titleOf(raw json.RawMessage) string {
	if t := rawString(raw); t != "" {
		return t
	}
	var obj struct {
		Title string `json:"title"`
	}
	if len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &obj) == nil {
		return obj.Title
	}
	return ""
}

// parseInboxDate reads inbox_date: a day (the message stays through it, until the
// next midnight UTC) or a day and time (UTC).
func parseInboxDate(s string) (time.Time, bool) {
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.AddDate(0, 0, 1), true
	}
	for _, layout := range sendDateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// inboxRequest is the part of getInboxMessages' and inboxStatus' requests the
// shared request lacks.
type inboxRequest struct {
	LastCode        flexString `json:"last_code"`
	Count           flexInt    `json:"count"`
	LastRequestTime flexInt    `json:"last_request_time"`
	InboxCode       flexString `json:"inbox_code"`
	Status          flexInt    `json:"status"`
}

// inboxOwners are the inboxes a call names: its userId, its hwid and the hwid's
// device's user (the SDKs send the hwid as userId when there is no user).
func (s *Server) inboxOwners(c *call) []string {
	owners := []string{string(c.req.UserID)}
	if hwid := string(c.req.HWID); hwid != "" {
		owners = append(owners, hwid)
		if d, found := s.st.Device(c.app().Code, hwid); found && d.UserID != "" {
			owners = append(owners, d.UserID)
		}
	}
	return owners
}

// inboxMessage is a message as getInboxMessages lists it. The SDKs read
// action_type as a number (the Android SDK's InboxMessageType, the web SDK's
// action types) and action_params as a JSON object in a string; times and the
// order are strings, as in the documentation's example.
type inboxMessage struct {
	InboxID      string `json:"inbox_id"`
	Order        string `json:"order"`
	RT           string `json:"rt"`
	SendDate     string `json:"send_date"`
	Title        string `json:"title"`
	Text         string `json:"text"`
	Image        string `json:"image"`
	ActionType   int    `json:"action_type"`
	ActionParams string `json:"action_params"`
	Status       int    `json:"status"`
	Hash         string `json:"hash"`
}

func inboxView(e *state.InboxEntry) inboxMessage {
	params := map[string]string{"h": e.Push.Hash}
	action := catalog.InboxActionPlain
	switch {
	case e.RichMedia != "":
		action, params["rm"] = catalog.InboxActionRichMedia, e.RichMedia
	case e.Link != "":
		action, params["l"] = catalog.InboxActionURL, e.Link
	}
	b, _ := json.Marshal(params)
	return inboxMessage{InboxID: e.Push.MessageCode, Order: state.FormatInboxOrder(e.Order),
		RT: strconv.FormatInt(e.Expires.Unix(), 10), SendDate: strconv.FormatInt(e.Push.Sent.Unix(), 10),
		Title: e.Title, Text: e.Push.Payload, Image: e.Image, ActionType: action, ActionParams: string(b),
		Status: e.Status, Hash: e.Push.Hash}
}

// getInboxMessages lists a user's inbox, newest first: count a page (0 for all),
// from after last_code (the previous page's next). Messages deleted from the
// Control Panel are listed by code under deleted; new_inbox counts the messages
// still unread (delivered since last_request_time, when given).
func (s *Server) getInboxMessages(c *call) reply {
	if c.req.UserID == "" && c.req.HWID == "" {
		return refused(catalog.MsgNoInboxUser)
	}
	var r inboxRequest
	decodeRequestInto(c.in.body, &r) //nolint:errcheck // the shared decoder already judged the body
	entries := s.st.Inbox(c.app().Code, s.inboxOwners(c), s.clk.Now())
	type answer struct {
		Messages []inboxMessage `json:"messages"`
		Next     string         `json:"next"`
		Deleted  []string       `json:"deleted"`
		NewInbox int            `json:"new_inbox"`
	}
	a := answer{Messages: []inboxMessage{}, Deleted: []string{}}
	since := time.Unix(r.LastRequestTime.V, 0)
	after, paged := uint64(0), false
	if n, err := strconv.ParseUint(strings.TrimSpace(string(r.LastCode)), 10, 64); err == nil {
		after, paged = n, true
	}
	for i := range entries {
		e := &entries[i]
		if e.Status == catalog.InboxDeletedByCP {
			a.Deleted = append(a.Deleted, e.Push.MessageCode)
			continue
		}
		if e.Status == catalog.InboxDelivered && (r.LastRequestTime.V <= 0 || e.Push.Sent.After(since)) {
			a.NewInbox++
		}
		if paged && e.Order >= after {
			continue // on a page before
		}
		if r.Count.V > 0 && len(a.Messages) == int(r.Count.V) {
			if a.Next == "" {
				a.Next = a.Messages[len(a.Messages)-1].Order
			}
			continue
		}
		a.Messages = append(a.Messages, inboxView(e))
	}
	return ok(a)
}

// inboxStatus sets the status of a message of the caller's inbox (named by its
// order, as the SDKs do, or by its code): 2 read and 3 opened become the Inbox Read
// and Inbox Opened events of the push it came with, once each.
func (s *Server) inboxStatus(c *call) reply {
	var r inboxRequest
	decodeRequestInto(c.in.body, &r) //nolint:errcheck // the shared decoder already judged the body
	switch {
	case c.req.UserID == "" && c.req.HWID == "":
		return refused(catalog.MsgNoInboxUser)
	case r.InboxCode == "":
		return refused(catalog.MsgNoInboxCode)
	case r.Status.V < catalog.InboxDelivered || r.Status.V > catalog.InboxDeleted:
		return refused(catalog.MsgBadInboxStatus)
	}
	status := int(r.Status.V)
	before, found := s.st.SetInboxStatus(c.app().Code, s.inboxOwners(c), string(r.InboxCode), status, s.clk.Now())
	if !found {
		return refused(catalog.MsgInboxNotFound)
	}
	switch {
	case status == catalog.InboxRead && before.Status < catalog.InboxRead:
		s.publish(s.pushEvent(catalog.EventInboxRead, before.Push))
	case status == catalog.InboxOpened && before.Status < catalog.InboxOpened:
		s.publish(s.pushEvent(catalog.EventInboxOpened, before.Push))
	}
	return ok(nil)
}
