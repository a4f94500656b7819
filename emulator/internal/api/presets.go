package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Presets (createPreset, getPreset, listPresets, deletePreset) and campaigns
// (createCampaign, getCampaigns, getCampaign, deleteCampaign). A message naming a
// preset takes its content and options; a message naming a campaign must name one of
// the account's, and its events carry the campaign's id.

const (
	saltPreset   = 0x707265736574     // "preset"
	saltCampaign = 0x63616d706169676e // "campaign"
)

// shortCode is the seq-th code of a kind (salt): XXXXX-XXXXX in upper hex, as
// Pushwoosh writes application, preset and campaign codes.
func shortCode(seed, salt, seq uint64) string {
	h := mix64(mix64(seed^salt) + seq)
	b := make([]byte, 0, 11)
	b = appendHex(b, h>>20, 5)
	b = append(b, '-')
	b = appendHex(b, h, 5)
	return string(b)
}

// decodeInto decodes the call's "request" object into v with encoding/json: the
// methods of this file read fields the shared Request does not carry.
func (c *call) decodeInto(v any) bool {
	var env struct {
		Request json.RawMessage `json:"request"`
	}
	if json.Unmarshal(c.in.body, &env) != nil || isNull(env.Request) {
		return false
	}
	return json.Unmarshal(env.Request, v) == nil
}

// presetRequest is createPreset's request.
type presetRequest struct {
	Name                 flexString      `json:"name"`
	ApplicationCode      string          `json:"applicationCode"`
	ApplicationGroupCode string          `json:"applicationGroupCode"`
	CampaignCode         string          `json:"campaignCode"`
	Content              json.RawMessage `json:"content"`
	Scheduling           json.RawMessage `json:"scheduling"`
	Segmentation         struct {
		Filter    string          `json:"filter"`
		Platforms json.RawMessage `json:"platforms"`
	} `json:"segmentation"`
}

// presetContent is the part of a preset's content a message takes.
type presetContent struct {
	Message  json.RawMessage `json:"message"`
	UserData json.RawMessage `json:"userData"`
}

func (s *Server) createPreset(c *call) reply {
	var r presetRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	name := strings.TrimSpace(string(r.Name))
	if name == "" {
		return refused(catalog.MsgNoPresetName)
	}
	p := state.Preset{Name: name, AccountID: c.account.ID, Campaign: r.CampaignCode,
		Content: bytes.Clone(r.Content), Scheduling: bytes.Clone(r.Scheduling),
		Filter: r.Segmentation.Filter, Created: c.in.arrive}
	switch {
	case r.ApplicationCode != "":
		if _, rep, good := s.ownApp(c, r.ApplicationCode); !good {
			return rep
		}
		p.Application = r.ApplicationCode
	case r.ApplicationGroupCode != "":
		g, found := s.st.Group(r.ApplicationGroupCode)
		if !found || g.AccountID != c.account.ID {
			return refused(catalog.MsgAccessDenied)
		}
		p.Group = g.Code
	default:
		return refused(catalog.MsgTokenOrAppNotSet)
	}
	var content presetContent
	if isNull(r.Content) || json.Unmarshal(r.Content, &content) != nil || isNull(content.Message) {
		return refused(catalog.MsgNoPresetContent)
	}
	platforms, set, err := parseIntList(r.Segmentation.Platforms)
	if err != nil {
		return httpError(http.StatusBadRequest)
	}
	if set {
		if p.Platforms = knownPlatforms(platforms); len(p.Platforms) == 0 {
			return refused(catalog.MsgSelectPlatform)
		}
	}
	if p.Campaign != "" {
		if _, found := s.st.Campaign(c.account.ID, p.Campaign); !found {
			return refused(catalog.MsgCampaignNotFound)
		}
	}
	for range 16 {
		p.Code = shortCode(s.seed, saltPreset, s.st.NextSeq())
		if err := s.st.AddPreset(p); err == nil {
			return ok(map[string]string{"preset_code": p.Code})
		}
	}
	return refused(catalog.MsgCodeExhausted)
}

// presetView is a preset as getPreset and listPresets show it: its request fields.
type presetView struct {
	Code                 string          `json:"code"`
	Name                 string          `json:"name"`
	ApplicationCode      string          `json:"applicationCode,omitempty"`
	ApplicationGroupCode string          `json:"applicationGroupCode,omitempty"`
	CampaignCode         string          `json:"campaignCode,omitempty"`
	Content              json.RawMessage `json:"content"`
	Scheduling           json.RawMessage `json:"scheduling,omitempty"`
	Segmentation         struct {
		Filter    string `json:"filter,omitempty"`
		Platforms []int  `json:"platforms"`
	} `json:"segmentation"`
}

func viewPreset(p state.Preset) presetView {
	v := presetView{Code: p.Code, Name: p.Name, ApplicationCode: p.Application, ApplicationGroupCode: p.Group,
		CampaignCode: p.Campaign, Content: p.Content, Scheduling: p.Scheduling}
	v.Segmentation.Filter = p.Filter
	v.Segmentation.Platforms = p.Platforms
	if v.Segmentation.Platforms == nil {
		v.Segmentation.Platforms = catalog.DeviceTypes()
	}
	if isNull(v.Scheduling) {
		v.Scheduling = nil
	}
	return v
}

// findPreset finds the preset a call names, among those its token may see.
func (s *Server) findPreset(c *call, code string) (state.Preset, reply, bool) {
	code = strings.TrimSpace(code)
	if code == "" {
		return state.Preset{}, refused(catalog.MsgNoPresetCode), false
	}
	p, found := s.st.Preset(c.account.ID, code)
	if !found {
		return p, refused(catalog.MsgPresetNotFound), false
	}
	if p.Application != "" && !c.token.Covers(p.Application) {
		return p, refused(catalog.MsgAccessDenied), false
	}
	return p, reply{}, true
}

type presetCodeRequest struct {
	PresetCode flexString `json:"preset_code"`
	Preset     flexString `json:"preset"` // some clients name it so
}

func (r presetCodeRequest) code() string {
	if r.PresetCode != "" {
		return string(r.PresetCode)
	}
	return string(r.Preset)
}

func (s *Server) getPreset(c *call) reply {
	var r presetCodeRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	p, rep, good := s.findPreset(c, r.code())
	if !good {
		return rep
	}
	return ok(map[string]presetView{"preset": viewPreset(p)})
}

func (s *Server) listPresets(c *call) reply {
	views := []presetView{}
	for _, p := range s.st.Presets(c.account.ID, c.app().Code) {
		views = append(views, viewPreset(p))
	}
	return ok(map[string][]presetView{"presets": views})
}

func (s *Server) deletePreset(c *call) reply {
	var r presetCodeRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	p, rep, good := s.findPreset(c, r.code())
	if !good {
		return rep
	}
	if err := s.st.DeletePreset(c.account.ID, p.Code); err != nil {
		return refused(catalog.MsgPresetNotFound)
	}
	return ok(nil)
}

// applyPreset fills what a notification leaves out from the preset it names:
// content, custom data, platforms, campaign and filter.
func (s *Server) applyPreset(c *call, n *Notification) (reply, bool) {
	if n.Preset == "" {
		return reply{}, true
	}
	p, rep, good := s.findPreset(c, string(n.Preset))
	if !good {
		return rep, false
	}
	var content presetContent
	json.Unmarshal(p.Content, &content) //nolint:errcheck // checked by createPreset
	if isNull(n.Content) {
		n.Content = content.Message
	}
	if isNull(n.Data) && !isNull(content.UserData) {
		n.Data = content.UserData
	}
	if isNull(n.Platforms) && p.Platforms != nil {
		n.Platforms, _ = json.Marshal(p.Platforms)
	}
	if n.Campaign == "" {
		n.Campaign = flexString(p.Campaign)
	}
	if n.Filter == "" {
		n.Filter = p.Filter
	}
	return reply{}, true
}

// checkCampaign refuses a campaign code the account does not have.
func (s *Server) checkCampaign(c *call, code string) (reply, bool) {
	if code == "" {
		return reply{}, true
	}
	if _, found := s.st.Campaign(c.account.ID, code); !found {
		return refused(catalog.MsgCampaignNotFound), false
	}
	return reply{}, true
}

type campaignRequest struct {
	Name        flexString `json:"name"`
	Description string     `json:"description"`
	Campaign    flexString `json:"campaign"`
	Cursor      string     `json:"cursor"`
	Limit       flexInt    `json:"limit"`
}

// campaignView is a campaign as getCampaigns shows it; id is the campaign_id of its
// messages' events, which the event-streaming campaign filter lists.
type campaignView struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Description string `json:"description"`
	ID          uint64 `json:"id"`
}

func viewCampaign(k state.Campaign) campaignView {
	return campaignView{Code: k.Code, Name: k.Name, Description: k.Description, ID: k.ID}
}

func (s *Server) createCampaign(c *call) reply {
	var r campaignRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	name := strings.TrimSpace(string(r.Name))
	if name == "" {
		return refused(catalog.MsgNoCampaignName)
	}
	k := state.Campaign{Name: name, Description: r.Description, AccountID: c.account.ID,
		Application: c.app().Code, Created: c.in.arrive}
	for range 16 {
		k.Code = shortCode(s.seed, saltCampaign, s.st.NextSeq())
		k.ID = campaignID(k.Code)
		if err := s.st.AddCampaign(k); err == nil {
			return ok(map[string]string{"campaign": k.Code})
		}
	}
	return refused(catalog.MsgCodeExhausted)
}

// getCampaigns pages with cursor (the code of the last campaign of the previous
// page) and limit (all when 0).
func (s *Server) getCampaigns(c *call) reply {
	var r campaignRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	all := s.st.Campaigns(c.account.ID, c.app().Code)
	start := 0
	if r.Cursor != "" {
		start = len(all)
		for i, k := range all {
			if k.Code == r.Cursor {
				start = i + 1
				break
			}
		}
	}
	views := []campaignView{}
	for _, k := range all[start:] {
		if r.Limit.V > 0 && int64(len(views)) == r.Limit.V {
			break
		}
		views = append(views, viewCampaign(k))
	}
	return ok(map[string][]campaignView{"campaigns": views})
}

func (s *Server) findCampaign(c *call) (state.Campaign, reply, bool) {
	var r campaignRequest
	if !c.decodeInto(&r) {
		return state.Campaign{}, httpError(http.StatusBadRequest), false
	}
	code := strings.TrimSpace(string(r.Campaign))
	if code == "" {
		return state.Campaign{}, refused(catalog.MsgNoCampaignCode), false
	}
	k, found := s.st.Campaign(c.account.ID, code)
	if !found {
		return k, refused(catalog.MsgCampaignNotFound), false
	}
	if !c.token.Covers(k.Application) {
		return k, refused(catalog.MsgAccessDenied), false
	}
	return k, reply{}, true
}

func (s *Server) getCampaign(c *call) reply {
	k, rep, good := s.findCampaign(c)
	if !good {
		return rep
	}
	return ok(map[string]campaignView{"campaign": viewCampaign(k)})
}

func (s *Server) deleteCampaign(c *call) reply {
	k, rep, good := s.findCampaign(c)
	if !good {
		return rep
	}
	if err := s.st.DeleteCampaign(c.account.ID, k.Code); errors.Is(err, state.ErrNotFound) {
		return refused(catalog.MsgCampaignNotFound)
	}
	return ok(nil)
}
