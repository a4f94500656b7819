package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Events (https://docs.pushwoosh.com/developer/api-reference/events and the
// user-centric API): createEvent defines an event of an application with typed
// attributes and answers its id; postEvent must name a defined event, its attributes
// are checked against the definition, and it answers the code of the scenario's
// in-app that the event shows, if any (null otherwise).

const (
	maxEventName        = 32
	maxEventDescription = 64
	maxAttributeName    = 64
)

// createEventRequest is createEvent's request. Older clients nest the event in
// "event" and name its attributes "attributes"; both are read.
type createEventRequest struct {
	Name            flexString             `json:"name"`
	Description     string                 `json:"description"`
	EventAttributes []state.EventAttribute `json:"eventAttributes"`
	Attributes      []state.EventAttribute `json:"attributes"`
	TrackRevenue    bool                   `json:"trackRevenue"`
	Event           json.RawMessage        `json:"event"`
}

func (r *createEventRequest) attributes() []state.EventAttribute {
	if r.EventAttributes != nil {
		return r.EventAttributes
	}
	return r.Attributes
}

func (s *Server) createEvent(c *call) reply {
	var r createEventRequest
	if !c.decodeInto(&r) {
		return httpError(400)
	}
	if !isNull(r.Event) && r.Event[0] == '{' {
		var nested createEventRequest
		if json.Unmarshal(r.Event, &nested) != nil {
			return httpError(400)
		}
		r = nested
	} else if r.Name == "" {
		r.Name = flexString(rawString(r.Event))
	}
	e := state.EventDef{Name: strings.TrimSpace(string(r.Name)), Application: c.app().Code,
		Description: r.Description, Attributes: r.attributes(), TrackRevenue: r.TrackRevenue, Created: c.in.arrive}
	switch {
	case e.Name == "":
		return refused(catalog.MsgNoEventName)
	case utf8.RuneCountInString(e.Name) > maxEventName:
		return refused(catalog.MsgEventNameTooLong)
	case utf8.RuneCountInString(e.Description) > maxEventDescription:
		return refused(catalog.MsgEventDescTooLong)
	}
	for _, a := range e.Attributes {
		if a.Type < state.AttrInteger || a.Type > state.AttrPrice {
			return refused(catalog.MsgBadAttributeType)
		}
		if n := utf8.RuneCountInString(a.Name); n == 0 || n > maxAttributeName {
			return refused(catalog.MsgBadAttributeName)
		}
	}
	e.ID = s.st.NextSeq()
	switch err := s.st.CreateEvent(c.account.ID, e); {
	case errors.Is(err, state.ErrExists):
		return refused(catalog.MsgEventExists)
	case errors.Is(err, state.ErrLimit):
		return reply{status: 200, code: 403, message: catalog.MsgEventsLimit}
	case err != nil:
		return refused(catalog.MsgAccountNotFound)
	}
	return ok(map[string]uint64{"event": e.ID})
}

// postEventRequest is the part of postEvent's request the shared decoder does not
// read.
type postEventRequest struct {
	Attributes       json.RawMessage `json:"attributes"`
	TimestampUTC     flexInt         `json:"timestampUTC"`
	TimestampCurrent flexInt         `json:"timestampCurrent"`
}

func (s *Server) postEvent(c *call) reply {
	name := rawString(c.req.Event)
	if name == "" {
		return refused(catalog.MsgNoEvent)
	}
	if c.req.HWID == "" && c.req.UserID == "" {
		return refused(catalog.MsgNoEventUser)
	}
	var r postEventRequest
	decodeRequestInto(c.in.body, &r) //nolint:errcheck // the shared decoder already judged the body
	if isNull(r.Attributes) {
		return refused(catalog.MsgNoEventAttributes)
	}
	attrs, err := decodeObject(r.Attributes)
	if err != nil {
		return refused(catalog.MsgBadEventAttributes)
	}
	def, found := s.st.Event(c.account.ID, c.app().Code, name)
	if !found {
		return refused(catalog.MsgEventNotFound + ": " + name)
	}
	for _, a := range def.Attributes {
		v, set := attrs[a.Name]
		if !set || v == nil {
			continue // attributes are optional; undefined ones are ignored
		}
		if err := checkAttribute(a.Type, v); err != nil {
			return refused(fmt.Sprintf("Attribute %q %v", a.Name, err))
		}
	}
	at := c.in.arrive
	if r.TimestampUTC.Set && r.TimestampUTC.V > 0 {
		at = time.Unix(r.TimestampUTC.V, 0).UTC()
	}
	s.st.Count(c.app().Code, "event:"+name) //nolint:errcheck // the application was just found
	s.st.Record(c.app().Code, appActionEvent+name, at)
	for _, in := range c.app().InApps {
		if in.Event == name {
			return ok(map[string]string{"code": in.Code})
		}
	}
	return ok(nil)
}

// checkAttribute checks a postEvent attribute value (decoded with json.Number)
// against its defined type; the error completes `Attribute "x" …`.
func checkAttribute(typ int, v any) error {
	switch typ {
	case state.AttrInteger:
		if isInteger(v) {
			return nil
		}
		return errors.New("must be an integer")
	case state.AttrString:
		if _, ok := v.(string); ok {
			return nil
		}
		return errors.New("must be a string")
	case state.AttrList:
		if l, ok := v.([]any); ok {
			for _, x := range l {
				if _, ok := x.(string); !ok {
					return errors.New("must be a list of strings")
				}
			}
			return nil
		}
		return errors.New("must be a list of strings")
	case state.AttrDate:
		if isInteger(v) {
			return nil
		}
		if s, ok := v.(string); ok {
			for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05", "2006-01-02"} {
				if _, err := time.Parse(layout, s); err == nil {
					return nil
				}
			}
		}
		return errors.New(`must be a date: "YYYY-MM-DD HH:mm" or a unix timestamp`)
	case state.AttrBoolean:
		switch b := v.(type) {
		case bool:
			return nil
		case json.Number:
			if b == "0" || b == "1" {
				return nil
			}
		case string:
			if b == "true" || b == "false" || b == "0" || b == "1" {
				return nil
			}
		}
		return errors.New("must be a boolean")
	case state.AttrPrice:
		if n, ok := numberOf(v); ok && n >= 0 {
			return nil
		}
		return errors.New("must be a price: a number not below 0")
	}
	return nil
}

// isInteger reports a whole number, or a string holding one.
func isInteger(v any) bool {
	switch n := v.(type) {
	case json.Number:
		_, err := strconv.ParseInt(string(n), 10, 64)
		return err == nil
	case string:
		_, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64)
		return err == nil
	}
	return false
}

// numberOf reads a number, or a string holding one.
func numberOf(v any) (float64, bool) {
	var s string
	switch n := v.(type) {
	case json.Number:
		s = string(n)
	case string:
		s = strings.TrimSpace(n)
	default:
		return 0, false
	}
	x, err := strconv.ParseFloat(s, 64)
	return x, err == nil && !math.IsNaN(x) && !math.IsInf(x, 0)
}
