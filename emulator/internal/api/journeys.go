package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/mux"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/emulator/internal/targeting"
	"github.com/pwemu/pwemu/scenarios"
)

// Customer Journeys (journey.pushwoosh.com): POST /api/journey/{id}/start/external
// enters users into a journey, whose points then send their messages on the emulator
// clock with the journey's and the point's titles in their events; GET
// /api/journey/{id}/statistics/external, POST /api/journey/drop-users/external and
// the journey gateway (POST /api/v3/journeygateway, PUT /api/v3/journeygateway/{uuid},
// POST /api/v3/journeygateway/{start|pause|finish|draft|archive}) work on the same
// journeys. These paths are a gRPC-Gateway bridge at Pushwoosh: errors are
// {"code","message","details"} with real HTTP statuses, as the messaging API v2.

// PrefixAPI is where the journey (and other /api/…) paths live.
const PrefixAPI = catalog.PrefixAPI

// apiHandlers answer the catalog's /api/ endpoints, once the call is authorised;
// vars are the path's variables.
var apiHandlers = map[*catalog.Endpoint]func(s *Server, c *call, vars map[string]string) reply{
	catalog.JourneyStart:          (*Server).startJourney,
	catalog.JourneyStatistics:     (*Server).journeyStatistics,
	catalog.JourneyDropUsers:      (*Server).dropJourneyUsers,
	catalog.JourneyCreate:         (*Server).createJourney,
	catalog.JourneyUpdate:         (*Server).updateJourney,
	catalog.JourneyGatewayStart:   (*Server).journeyLifecycle,
	catalog.JourneyGatewayPause:   (*Server).journeyLifecycle,
	catalog.JourneyGatewayFinish:  (*Server).journeyLifecycle,
	catalog.JourneyGatewayDraft:   (*Server).journeyLifecycle,
	catalog.JourneyGatewayArchive: (*Server).journeyLifecycle,

	catalog.BulkSetTags:              (*Server).bulkSetTags,
	catalog.BulkSetTagsStatus:        (*Server).bulkJobStatus,
	catalog.BulkRegisterDevice:       (*Server).bulkRegisterDevice,
	catalog.BulkRegisterDeviceStatus: (*Server).bulkJobStatus,
	catalog.ExportSegmentV2:          (*Server).exportSegmentV2,
	catalog.ExportSegmentResult:      (*Server).exportSegmentResult,

	catalog.MessagesList:      (*Server).listMessages,
	catalog.TotalsByIntervals: (*Server).totalsByIntervals,
	catalog.GetMessageLog:     (*Server).getMessageLog,
}

// serveAPI serves one /api/ endpoint.
func (s *Server) serveAPI(ep *catalog.Endpoint) http.HandlerFunc {
	handle := apiHandlers[ep]
	return func(w http.ResponseWriter, r *http.Request) {
		vars := mux.Vars(r)
		s.serve(w, r, ep.Method, true, func(_ context.Context, in *incoming) reply {
			in.jsonKnown, in.isJSON = true, len(in.body) == 0 || json.Valid(in.body)
			c, rep, good := s.authorizeAPI(in)
			if !good {
				if ep == catalog.GetMessageLog && rep.status == http.StatusUnauthorized {
					return logAccountError() // its documented body for a token of no account
				}
				return rep
			}
			return handle(s, c, vars)
		})
	}
}

// serveAPIRefusal answers an /api/ path the catalog does not list (404), or one it
// lists for other HTTP methods (405), in the gRPC-Gateway form.
func (s *Server) serveAPIRefusal(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, "", true, func(_ context.Context, in *incoming) reply {
			in.jsonKnown, in.isJSON = true, len(in.body) == 0 || json.Valid(in.body)
			if status == http.StatusMethodNotAllowed {
				return v2Error(http.StatusMethodNotAllowed, grpcInvalidArgument, catalog.MsgNotPost)
			}
			return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgUnknownAPIPath+" "+in.path)
		})
	}
}

// authorizeAPI checks the server token of "Authorization: Api <token>" (Token and
// Bearer are taken too: the docs name Bearer for drop-users), or without that header
// the body's "auth".
func (s *Server) authorizeAPI(in *incoming) (*call, reply, bool) {
	scheme, value, _ := strings.Cut(strings.TrimSpace(in.auth), " ")
	value = strings.TrimSpace(value)
	if in.auth == "" {
		// The audience API takes the token in the body's "auth".
		var body struct {
			Auth string `json:"auth"`
		}
		json.Unmarshal(in.body, &body) //nolint:errcheck // no body, no token
		scheme, value = "Api", strings.TrimSpace(body.Auth)
	}
	switch {
	case value == "" || !(strings.EqualFold(scheme, "Api") || strings.EqualFold(scheme, "Token") || strings.EqualFold(scheme, "Bearer")):
		return nil, v2Error(http.StatusUnauthorized, grpcUnauthenticated, catalog.MsgUnauthorized), false
	}
	t, found := s.st.Token(value)
	if !found || t.Kind != scenarios.TokenServer {
		return nil, v2Error(http.StatusUnauthorized, grpcUnauthenticated, catalog.MsgUnauthorized), false
	}
	if !t.Allows(in.method) {
		return nil, v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgForbidden), false
	}
	acc, _ := s.st.Account(t.AccountID)
	if acc.Suspended {
		return nil, v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgAccountSuspended), false
	}
	c := &in.call
	*c = call{in: in, account: acc}
	c.setToken(t)
	return c, reply{}, true
}

// jsonOK answers 200 with v as the whole body.
func jsonOK(v any) reply {
	b, err := json.Marshal(v)
	if err != nil {
		return v2Error(http.StatusInternalServerError, grpcInternal, catalog.MsgInternal)
	}
	return reply{status: http.StatusOK, code: 200, message: catalog.MsgOK, raw: b}
}

func badRequest(message string) reply {
	return v2Error(http.StatusBadRequest, grpcInvalidArgument, message)
}

// addScenarioJourneys stores the scenario's journeys, running.
func (s *Server) addScenarioJourneys(js []scenarios.JourneyPlan) {
	for _, j := range js {
		app, found := s.st.Application(j.Application)
		if !found {
			continue // the scenario's checks refuse such a journey
		}
		sj := state.Journey{UUID: j.ID, Title: j.Title, AccountID: app.AccountID, Application: app.Code,
			Status: state.JourneyRunning}
		for _, p := range j.Points {
			sj.Points = append(sj.Points, state.JourneyPoint{Title: p.Title, After: p.After, Content: p.Content})
		}
		s.st.PutJourney(sj) //nolint:errcheck // ids are unique in a checked scenario
	}
}

// ownJourney finds a journey of the call's account.
func (s *Server) ownJourney(c *call, uuid string) (state.Journey, reply, bool) {
	j, found := s.st.Journey(uuid)
	if !found || j.AccountID != c.account.ID {
		return j, v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgJourneyNotFound), false
	}
	if !c.token.Covers(j.Application) {
		return j, v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgAccessDenied), false
	}
	return j, reply{}, true
}

type startRequest struct {
	Payload struct {
		Users           []flexString      `json:"users"`
		HWIDs           []flexString      `json:"hwids"`
		Filter          *string           `json:"filter"`
		AttributeValues map[string]string `json:"attribute_values"`
	} `json:"payload"`
}

// startJourney enters users into a running journey and answers a request_uuid; the
// points' messages follow on the emulator clock: the first `after` the start, each
// next `after` the previous one.
func (s *Server) startJourney(c *call, vars map[string]string) reply {
	var r startRequest
	if json.Unmarshal(c.in.body, &r) != nil {
		return badRequest(catalog.MsgBadJSON)
	}
	p := r.Payload
	set := 0
	for _, has := range []bool{len(p.Users) > 0, len(p.HWIDs) > 0, p.Filter != nil && strings.TrimSpace(*p.Filter) != ""} {
		if has {
			set++
		}
	}
	switch set {
	case 0:
		return badRequest(catalog.MsgNoSelector)
	case 1:
	default:
		return badRequest(catalog.MsgManySelectors)
	}
	j, rep, good := s.ownJourney(c, vars["id"])
	if !good {
		return rep
	}
	if j.Status != state.JourneyRunning {
		return v2Error(http.StatusBadRequest, grpcFailedPrecondition, catalog.MsgJourneyNotActive)
	}
	if j.NoAPIEntry {
		return v2Error(http.StatusBadRequest, grpcFailedPrecondition, catalog.MsgNoAPIEntry)
	}
	var targets []state.Target
	switch {
	case len(p.Users) > 0:
		targets = s.st.DevicesOfUsers(j.Application, strs(p.Users), nil)
	case len(p.HWIDs) > 0:
		targets, _ = s.st.ResolveDevices(j.Application, strs(p.HWIDs), nil)
	default:
		node, err := targeting.Parse(*p.Filter)
		if err != nil {
			return badRequest("invalid filter: " + err.Error())
		}
		aud := targeting.Select(s.st, c.account.ID, targeting.Query{Apps: []string{j.Application}, Expr: node})
		targets = aud.Targets[0]
	}
	id := requestUUID(s.seed, s.st.NextSeq())
	var after time.Duration
	for i, pt := range j.Points {
		after += pt.After
		point := i
		s.clk.AfterFunc(after, func() { s.journeyPoint(j.UUID, point, targets) })
	}
	return jsonOK(map[string]string{"request_uuid": id})
}

// journeyPoint sends a journey point's message to the targets still in the journey.
// A paused journey holds the point until it is started again; a finished, archived
// or draft one drops it.
func (s *Server) journeyPoint(uuid string, point int, targets []state.Target) {
	select {
	case <-s.closed:
		return
	default:
	}
	j, found := s.st.Journey(uuid)
	if !found || point >= len(j.Points) {
		return
	}
	switch j.Status {
	case state.JourneyPaused:
		s.held.hold(uuid, func() { s.journeyPoint(uuid, point, targets) })
		return
	case state.JourneyRunning:
	default:
		return
	}
	var keep []lifecycle.Target
	for _, t := range targets {
		if s.st.JourneyDropped(uuid, t.UserID) || s.st.JourneyDropped(uuid, t.HWID) {
			continue
		}
		keep = append(keep, lifecycle.Target{HWID: t.HWID, UserID: t.UserID, Platform: t.Platform})
	}
	pt := j.Points[point]
	content, campaign, found := s.pointMessage(j.AccountID, pt)
	if !found {
		return // the point's preset is gone
	}
	now := s.clk.Now()
	m, err := s.st.AddMessage(state.Message{AccountID: j.AccountID, Applications: []string{j.Application},
		Status: state.MessageSent, Created: now, SendDate: now, Content: contentText(content),
		ContentRaw: content, Campaign: campaign, Preset: pt.Preset, Targets: len(keep)}, s.codeFor)
	if err != nil {
		return
	}
	s.st.JourneyPointSent(uuid, point, m.Code)
	if s.onMessage != nil && len(keep) > 0 {
		s.onMessage(lifecycle.Message{Code: m.Code, ID: m.ID, CampaignID: campaignID(m.Campaign), ApplicationCode: j.Application,
			Content: m.Content, Targets: keep, JourneyTitle: j.Title, JourneyPointTitle: pt.Title})
	}
}

// heldPoints are journey points due while their journey was paused.
type heldPoints struct {
	mu sync.Mutex
	by map[string][]func()
}

func (h *heldPoints) hold(uuid string, f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.by == nil {
		h.by = map[string][]func(){}
	}
	h.by[uuid] = append(h.by[uuid], f)
}

func (h *heldPoints) release(uuid string) []func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	fs := h.by[uuid]
	delete(h.by, uuid)
	return fs
}

// requestUUID is the seq-th request uuid, in the 8-4-4-4-12 form.
func requestUUID(seed, seq uint64) string {
	hex := requestID(seed^saltJourney, seq)
	return hex[0:8] + "-" + hex[8:12] + "-" + hex[12:16] + "-" + hex[16:20] + "-" + hex[20:32]
}

const saltJourney = 0x6a6f75726e6579 // "journey"

// pointStat is a journey point's statistics.
type pointStat struct {
	Sent       int     `json:"sent"`
	Opened     int     `json:"opened"`
	UniqOpened int     `json:"uniqOpened"`
	Conversion float64 `json:"conversion"` // opened per hundred sent
}

type pointStats struct {
	PointTitle   string    `json:"pointTitle"`
	CampaignCode string    `json:"campaignCode"`
	PresetCode   string    `json:"presetCode"`
	PointStat    pointStat `json:"pointStat"`
}

func (s *Server) journeyStatistics(c *call, vars map[string]string) reply {
	j, rep, good := s.ownJourney(c, vars["id"])
	if !good {
		return rep
	}
	points := []pointStats{}
	for _, p := range j.Points {
		var st pointStat
		for _, code := range p.Messages {
			for _, n := range s.st.MessageCounts(code) {
				switch n.Action {
				case state.ActionSent:
					st.Sent += n.N
				case state.ActionOpened:
					st.Opened += n.N
				}
			}
			st.UniqOpened += s.st.UniqueOpens(code)
		}
		if st.Sent > 0 {
			st.Conversion = float64(st.Opened) * 100 / float64(st.Sent)
		}
		points = append(points, pointStats{PointTitle: p.Title, PresetCode: p.Preset, PointStat: st})
	}
	return jsonOK(map[string]any{"payload": map[string]any{"title": j.Title, "points": points}})
}

type dropRequest struct {
	UserIDs      []flexString `json:"user_ids"`
	JourneyUUIDs []string     `json:"journey_uuids"`
	AllJourneys  bool         `json:"all_journeys"`
}

func (s *Server) dropJourneyUsers(c *call, _ map[string]string) reply {
	var r dropRequest
	if json.Unmarshal(c.in.body, &r) != nil {
		return badRequest(catalog.MsgBadJSON)
	}
	users := strs(r.UserIDs)
	if len(users) == 0 {
		return badRequest(catalog.MsgNoUserIDs)
	}
	uuids := r.JourneyUUIDs
	switch {
	case r.AllJourneys:
		uuids = s.st.Journeys(c.account.ID)
	case len(uuids) == 0:
		return badRequest(catalog.MsgNoJourneyChoice)
	default:
		for _, id := range uuids {
			if _, rep, good := s.ownJourney(c, id); !good {
				return rep
			}
		}
	}
	s.st.DropJourneyUsers(uuids, users)
	return jsonOK(struct{}{})
}

// gatewayJourney is the journey object of the journey gateway.
type gatewayJourney struct {
	Info struct {
		UUID   string        `json:"uuid"`
		Title  string        `json:"title"`
		Status string        `json:"status"`
		Params journeyParams `json:"params"`
	} `json:"info"`
	Points   json.RawMessage `json:"points"`
	Comments json.RawMessage `json:"comments"`
}

type journeyParams struct {
	ApplicationCode string `json:"application_code"`
}

// gatewayRequest is a create or update body: the journey object's fields at the top.
type gatewayRequest struct {
	UUID     string          `json:"uuid"`
	Title    string          `json:"title"`
	Params   journeyParams   `json:"params"`
	Points   json.RawMessage `json:"points"`
	Comments json.RawMessage `json:"comments"`
}

// viewJourney renders a journey as the gateway does. A scenario's journey shows its
// points as message points; a gateway journey shows what it was given.
func viewJourney(j state.Journey) gatewayJourney {
	var g gatewayJourney
	g.Info.UUID, g.Info.Title, g.Info.Status = j.UUID, j.Title, j.Status
	g.Info.Params.ApplicationCode = j.Application
	g.Points, g.Comments = json.RawMessage(`[]`), json.RawMessage(`[]`)
	var raw struct {
		Points   json.RawMessage `json:"points"`
		Comments json.RawMessage `json:"comments"`
	}
	if json.Unmarshal(j.Raw, &raw) == nil {
		if !isNull(raw.Points) {
			g.Points = raw.Points
		}
		if !isNull(raw.Comments) {
			g.Comments = raw.Comments
		}
	} else if len(j.Points) > 0 {
		type point struct {
			Title   string `json:"title"`
			After   string `json:"after"`
			Content string `json:"content"`
		}
		ps := make([]point, len(j.Points))
		for i, p := range j.Points {
			ps[i] = point{p.Title, p.After.String(), p.Content}
		}
		g.Points, _ = json.Marshal(ps)
	}
	return g
}

func (s *Server) gatewayBody(c *call) (gatewayRequest, reply, bool) {
	var r gatewayRequest
	if json.Unmarshal(c.in.body, &r) != nil {
		return r, badRequest(catalog.MsgBadJSON), false
	}
	return r, reply{}, true
}

// gatewayDefinition checks a create or update body and fills j from it.
func (s *Server) gatewayDefinition(c *call, r gatewayRequest, j *state.Journey) (reply, bool) {
	if strings.TrimSpace(r.Title) == "" {
		return badRequest(catalog.MsgNoJourneyTitle), false
	}
	if r.Params.ApplicationCode == "" {
		return badRequest(catalog.MsgNoJourneyApp), false
	}
	if _, rep, good := s.ownApp(c, r.Params.ApplicationCode); !good {
		if rep.message == catalog.MsgAppNotFound {
			return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgAppNotFound), false
		}
		return v2Error(http.StatusForbidden, grpcPermissionDenied, rep.message), false
	}
	points, noEntry, err := s.journeyPoints(c.account.ID, r.Points)
	if err != nil {
		return badRequest(err.Error()), false
	}
	j.Title, j.Application = r.Title, r.Params.ApplicationCode
	raw, _ := json.Marshal(map[string]json.RawMessage{"points": r.Points, "comments": r.Comments})
	j.Raw = bytes.Clone(raw)
	j.Points, j.NoAPIEntry = points, noEntry // echoed as given, run as read
	j.Updated = c.in.arrive
	return reply{}, true
}

func (s *Server) createJourney(c *call, _ map[string]string) reply {
	r, rep, good := s.gatewayBody(c)
	if !good {
		return rep
	}
	j := state.Journey{AccountID: c.account.ID, Status: state.JourneyDraft}
	if rep, good := s.gatewayDefinition(c, r, &j); !good {
		return rep
	}
	for range 16 {
		j.UUID = requestUUID(s.seed, s.st.NextSeq())
		if _, taken := s.st.Journey(j.UUID); taken {
			continue
		}
		if s.st.PutJourney(j) == nil {
			return jsonOK(viewJourney(j))
		}
	}
	return v2Error(http.StatusInternalServerError, grpcInternal, catalog.MsgCodeExhausted)
}

func (s *Server) updateJourney(c *call, vars map[string]string) reply {
	r, rep, good := s.gatewayBody(c)
	if !good {
		return rep
	}
	j, rep, good := s.ownJourney(c, vars["uuid"])
	if !good {
		return rep
	}
	if rep, good := s.gatewayDefinition(c, r, &j); !good {
		return rep
	}
	if err := s.st.PutJourney(j); err != nil {
		return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgJourneyNotFound)
	}
	return jsonOK(viewJourney(j))
}

// journeyMoves are the lifecycle transitions: action → the statuses it leaves from
// and the one it reaches.
var journeyMoves = map[string]struct {
	from []string
	to   string
}{
	"start":   {[]string{state.JourneyDraft, state.JourneyPaused}, state.JourneyRunning},
	"pause":   {[]string{state.JourneyRunning}, state.JourneyPaused},
	"finish":  {[]string{state.JourneyRunning, state.JourneyPaused}, state.JourneyFinished},
	"draft":   {[]string{state.JourneyFinished, state.JourneyPaused, state.JourneyArchived}, state.JourneyDraft},
	"archive": {[]string{state.JourneyDraft, state.JourneyFinished}, state.JourneyArchived},
}

func (s *Server) journeyLifecycle(c *call, _ map[string]string) reply {
	r, rep, good := s.gatewayBody(c)
	if !good {
		return rep
	}
	if strings.TrimSpace(r.UUID) == "" {
		return badRequest(catalog.MsgNoJourneyUUID)
	}
	j, rep, good := s.ownJourney(c, r.UUID)
	if !good {
		return rep
	}
	action := strings.TrimPrefix(c.in.method, "journeygateway/")
	move := journeyMoves[action]
	allowed := false
	for _, f := range move.from {
		allowed = allowed || f == j.Status
	}
	if !allowed {
		return v2Error(http.StatusBadRequest, grpcFailedPrecondition,
			"cannot "+action+" a journey in status "+j.Status)
	}
	j, err := s.st.SetJourneyStatus(c.account.ID, j.UUID, move.to, c.in.arrive)
	if err != nil {
		return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgJourneyNotFound)
	}
	if move.to == state.JourneyRunning {
		for _, f := range s.held.release(j.UUID) {
			s.clk.AfterFunc(0, f)
		}
	} else if move.to != state.JourneyPaused {
		s.held.release(j.UUID) // what was held is dropped
	}
	return jsonOK(viewJourney(j))
}
