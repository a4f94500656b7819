package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// gatewayPoint is one point of a journey gateway body: its uuid, title and type, its
// point_data (one key, named after the type) and its outputs, wired to the next
// points by info.next_point_uuid.
type gatewayPoint struct {
	UUID      string                     `json:"uuid"`
	Title     string                     `json:"title"`
	PointType string                     `json:"point_type"`
	PointData map[string]json.RawMessage `json:"point_data"`
	Outputs   []struct {
		Key  string `json:"key"`
		Info struct {
			NextPointUUID string `json:"next_point_uuid"`
		} `json:"info"`
	} `json:"outputs"`
}

// sendPushData is a send_push point's point_data: the preset whose content it sends,
// or a content as createMessage takes it.
type sendPushData struct {
	PresetCode string          `json:"preset_code"`
	Content    json.RawMessage `json:"content"`
}

// waitData is a wait point's point_data: how long users stay before the next point,
// a protobuf Duration as gRPC-Gateway writes it ("86400s").
type waitData struct {
	Delay string `json:"delay"`
}

type startByAPIData struct {
	IsDeactivated bool `json:"is_deactivated"`
}

// next is the uuid the point's default output leads to, or "".
func (p *gatewayPoint) next() string {
	for _, o := range p.Outputs {
		if o.Key == catalog.PointOutputDefault {
			return o.Info.NextPointUUID
		}
	}
	return ""
}

// data decodes the point's point_data under the key its type names; a missing key
// is an empty object.
func (p *gatewayPoint) data(v any) error {
	key := strings.ToLower(strings.TrimPrefix(p.PointType, catalog.PointTypePrefix))
	raw, found := p.PointData[key]
	if !found && len(p.PointData) > 0 {
		return fmt.Errorf(catalog.MsgPointDataKey, p.UUID, key, p.PointType)
	}
	if !found || isNull(raw) {
		return nil
	}
	if json.Unmarshal(raw, v) != nil {
		return fmt.Errorf("point %q: point_data.%s: %s", p.UUID, key, catalog.MsgBadJSON)
	}
	return nil
}

// journeyPoints reads a gateway body's points into the messages a Start by API entry
// sends: from that point along each point's default output, the wait points' delays
// adding up to the next send_push point's `after`, until an exit point or a point
// without a next one. Points of other types pass users on along their default
// output (a splitter's default branch). noEntry reports a journey without an active
// Start by API point; an error is the 400 to answer.
func (s *Server) journeyPoints(accountID string, raw json.RawMessage) (points []state.JourneyPoint, noEntry bool, err error) {
	var ps []gatewayPoint
	if isNull(raw) {
		return nil, true, nil
	}
	if json.Unmarshal(raw, &ps) != nil {
		return nil, false, fmt.Errorf("points: %s", catalog.MsgBadJSON)
	}
	byUUID := make(map[string]*gatewayPoint, len(ps))
	var starts []*gatewayPoint
	for i := range ps {
		p := &ps[i]
		switch {
		case strings.TrimSpace(p.UUID) == "":
			return nil, false, fmt.Errorf(catalog.MsgPointNoUUID, i)
		case byUUID[p.UUID] != nil:
			return nil, false, fmt.Errorf(catalog.MsgPointDuplicateUUID, i, p.UUID)
		case p.PointType == "":
			return nil, false, fmt.Errorf(catalog.MsgPointNoType, p.UUID)
		}
		byUUID[p.UUID] = p
		if p.PointType == catalog.PointTypeStartByAPI {
			starts = append(starts, p)
		}
	}
	for _, p := range ps {
		for _, o := range p.Outputs {
			if n := o.Info.NextPointUUID; n != "" && byUUID[n] == nil {
				return nil, false, fmt.Errorf(catalog.MsgPointUnknownNext, p.UUID, o.Key, n)
			}
		}
	}
	if len(starts) > 1 {
		return nil, false, fmt.Errorf(catalog.MsgPointManyAPIStarts, len(starts))
	}
	if len(starts) == 0 {
		return nil, true, nil
	}
	var entry startByAPIData
	if err := starts[0].data(&entry); err != nil {
		return nil, false, err
	}
	seen := map[string]bool{}
	var after time.Duration
	for p := starts[0]; p != nil; p = byUUID[p.next()] {
		if seen[p.UUID] {
			return nil, false, fmt.Errorf(catalog.MsgPointLoop, p.UUID)
		}
		seen[p.UUID] = true
		switch p.PointType {
		case catalog.PointTypeWait:
			var w waitData
			if err := p.data(&w); err != nil {
				return nil, false, err
			}
			d, perr := time.ParseDuration(w.Delay)
			if perr != nil || d <= 0 {
				return nil, false, fmt.Errorf(catalog.MsgPointBadDelay, p.UUID)
			}
			after += d
		case catalog.PointTypeSendPush:
			var sp sendPushData
			if err := p.data(&sp); err != nil {
				return nil, false, err
			}
			pt := state.JourneyPoint{Title: p.Title, After: after, Preset: sp.PresetCode}
			switch {
			case sp.PresetCode != "":
				if _, found := s.st.Preset(accountID, sp.PresetCode); !found {
					return nil, false, fmt.Errorf(catalog.MsgPointNoPreset, p.UUID, sp.PresetCode)
				}
			case contentText(sp.Content) != "":
				pt.Content = contentText(sp.Content)
			default:
				return nil, false, fmt.Errorf(catalog.MsgPointNoMessage, p.UUID)
			}
			points = append(points, pt)
			after = 0
		}
		if p.PointType == catalog.PointTypeExit {
			break
		}
	}
	return points, entry.IsDeactivated, nil
}

// pointMessage is what a journey point sends now: its content, or its preset's
// content and campaign. found is false when the point's preset is gone.
func (s *Server) pointMessage(accountID string, pt state.JourneyPoint) (content json.RawMessage, campaign string, found bool) {
	if pt.Preset == "" {
		return json.RawMessage(appendString(nil, pt.Content)), "", true
	}
	p, found := s.st.Preset(accountID, pt.Preset)
	if !found {
		return nil, "", false
	}
	var pc presetContent
	json.Unmarshal(p.Content, &pc) //nolint:errcheck // checked by createPreset
	if isNull(pc.Message) {
		return nil, "", false
	}
	return pc.Message, p.Campaign, true
}
