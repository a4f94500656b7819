package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/emulator/internal/targeting"
)

// Account catalogue methods: tags, filters, events and applications.

// tagRequest is addTag's and deleteTag's "tag" object.
type tagRequest struct {
	Name                string          `json:"name"`
	Type                json.RawMessage `json:"type"`
	ApplicationSpecific bool            `json:"application_specific"`
}

func decodeTag(raw json.RawMessage) (tagRequest, bool) {
	var t tagRequest
	if isNull(raw) || json.Unmarshal(raw, &t) != nil {
		return t, false
	}
	t.Name = strings.TrimSpace(t.Name)
	return t, t.Name != ""
}

// tagType reads a tag type: its number (1…7, possibly as a string) or its name.
func tagType(raw json.RawMessage) int {
	if isNull(raw) {
		return 0
	}
	var f flexInt
	if f.UnmarshalJSON(raw) == nil && f.Set {
		if state.TagTypeName(int(f.V)) != "" {
			return int(f.V)
		}
		return 0
	}
	name := strings.ToLower(rawString(raw))
	for t := state.TagInteger; t <= state.TagVersion; t++ {
		if state.TagTypeName(t) == name {
			return t
		}
	}
	return 0
}

var resultTrue = []byte(`{"result":true}`)

func (s *Server) addTag(c *call) reply {
	t, good := decodeTag(c.req.Tag)
	if !good {
		return refused(catalog.MsgNoTagName)
	}
	typ := tagType(t.Type)
	if typ == 0 {
		return refused(catalog.MsgBadTagType)
	}
	err := s.st.AddTag(c.account.ID, state.TagDef{Name: t.Name, Type: typ, ApplicationSpecific: t.ApplicationSpecific})
	if errors.Is(err, state.ErrExists) {
		return refused(catalog.MsgTagExists)
	}
	if errors.Is(err, state.ErrLimit) {
		return refused(catalog.MsgTagLimit)
	}
	return okRaw(resultTrue)
}

func (s *Server) deleteTag(c *call) reply {
	t, good := decodeTag(c.req.Tag)
	if !good {
		return refused(catalog.MsgNoTagName)
	}
	if err := s.st.DeleteTag(c.account.ID, t.Name); err != nil {
		return refused(catalog.MsgTagNotFound)
	}
	return okRaw(resultTrue)
}

func (s *Server) listTags(c *call) reply {
	tags := s.st.Tags(c.account.ID)
	if tags == nil {
		tags = []state.TagDef{}
	}
	return ok(map[string][]state.TagDef{"tags": tags})
}

// createFilter saves a segment: its filter_expression (the segmentation language of
// the current docs) or the older conditions and operator, checked as a message would
// use them, under a code of its own.
func (s *Server) createFilter(c *call) reply {
	name := strings.TrimSpace(string(c.req.Name))
	if name == "" {
		return refused(catalog.MsgNoFilterName)
	}
	var x struct {
		FilterExpression string `json:"filter_expression"`
		ExpirationDate   string `json:"expiration_date"`
	}
	decodeRequestInto(c.in.body, &x) //nolint:errcheck // the shared decoder already judged the body
	f := state.Filter{Code: filterCode(s.seed, s.st.NextSeq()), Name: name, Application: c.req.Application,
		FilterExpression: strings.TrimSpace(x.FilterExpression), ExpirationDate: x.ExpirationDate,
		Conditions: bytes.Clone(c.req.Conditions), Operator: c.req.Operator, Created: c.in.arrive}
	if f.Application != "" {
		if _, rep, good := s.ownApp(c, f.Application); !good {
			return rep
		}
	}
	if f.FilterExpression != "" {
		if _, err := targeting.Parse(f.FilterExpression); err != nil {
			return refused(catalog.MsgBadFilter + ": " + err.Error())
		}
	}
	if _, err := targeting.Conditions(f.Conditions, f.Operator, nil); err != nil {
		return refused(catalog.MsgBadConditions + ": " + err.Error())
	}
	if isNull(f.Conditions) {
		f.Conditions = nil
	}
	if err := s.st.CreateFilter(c.account.ID, f); errors.Is(err, state.ErrExists) {
		return refused(catalog.MsgFilterExists)
	}
	return ok(map[string]string{"name": name})
}

func (s *Server) listFilters(c *call) reply {
	fs := s.st.Filters(c.account.ID)
	if fs == nil {
		fs = []state.Filter{}
	}
	return ok(map[string][]state.Filter{"filters": fs})
}

func (s *Server) deleteFilter(c *call) reply {
	name := strings.TrimSpace(string(c.req.Name))
	if name == "" {
		return refused(catalog.MsgNoFilterName)
	}
	if err := s.st.DeleteFilter(c.account.ID, name); err != nil {
		return refused(catalog.MsgFilterNotFound)
	}
	return ok(nil)
}

func (s *Server) deleteApplication(c *call) reply {
	if err := s.st.DeleteApplication(c.account.ID, c.app().Code); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}
