package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/emulator/internal/targeting"
	"github.com/pwemu/pwemu/scenarios"
)

// The messaging API v2: POST /messaging/v2/notify and /messaging/v2/cancel, with a
// server token in "Authorization: Token <t>". It answers {"result": …} on success
// and {"code": <gRPC code>, "message": …, "details": []} with a real HTTP status on
// errors.

// gRPC status codes the v2 API answers with.
const (
	grpcInvalidArgument    = 3
	grpcDeadlineExceeded   = 4
	grpcNotFound           = 5
	grpcPermissionDenied   = 7
	grpcResourceExhausted  = 8
	grpcFailedPrecondition = 9
	grpcInternal           = 13
	grpcUnavailable        = 14
	grpcUnauthenticated    = 16
)

// Messages of the v2 cancel answers, as documented.
// v2Codes maps HTTP statuses to the gRPC codes of the v2 error body.
var v2Codes = map[int]int{
	http.StatusBadRequest: grpcInvalidArgument, http.StatusUnauthorized: grpcUnauthenticated,
	http.StatusForbidden: grpcPermissionDenied, http.StatusNotFound: grpcNotFound,
	http.StatusRequestEntityTooLarge: grpcResourceExhausted, http.StatusTooManyRequests: grpcResourceExhausted,
	http.StatusInternalServerError: grpcInternal, http.StatusMethodNotAllowed: grpcInvalidArgument,
	http.StatusBadGateway: grpcUnavailable, http.StatusServiceUnavailable: grpcUnavailable,
	http.StatusGatewayTimeout: grpcDeadlineExceeded,
}

// v2Error answers a v2 error.
func v2Error(status, code int, message string) reply {
	b, _ := json.Marshal(struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Details []any  `json:"details"`
	}{code, message, []any{}})
	return reply{status: status, code: code, message: message, raw: b}
}

// asV2 renders an envelope reply (a generic error, or an API rule's answer) in the
// v2 form: errors keep their HTTP status; a 210 refusal becomes 400
// FAILED_PRECONDITION.
func asV2(r reply) reply {
	if r.raw != nil || r.fault != "" {
		return r
	}
	switch {
	case r.status >= 400:
		code, found := v2Codes[r.status]
		if !found {
			code = grpcInternal
			if r.status < 500 {
				code = grpcInvalidArgument
			}
		}
		return v2Error(r.status, code, r.message)
	case r.code != 200:
		return v2Error(http.StatusBadRequest, grpcFailedPrecondition, r.message)
	}
	body := r.body
	if body == nil {
		body = []byte("{}")
	}
	return reply{status: r.status, code: r.code, message: r.message, raw: body}
}

// notifyRequest is the part of a v2 notify body pwemu reads: a "transactional" or
// "segment" object (or, leniently, the same fields at the top).
type notifyRequest struct {
	Application string          `json:"application"`
	Platforms   json.RawMessage `json:"platforms"`
	// transactional: explicit lists, as ["…"] or {"list": ["…"]}
	HWIDs      idList `json:"hwids"`
	Users      idList `json:"users"`
	PushTokens idList `json:"push_tokens"`
	Devices    idList `json:"devices"`
	// segment: a saved segment's code, a seglang expression or a filter expression
	Code             string          `json:"code"`
	Expression       string          `json:"expression"`
	FilterExpression json.RawMessage `json:"filter_expression"`

	Payload      json.RawMessage `json:"payload"`
	EmailPayload json.RawMessage `json:"email_payload"`
	Content      json.RawMessage `json:"content"` // older clients put the text at the top
	SendDate     string          `json:"send_date"`
	Schedule     struct {
		At    string          `json:"at"`
		After json.RawMessage `json:"after"`
	} `json:"schedule"`
	SendRate json.RawMessage `json:"send_rate"`
	Campaign flexString      `json:"campaign"`
}

// idList is a list of identifiers, given as a JSON list or as {"list": […]}.
type idList []string

func (l *idList) UnmarshalJSON(b []byte) error {
	var list []flexString
	if err := json.Unmarshal(b, &list); err != nil {
		var obj struct {
			List []flexString `json:"list"`
		}
		if err := json.Unmarshal(b, &obj); err != nil {
			return errors.New(`want a list of identifiers or {"list": […]}`)
		}
		list = obj.List
	}
	*l = strs(list)
	return nil
}

// v2Duration reads a schedule.after: a protobuf Duration ("3600s", "1.5s"), a Go
// duration ("1h") or a number of seconds.
func v2Duration(raw json.RawMessage) (time.Duration, error) {
	if s := rawString(raw); s != "" {
		if n, err := strconv.ParseFloat(s, 64); err == nil {
			return time.Duration(n * float64(time.Second)), nil
		}
		if d, err := time.ParseDuration(s); err == nil && d >= 0 {
			return d, nil
		}
	}
	return 0, errors.New(`schedule.after: want a duration such as "3600s"`)
}

// v2SendRate reads send_rate: a number, or an object with a rate.
func v2SendRate(raw json.RawMessage) (int, error) {
	if isNull(raw) {
		return 0, nil
	}
	var f flexInt
	if f.UnmarshalJSON(raw) == nil && f.Set && f.V > 0 {
		return int(f.V), nil
	}
	var obj struct {
		Rate flexInt `json:"rate"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.Rate.Set && obj.Rate.V > 0 {
		return int(obj.Rate.V), nil
	}
	return 0, errors.New("send_rate: want a positive number of messages a second")
}

func (s *Server) callV2(_ context.Context, in *incoming) reply {
	ep, found := v2Actions[catalog.PrefixMessagingV2+in.method]
	if !found {
		return v2Error(http.StatusNotFound, grpcNotFound, "unknown method "+catalog.PrefixMessagingV2+in.method+
			" (want "+strings.Join(v2Order, " or ")+")")
	}
	var body map[string]json.RawMessage
	err := json.Unmarshal(in.body, &body)
	in.jsonKnown, in.isJSON = true, json.Valid(in.body)
	if err != nil {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "the body is not a JSON object")
	}
	value, good := tokenFromHeader(in.auth)
	if !good {
		return v2Error(http.StatusUnauthorized, grpcUnauthenticated, catalog.MsgUnauthorized)
	}
	t, found := s.st.Token(value)
	if !found || t.Kind != scenarios.TokenServer {
		return v2Error(http.StatusUnauthorized, grpcUnauthenticated, catalog.MsgUnauthorized)
	}
	if !t.Allows(in.method) {
		return v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgForbidden)
	}
	acc, _ := s.st.Account(t.AccountID)
	if acc.Suspended {
		return v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgAccountSuspended)
	}
	c := &in.call
	*c = call{in: in, account: acc}
	c.setToken(t)
	return v2Handlers[ep](s, c, body)
}

func (s *Server) notify(c *call, body map[string]json.RawMessage) reply {
	raw, segment := body["transactional"], false
	if isNull(raw) {
		raw, segment = body["segment"], true
	}
	if !isNull(body["transactional"]) && !isNull(body["segment"]) {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "notify: exactly one of segment or transactional")
	}
	if isNull(raw) {
		raw, segment = c.in.body, false
	}
	var n notifyRequest
	if err := json.Unmarshal(raw, &n); err != nil {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "notify: "+err.Error())
	}
	if n.Application == "" {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "notify: application is required")
	}
	app, rep, good := s.ownApp(c, n.Application)
	if !good {
		switch rep.message {
		case catalog.MsgAppNotFound:
			return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgAppNotFound)
		case catalog.MsgAppSuspended:
			return v2Error(http.StatusForbidden, grpcFailedPrecondition, catalog.MsgAppSuspended)
		}
		return v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgAccessDenied)
	}
	c.setApp(app)
	content := n.Payload
	if isNull(content) {
		content = n.EmailPayload
	}
	if isNull(content) {
		content = n.Content
	}
	p := plan{contentRaw: bytes.Clone(content), content: findText(content), campaign: string(n.Campaign)}
	inbox, refusal := inboxPayload(n.Payload).options(c.in.arrive)
	if refusal != "" {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, refusal)
	}
	p.inbox = inbox
	p.query.Devices = slices.Concat([]string(n.HWIDs), []string(n.PushTokens), []string(n.Devices))
	p.query.Users = n.Users
	if !isNull(n.Platforms) {
		platforms, err := v2Platforms(n.Platforms)
		if err != nil {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, err.Error())
		}
		if len(platforms) == 0 {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, catalog.MsgSelectPlatform)
		}
		p.platforms = platforms
	}
	if segment {
		if r, good := s.v2Segment(c, &p, &n); !good {
			return r
		}
	} else if len(p.query.Devices) > targeting.MaxListed || len(p.query.Users) > targeting.MaxListed {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "notify: at most 1000 identifiers")
	}
	p.sendAt = c.in.arrive
	switch at := strings.TrimSpace(n.Schedule.At); {
	case at != "":
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, catalog.MsgCannotParseDate)
		}
		p.sendAt = t
	case !isNull(n.Schedule.After):
		d, err := v2Duration(n.Schedule.After)
		if err != nil {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, err.Error())
		}
		p.sendAt = c.in.arrive.Add(d)
	default:
		sendAt, good := parseSendDate(n.SendDate, nil, c.in.arrive)
		if !good {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, catalog.MsgCannotParseDate)
		}
		p.sendAt = sendAt
	}
	p.scheduled = p.sendAt.After(c.in.arrive)
	rate, err := v2SendRate(n.SendRate)
	if err != nil {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, err.Error())
	}
	p.sendRate = rate
	if _, good := s.checkCampaign(c, p.campaign); !good {
		return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgCampaignNotFound)
	}
	m, aud, err := s.accept(c, []string{app.Code}, &p, false)
	if err != nil {
		return v2Error(http.StatusInternalServerError, grpcInternal, catalog.MsgInternal)
	}
	return v2Result(m.Code, aud.Unknown[app.Code])
}

// v2Segment resolves a segment's audience: exactly one of code (a saved filter's
// code or name), expression (seglang) or filter_expression.
func (s *Server) v2Segment(c *call, p *plan, n *notifyRequest) (reply, bool) {
	given := 0
	for _, set := range []bool{n.Code != "", n.Expression != "", !isNull(n.FilterExpression)} {
		if set {
			given++
		}
	}
	if given > 1 {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "segment: code, expression and filter_expression are mutually exclusive"), false
	}
	var err error
	switch {
	case n.Code != "":
		p.query.Expr, err = targeting.Named(s.st, c.account.ID, s.filterName(c.account.ID, n.Code))
		if errors.Is(err, targeting.ErrUnknownFilter) {
			return v2Error(http.StatusNotFound, grpcNotFound, "segment not found: "+n.Code), false
		}
	case n.Expression != "":
		p.query.Expr, err = targeting.Parse(n.Expression)
	case !isNull(n.FilterExpression):
		// A structured filter expression may also come as seglang text.
		src := rawString(n.FilterExpression)
		if src == "" {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, "segment: filter_expression: pwemu takes it as seglang text"), false
		}
		p.query.Expr, err = targeting.Parse(src)
	}
	if err != nil {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "segment: "+err.Error()), false
	}
	p.query.Devices, p.query.Users = nil, nil
	return reply{}, true
}

// filterName finds the name of a filter given by code (or by name).
func (s *Server) filterName(accountID, code string) string {
	for _, f := range s.st.Filters(accountID) {
		if f.Code == code {
			return f.Name
		}
	}
	return code
}

// v2Result answers a notify: {"result": {"message_code", "unknown_identifiers"}}.
func v2Result(code string, unknown []string) reply {
	b := append([]byte(`{"result":{"message_code":`), appendString(nil, code)...)
	if len(unknown) > 0 {
		u, _ := json.Marshal(unknown)
		b = append(append(b, `,"unknown_identifiers":`...), u...)
	}
	return reply{status: http.StatusOK, code: 200, message: catalog.MsgOK, raw: append(b, "}}"...)}
}

func (s *Server) cancelV2(c *call, body map[string]json.RawMessage) reply {
	code := rawString(body["message_code"])
	if code == "" {
		code = rawString(body["message"])
	}
	if code == "" {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "cancel: message_code is required")
	}
	m, found := s.st.Message(c.account.ID, code)
	if !found {
		if owner, exists := s.st.MessageOwner(code); exists && owner != c.account.ID {
			return v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgV2NotYours)
		}
		return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgV2MessageNotFound)
	}
	if !slices.ContainsFunc(m.Applications, c.token.Covers) {
		return v2Error(http.StatusForbidden, grpcPermissionDenied, catalog.MsgV2NotYours)
	}
	was, err := s.st.CancelMessage(c.account.ID, code)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgV2MessageNotFound)
	case was == state.MessageSent:
		return v2Error(http.StatusBadRequest, grpcFailedPrecondition, catalog.MsgNotCancellable)
	}
	// The documented answer of a cancelled message is an empty object.
	return reply{status: http.StatusOK, code: 200, message: catalog.MsgOK, raw: []byte("{}")}
}

// v2Platforms reads platforms given by name ("IOS", "ANDROID", …) or device type.
func v2Platforms(raw json.RawMessage) ([]int, error) {
	if ints, _, err := parseIntList(raw); err == nil {
		return knownPlatforms(ints), nil
	}
	var names []string
	if err := json.Unmarshal(raw, &names); err != nil {
		return nil, errors.New("platforms: want a list of platform names or device types")
	}
	var out []int
	for _, name := range names {
		t, found := catalog.DeviceTypeNamed(name)
		if !found {
			return nil, errors.New("platforms: unknown platform " + name)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// findText picks the text events carry from a v2 content: the string, or the first
// "en"/"body"/"text"/"message"/"title" string found in nested objects.
func findText(raw json.RawMessage) string {
	if isNull(raw) {
		return ""
	}
	if raw[0] != '{' {
		return rawString(raw)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	if dec.Decode(&v) != nil {
		return ""
	}
	return textIn(v, 0)
}

func textIn(v any, depth int) string {
	m, isObject := v.(map[string]any)
	if !isObject || depth > 4 {
		return ""
	}
	for _, k := range []string{"en", "body", "text", "message", "title", "content"} {
		if s, isString := m[k].(string); isString && s != "" {
			return s
		}
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if s := textIn(m[k], depth+1); s != "" {
			return s
		}
	}
	return ""
}
