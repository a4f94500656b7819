package api

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Scheduled statistics about an application's audience (getResults collects them):
// getApplicationSubscribersStats counts its subscribed devices by platform, getTagStats
// counts its devices by the value of one tag. The legacy v1.3 bulkSetTags is here too:
// it sets tags on many devices and answers a request_id whose result says what
// became of each row.

// getApplicationSubscribersStats' result: subscribed devices by platform name, and
// their total. Its shape is pwemu's (the docs give none).
func (s *Server) getApplicationSubscribersStats(c *call) reply {
	app := c.app().Code
	byPlatform := map[string]int{}
	total := 0
	for _, d := range s.st.AccountDevices(c.account.ID) {
		if d.Application == app && d.Subscribed {
			byPlatform[catalog.PlatformName(d.Type)]++
			total++
		}
	}
	return s.statsRequest(c, map[string]any{"subscribers": byPlatform, "total": total})
}

// tagStatsRow is one value of a tag and how many devices have it.
type tagStatsRow struct {
	Value any `json:"value"`
	Count int `json:"count"`
}

// getTagStats counts the application's subscribed devices by the value of a tag (a
// list tag counts each of its values); devices without the tag are not counted.
func (s *Server) getTagStats(c *call) reply {
	var r struct {
		Tag flexString `json:"tag"`
	}
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	tag := strings.TrimSpace(string(r.Tag))
	if tag == "" {
		return refused(catalog.MsgNoStatsTag)
	}
	app := c.app().Code
	counts := map[string]int{}
	values := map[string]any{}
	for _, d := range s.st.AccountDevices(c.account.ID) {
		v, has := d.Tags[tag]
		if d.Application != app || !d.Subscribed || !has {
			continue
		}
		vs := []any{v}
		if list, isList := v.([]string); isList {
			vs = vs[:0]
			for _, x := range list {
				vs = append(vs, x)
			}
		}
		for _, x := range vs {
			key := fmt.Sprint(x)
			counts[key]++
			values[key] = x
		}
	}
	rows := []tagStatsRow{}
	for _, k := range slices.SortedFunc(maps.Keys(counts), func(a, b string) int {
		return cmp.Or(counts[b]-counts[a], strings.Compare(a, b))
	}) {
		rows = append(rows, tagStatsRow{values[k], counts[k]})
	}
	return s.statsRequest(c, map[string]any{"tag": tag, "rows": rows})
}

// bulkSetTagsV13 is the legacy bulkSetTags: {application, devices: [{hwid, tags}]};
// rows are applied at once and getResults answers the per-row results.
func (s *Server) bulkSetTagsV13(c *call) reply {
	var r struct {
		Devices []json.RawMessage `json:"devices"`
	}
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	if len(r.Devices) == 0 {
		return refused(catalog.MsgNoBulkRows)
	}
	if len(r.Devices) > maxBulkRows {
		return refused(catalog.MsgTooManyRows)
	}
	req := bulkRequest{Application: c.app().Code, CreateMissingTags: true}
	rows := make([]state.BulkRow, len(r.Devices))
	for i, raw := range r.Devices {
		rows[i] = s.bulkSetTagsRow(c.app(), &req, i, raw, c.in.arrive)
	}
	return s.statsRequest(c, map[string]any{"devices": rows})
}
