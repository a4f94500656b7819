package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/state"
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
// "segment" object, or the same fields at the top.
type notifyRequest struct {
	Application string          `json:"application"`
	Platforms   json.RawMessage `json:"platforms"`
	Devices     []flexString    `json:"devices"`
	HWIDs       []flexString    `json:"hwids"`
	Users       []flexString    `json:"users"`
	Content     json.RawMessage `json:"content"`
	SendDate    string          `json:"send_date"`
	Schedule    struct {
		At string `json:"at"`
	} `json:"schedule"`
	Campaign flexString `json:"campaign"`
}

func (s *Server) callV2(_ context.Context, in *incoming) reply {
	if in.method != "notify" && in.method != "cancel" {
		return v2Error(http.StatusNotFound, grpcNotFound, "unknown method /messaging/v2/"+in.method+" (want notify or cancel)")
	}
	var body map[string]json.RawMessage
	err := json.Unmarshal(in.body, &body)
	in.jsonKnown, in.isJSON = true, json.Valid(in.body)
	if err != nil {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, "the body is not a JSON object")
	}
	value, good := tokenFromHeader(in.auth)
	if !good {
		return v2Error(http.StatusUnauthorized, grpcUnauthenticated, msgUnauthorized)
	}
	t, found := s.st.Token(value)
	if !found || t.Kind != scenarios.TokenServer {
		return v2Error(http.StatusUnauthorized, grpcUnauthenticated, msgUnauthorized)
	}
	if !t.Allows(in.method) {
		return v2Error(http.StatusForbidden, grpcPermissionDenied, msgForbidden)
	}
	acc, _ := s.st.Account(t.AccountID)
	if acc.Suspended {
		return v2Error(http.StatusForbidden, grpcPermissionDenied, msgAccountSuspended)
	}
	c := &in.call
	*c = call{in: in, account: acc}
	c.setToken(t)
	if in.method == "cancel" {
		return s.cancelV2(c, body)
	}
	return s.notify(c, body)
}

func (s *Server) notify(c *call, body map[string]json.RawMessage) reply {
	raw := body["transactional"]
	if isNull(raw) {
		raw = body["segment"]
	}
	if isNull(raw) {
		raw = c.in.body
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
		case msgAppNotFound:
			return v2Error(http.StatusNotFound, grpcNotFound, msgAppNotFound)
		case msgAppSuspended:
			return v2Error(http.StatusForbidden, grpcFailedPrecondition, msgAppSuspended)
		}
		return v2Error(http.StatusForbidden, grpcPermissionDenied, msgAccessDenied)
	}
	c.setApp(app)
	p := plan{contentRaw: n.Content, content: findText(n.Content), campaign: string(n.Campaign),
		devices: append(strs(n.Devices), strs(n.HWIDs)...), users: strs(n.Users)}
	if !isNull(n.Platforms) {
		platforms, err := v2Platforms(n.Platforms)
		if err != nil {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, err.Error())
		}
		if len(platforms) == 0 {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, msgSelectPlatform)
		}
		p.platforms = platforms
	}
	p.sendAt = c.in.arrive
	if at := strings.TrimSpace(n.Schedule.At); at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return v2Error(http.StatusBadRequest, grpcInvalidArgument, msgCannotParseDate)
		}
		p.sendAt = t
	} else if sendAt, good := parseSendDate(n.SendDate, nil, c.in.arrive); good {
		p.sendAt = sendAt
	} else {
		return v2Error(http.StatusBadRequest, grpcInvalidArgument, msgCannotParseDate)
	}
	p.scheduled = p.sendAt.After(c.in.arrive)
	if _, good := s.checkCampaign(c, p.campaign); !good {
		return v2Error(http.StatusNotFound, grpcNotFound, msgCampaignNotFound)
	}
	m, _, err := s.accept(c, []string{app.Code}, &p, false)
	if err != nil {
		return v2Error(http.StatusInternalServerError, grpcInternal, msgInternal)
	}
	return v2Result(m.Code)
}

func v2Result(code string) reply {
	b := append([]byte(`{"result":{"message_code":`), appendString(nil, code)...)
	return reply{status: http.StatusOK, code: 200, message: msgOK, raw: append(b, "}}"...)}
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
	if !found || !slices.ContainsFunc(m.Applications, c.token.Covers) {
		return v2Error(http.StatusNotFound, grpcNotFound, msgMessageNotFound)
	}
	was, err := s.st.CancelMessage(c.account.ID, code)
	switch {
	case errors.Is(err, state.ErrNotFound):
		return v2Error(http.StatusNotFound, grpcNotFound, msgMessageNotFound)
	case was == state.MessageSent:
		return v2Error(http.StatusBadRequest, grpcFailedPrecondition, msgNotCancellable)
	}
	return v2Result(code)
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
		t, found := filterPlatforms[strings.ToUpper(strings.ReplaceAll(name, " ", ""))]
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
