package api

import (
	"net/http"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
)

// call is one authorised v1.3 call on its way to a method handler.
type call struct {
	in      *incoming
	req     *Request
	token   *state.Token // nil for a device call without Authorization header
	account state.Account
	apps    []state.Application // the application (or the group's) the call is about
	group   string

	// Storage for token and a one-application apps: one allocation per call.
	tokenBuf state.Token
	appBuf   [1]state.Application
}

// setToken makes t the call's token.
func (c *call) setToken(t state.Token) {
	c.tokenBuf = t
	c.token = &c.tokenBuf
}

// setApp makes app the one application the call is about.
func (c *call) setApp(app state.Application) {
	c.appBuf[0] = app
	c.apps = c.appBuf[:1]
}

// app is the application the call is about (the first of a group).
func (c *call) app() state.Application {
	if len(c.apps) == 0 {
		return state.Application{}
	}
	return c.apps[0]
}

// tokenFromHeader reads "Token <value>" (the scheme in any case). ok is false for a
// header of another scheme.
func tokenFromHeader(h string) (string, bool) {
	scheme, value, found := strings.Cut(strings.TrimSpace(h), " ")
	if !found || !strings.EqualFold(scheme, "Token") {
		return "", false
	}
	value = strings.TrimSpace(value)
	return value, value != ""
}

// authorizeDevice checks a device-scope call: the optional device token of the
// Authorization header, then the application.
func (s *Server) authorizeDevice(c *call, method string) (reply, bool) {
	if c.in.auth != "" {
		v, ok := tokenFromHeader(c.in.auth)
		if !ok {
			return httpError(http.StatusUnauthorized), false
		}
		t, found := s.st.Token(v)
		if !found || t.Kind != scenarios.TokenDevice {
			return httpError(http.StatusUnauthorized), false
		}
		if !t.Allows(method) {
			return httpError(http.StatusForbidden), false
		}
		c.setToken(t)
	}
	code := c.req.Application
	if code == "" {
		return refused(catalog.MsgTokenOrAppNotSet), false
	}
	app, found := s.st.Application(code)
	if !found {
		return refused(catalog.MsgAppNotFound), false
	}
	if c.token != nil && (c.token.AccountID != app.AccountID || !c.token.Covers(code)) {
		return refused(catalog.MsgAccessDenied), false
	}
	if c.token == nil && app.DeviceTokenRequired {
		return httpError(http.StatusUnauthorized), false
	}
	acc, _ := s.st.Account(app.AccountID)
	if acc.Suspended {
		return refused(catalog.MsgAccountSuspended), false
	}
	if app.Suspended {
		return refused(catalog.MsgAppSuspended), false
	}
	c.account = acc
	c.setApp(app)
	return reply{}, true
}

// authorizeServer checks a server-scope call: the server token of request.auth (or
// of an Authorization: Token header), its restrictions, the account, and the
// application or group the method needs.
func (s *Server) authorizeServer(c *call, method string, need appNeed) (reply, bool) {
	value := c.req.Auth
	if value == "" && c.in.auth != "" {
		v, ok := tokenFromHeader(c.in.auth)
		if !ok {
			return httpError(http.StatusUnauthorized), false
		}
		value = v
	}
	if value == "" {
		return refused(catalog.MsgTokenOrAppNotSet), false
	}
	// The token is checked before the application: a bad token is the answer even
	// when the application is missing too.
	t, found := s.st.Token(value)
	if !found {
		return refused(catalog.MsgInvalidToken), false
	}
	if t.Kind != scenarios.TokenServer {
		return httpError(http.StatusUnauthorized), false
	}
	missingApp := (need == appRequired && c.req.Application == "") ||
		(need == appOrGroup && c.req.Application == "" && c.req.ApplicationsGroup == "")
	if missingApp {
		return refused(catalog.MsgTokenOrAppNotSet), false
	}
	if !t.Allows(method) {
		return httpError(http.StatusForbidden), false
	}
	c.setToken(t)
	acc, found := s.st.Account(t.AccountID)
	if !found {
		return refused(catalog.MsgAccountNotFound), false
	}
	if acc.Suspended {
		return refused(catalog.MsgAccountSuspended), false
	}
	c.account = acc
	switch {
	case need == appNone:
		return reply{}, true
	case c.req.Application != "":
		app, r, ok := s.ownApp(c, c.req.Application)
		if !ok {
			return r, false
		}
		c.setApp(app)
	case need == appOrGroup:
		g, found := s.st.Group(c.req.ApplicationsGroup)
		if !found || g.AccountID != acc.ID {
			return refused(catalog.MsgAccessDenied), false
		}
		for _, code := range g.Applications {
			app, r, ok := s.ownApp(c, code)
			if !ok {
				if r.message == catalog.MsgAppSuspended {
					continue // a group message skips suspended members
				}
				return r, false
			}
			c.apps = append(c.apps, app)
		}
		if len(c.apps) == 0 {
			return refused(catalog.MsgAppSuspended), false
		}
		c.group = g.Code
	}
	return reply{}, true
}

// ownApp finds an application the call's token may touch.
func (s *Server) ownApp(c *call, code string) (state.Application, reply, bool) {
	app, found := s.st.Application(code)
	if !found {
		return app, refused(catalog.MsgAppNotFound), false
	}
	if app.AccountID != c.account.ID || !c.token.Covers(code) {
		return app, refused(catalog.MsgAccessDenied), false
	}
	if app.Suspended {
		return app, refused(catalog.MsgAppSuspended), false
	}
	return app, reply{}, true
}
