package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Geozones (https://docs.pushwoosh.com/developer/api-reference/geozones): addGeoZone,
// updateGeoZone, deleteGeoZone, listGeoZones, addGeoZoneCluster,
// deleteGeoZoneCluster, listGeoZoneClusters, and the SDK's getNearestZone, which
// answers the nearest zone with its great-circle distance and records the device's
// position: entering a zone's range sends the zone's message (its content, or its
// preset's) to the device, at most once per cooldown of the zone and of its cluster.

const (
	minZoneRange = 50
	maxZoneRange = 1000
)

const saltCluster = 0x636c7573746572 // "cluster"

// geozoneRequest is one entry of addGeoZone's geozones, and updateGeoZone's request.
type geozoneRequest struct {
	GeoZoneID  json.RawMessage `json:"geoZoneId"`
	Name       *string         `json:"name"`
	Lat        flexFloat       `json:"lat"`
	Lng        flexFloat       `json:"lng"`
	Latitude   flexFloat       `json:"latitude"`
	Longitude  flexFloat       `json:"longitude"`
	Cooldown   flexInt         `json:"cooldown"`
	Range      flexInt         `json:"range"`
	Status     flexInt         `json:"status"`
	Content    json.RawMessage `json:"content"`
	PresetCode *string         `json:"presetCode"`
	Cluster    json.RawMessage `json:"cluster"`  // null unbinds
	Campaign   json.RawMessage `json:"campaign"` // null unbinds, absent leaves
	Timetable  json.RawMessage `json:"timetable"`
}

func (r *geozoneRequest) lat() flexFloat {
	if r.Lat.Set {
		return r.Lat
	}
	return r.Latitude
}

func (r *geozoneRequest) lng() flexFloat {
	if r.Lng.Set {
		return r.Lng
	}
	return r.Longitude
}

// zoneCheck checks what a request sets on zone z and applies it; full is true for
// addGeoZone, where the documented required fields must all be there.
func (s *Server) zoneCheck(c *call, r *geozoneRequest, z *state.GeoZone, full bool) error {
	if r.Name != nil || full {
		if r.Name == nil || strings.TrimSpace(*r.Name) == "" {
			return fmt.Errorf("name is not set")
		}
		z.Name = strings.TrimSpace(*r.Name)
	}
	lat, lng := r.lat(), r.lng()
	if full && (!lat.Set || !lng.Set) {
		return fmt.Errorf("lat and lng are not set")
	}
	if lat.Set {
		if math.Abs(lat.V) > 90 {
			return fmt.Errorf("lat must be from -90 to 90")
		}
		z.Lat = lat.V
	}
	if lng.Set {
		if math.Abs(lng.V) > 180 {
			return fmt.Errorf("lng must be from -180 to 180")
		}
		z.Lng = lng.V
	}
	if full && !r.Cooldown.Set {
		return fmt.Errorf("cooldown is not set")
	}
	if r.Cooldown.Set {
		if r.Cooldown.V < 0 {
			return fmt.Errorf("%s", catalog.MsgBadCooldown)
		}
		z.Cooldown = r.Cooldown.V
	}
	if full && !r.Range.Set {
		return fmt.Errorf("range is not set")
	}
	if r.Range.Set {
		if r.Range.V < minZoneRange || r.Range.V > maxZoneRange {
			return fmt.Errorf("range must be from %d to %d metres", minZoneRange, maxZoneRange)
		}
		z.Range = int(r.Range.V)
	}
	if r.Status.Set {
		if r.Status.V != 0 && r.Status.V != 1 {
			return fmt.Errorf("%s", catalog.MsgBadGeozoneStatus)
		}
		z.Active = r.Status.V == 1
	}
	if !isNull(r.Content) {
		if contentText(r.Content) == "" {
			return fmt.Errorf("content must be a string or an object of languages")
		}
		z.Content = r.Content
	}
	if r.PresetCode != nil {
		code := strings.TrimSpace(*r.PresetCode)
		if code != "" {
			if _, found := s.st.Preset(c.account.ID, code); !found {
				return fmt.Errorf("%s", catalog.MsgPresetNotFound)
			}
		}
		z.Preset = code
	}
	if full && isNull(z.Content) && z.Preset == "" {
		return fmt.Errorf("content or presetCode is required")
	}
	if len(r.Cluster) > 0 {
		code := strings.TrimSpace(rawString(r.Cluster))
		switch {
		case isNull(r.Cluster) || code == "":
			z.Cluster = ""
		default:
			k, found := s.clusterByCodeOrName(c, z.Application, code)
			if !found {
				return fmt.Errorf("%s", catalog.MsgClusterNotFound)
			}
			z.Cluster = k.Code
		}
	}
	if len(r.Campaign) > 0 {
		code := strings.TrimSpace(rawString(r.Campaign))
		if code != "" {
			if _, found := s.st.Campaign(c.account.ID, code); !found {
				return fmt.Errorf("%s", catalog.MsgCampaignNotFound)
			}
		}
		z.Campaign = code
	}
	if !isNull(r.Timetable) {
		if r.Timetable[0] != '{' {
			return fmt.Errorf("timetable must be an object")
		}
		z.Timetable = r.Timetable
	}
	return nil
}

func (s *Server) clusterByCodeOrName(c *call, app, v string) (state.GeoCluster, bool) {
	if k, found := s.st.GeoCluster(c.account.ID, v); found && k.Application == app {
		return k, true
	}
	for _, k := range s.st.GeoClusters(c.account.ID, app) {
		if k.Name == v {
			return k, true
		}
	}
	return state.GeoCluster{}, false
}

// addGeoZone adds the zones of the request, all or none: a bad entry is refused
// with its index. Zones are active from the start.
func (s *Server) addGeoZone(c *call) reply {
	var r struct {
		Geozones []geozoneRequest `json:"geozones"`
	}
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	if len(r.Geozones) == 0 {
		return refused(catalog.MsgNoGeozones)
	}
	zs := make([]state.GeoZone, len(r.Geozones))
	for i := range r.Geozones {
		zs[i] = state.GeoZone{AccountID: c.account.ID, Application: c.app().Code, Active: true}
		if err := s.zoneCheck(c, &r.Geozones[i], &zs[i], true); err != nil {
			return refused(fmt.Sprintf("geozones[%d]: %v", i, err))
		}
	}
	return ok(map[string][]uint64{"GeoZones": s.st.AddGeoZones(zs)})
}

// geozoneIDs reads geoZoneId: one id or a list of them.
func geozoneIDs(raw json.RawMessage) ([]uint64, bool) {
	if isNull(raw) {
		return nil, false
	}
	var list []flexInt
	if raw[0] != '[' {
		list = make([]flexInt, 1)
		if json.Unmarshal(raw, &list[0]) != nil {
			return nil, false
		}
	} else if json.Unmarshal(raw, &list) != nil {
		return nil, false
	}
	ids := make([]uint64, 0, len(list))
	for _, f := range list {
		if !f.Set || f.V <= 0 {
			return nil, false
		}
		ids = append(ids, uint64(f.V))
	}
	return ids, len(ids) > 0
}

func (s *Server) updateGeoZone(c *call) reply {
	var r geozoneRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	ids, good := geozoneIDs(r.GeoZoneID)
	if !good || len(ids) != 1 {
		return refused(catalog.MsgNoGeozoneID)
	}
	z, found := s.st.GeoZone(c.account.ID, ids[0])
	if !found || !c.token.Covers(z.Application) {
		return refused(catalog.MsgGeozoneNotFound)
	}
	if err := s.zoneCheck(c, &r, &z, false); err != nil {
		return refused(err.Error())
	}
	if err := s.st.UpdateGeoZone(c.account.ID, z.ID, func(stored *state.GeoZone) { *stored = z }); err != nil {
		return refused(catalog.MsgGeozoneNotFound)
	}
	return ok(nil)
}

func (s *Server) deleteGeoZone(c *call) reply {
	var r geozoneRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	ids, good := geozoneIDs(r.GeoZoneID)
	if !good {
		return refused(catalog.MsgNoGeozoneID)
	}
	for _, id := range ids {
		if z, found := s.st.GeoZone(c.account.ID, id); !found || !c.token.Covers(z.Application) {
			return refused(catalog.MsgGeozoneNotFound)
		}
	}
	if err := s.st.DeleteGeoZones(c.account.ID, ids); err != nil {
		return refused(catalog.MsgGeozoneNotFound)
	}
	return ok(nil)
}

// geozoneView is a zone as listGeoZones shows it: its addGeoZone fields, its id and
// its status (1 active, 0 not).
type geozoneView struct {
	ID         uint64          `json:"id"`
	Name       string          `json:"name"`
	Lat        float64         `json:"lat"`
	Lng        float64         `json:"lng"`
	Range      int             `json:"range"`
	Cooldown   int64           `json:"cooldown"`
	Status     int             `json:"status"`
	Content    json.RawMessage `json:"content,omitempty"`
	PresetCode string          `json:"presetCode,omitempty"`
	Cluster    string          `json:"cluster,omitempty"`
	Campaign   string          `json:"campaign,omitempty"`
	Timetable  json.RawMessage `json:"timetable,omitempty"`
}

func (s *Server) listGeoZones(c *call) reply {
	views := []geozoneView{}
	for _, z := range s.st.GeoZones(c.account.ID, c.app().Code) {
		v := geozoneView{ID: z.ID, Name: z.Name, Lat: z.Lat, Lng: z.Lng, Range: z.Range, Cooldown: z.Cooldown,
			Content: z.Content, PresetCode: z.Preset, Cluster: z.Cluster, Campaign: z.Campaign, Timetable: z.Timetable}
		if z.Active {
			v.Status = 1
		}
		views = append(views, v)
	}
	return ok(map[string][]geozoneView{"geoZones": views})
}

type clusterRequest struct {
	Name     flexString `json:"name"`
	Cooldown flexInt    `json:"cooldown"`
	Offset   flexInt    `json:"offset"`
	Limit    flexInt    `json:"limit"`
}

func (s *Server) addGeoZoneCluster(c *call) reply {
	var r clusterRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	name := strings.TrimSpace(string(r.Name))
	if name == "" {
		return refused(catalog.MsgNoClusterName)
	}
	if r.Cooldown.V < 0 {
		return refused(catalog.MsgBadCooldown)
	}
	k := state.GeoCluster{Name: name, Cooldown: r.Cooldown.V, AccountID: c.account.ID, Application: c.app().Code}
	for range 16 {
		k.Code = shortCode(s.seed, saltCluster, s.st.NextSeq())
		err := s.st.AddGeoCluster(k)
		if err == nil {
			return ok(map[string]string{"GeoZoneCluster": k.Code})
		}
		if _, taken := s.st.GeoCluster(c.account.ID, k.Code); !taken {
			return refused(catalog.MsgClusterExists) // the name is taken
		}
	}
	return refused(catalog.MsgCodeExhausted)
}

func (s *Server) deleteGeoZoneCluster(c *call) reply {
	var r clusterRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	name := strings.TrimSpace(string(r.Name))
	if name == "" {
		return refused(catalog.MsgNoClusterName)
	}
	if err := s.st.DeleteGeoCluster(c.account.ID, c.app().Code, name); err != nil {
		return refused(catalog.MsgClusterNotFound)
	}
	return ok(nil)
}

// listGeoZoneClusters pages with offset and limit (all when 0); total counts all.
func (s *Server) listGeoZoneClusters(c *call) reply {
	var r clusterRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	type view struct {
		Code     string `json:"code"`
		Name     string `json:"name"`
		Cooldown int64  `json:"cooldown"`
	}
	all := s.st.GeoClusters(c.account.ID, c.app().Code)
	start := min(max(int(r.Offset.V), 0), len(all))
	views := []view{}
	for _, k := range all[start:] {
		if r.Limit.V > 0 && int64(len(views)) == r.Limit.V {
			break
		}
		views = append(views, view{k.Code, k.Name, k.Cooldown})
	}
	return ok(map[string]any{"clusters": views, "total": len(all)})
}

// getNearestZone answers the application's nearest active zone with the distance
// from the device to its centre in whole metres (null when the application has no
// zone), and sends the message of each zone the device has just entered.
func (s *Server) getNearestZone(c *call) reply {
	r := c.req
	hwid := string(r.HWID)
	if hwid == "" {
		return refused(catalog.MsgNoHWID)
	}
	if !r.Lat.Set || !r.Lng.Set {
		return refused(catalog.MsgNoCoordinates)
	}
	if math.Abs(r.Lat.V) > 90 || math.Abs(r.Lng.V) > 180 {
		return refused(catalog.MsgBadCoordinates)
	}
	app := c.app()
	loc := s.st.Locate(app.Code, hwid, r.Lat.V, r.Lng.V, c.in.arrive)
	for _, z := range loc.Entered {
		s.sendGeozone(app, hwid, z)
	}
	if !loc.Found {
		return ok(nil)
	}
	z := loc.Nearest
	return ok(struct {
		Name     string  `json:"name"`
		Lat      float64 `json:"lat"`
		Lng      float64 `json:"lng"`
		Range    int     `json:"range"`
		Distance int64   `json:"distance"`
	}{z.Name, z.Lat, z.Lng, z.Range, int64(math.Round(loc.Distance))})
}

// sendGeozone sends a zone's message to the device that entered it: the zone's
// content, else its preset's; the zone's campaign, else the preset's.
func (s *Server) sendGeozone(app state.Application, hwid string, z state.GeoZone) {
	d, found := s.st.Device(app.Code, hwid)
	if !found || !d.Subscribed {
		return
	}
	content, campaign := z.Content, z.Campaign
	var data json.RawMessage
	if z.Preset != "" {
		if p, found := s.st.Preset(app.AccountID, z.Preset); found {
			var pc presetContent
			json.Unmarshal(p.Content, &pc) //nolint:errcheck // checked by createPreset
			if isNull(content) {
				content = pc.Message
			}
			if campaign == "" {
				campaign = p.Campaign
			}
			data = pc.UserData
		}
	}
	if isNull(content) {
		return // the preset is gone
	}
	now := s.clk.Now()
	m, err := s.st.AddMessage(state.Message{AccountID: app.AccountID, Applications: []string{app.Code},
		Status: state.MessageSent, Created: now, SendDate: now, Content: contentText(content), ContentRaw: content,
		Data: data, Targets: 1, Campaign: campaign, Preset: z.Preset, Source: catalog.SourceGeoZone}, s.codeFor)
	if err != nil {
		return
	}
	s.deliver(m, app.Code, []state.Target{d.Target()})
}
