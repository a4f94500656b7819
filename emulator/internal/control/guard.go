package control

import (
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Options are the control API's access rules.
type Options struct {
	// Token, when set, is the bearer token every control route but health needs.
	Token string
	// AllowedHosts are the Host names accepted beyond IP literals, localhost and
	// host.docker.internal (DNS rebinding reaches the API under any other name).
	AllowedHosts []string
	// MetricsPublic exempts /metrics from the token.
	MetricsPublic bool
}

// builtinHosts are the names every emulator answers to.
var builtinHosts = []string{"localhost", "host.docker.internal"}

// guard applies the access rules before h: Host, Origin, content type, then token.
func (o Options) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := o.check(r); err != nil {
			if err.Status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="pwemu control API"`)
			}
			writeJSON(w, err.Status, err)
			return
		}
		if r.URL.Path == Prefix+"/wait" || r.URL.Path == Prefix+"/clock/advance" {
			// They answer late by design, bounded by their own timeout or the client
			// going away: the server's write deadline is not theirs.
			_ = http.NewResponseController(w).SetWriteDeadline(time.Time{})
		}
		h.ServeHTTP(w, r)
	})
}

func (o Options) check(r *http.Request) *Error {
	if !o.hostAllowed(r.Host) {
		return fail(http.StatusForbidden, "control API: Host %q is not allowed: use an IP address, localhost or host.docker.internal, or start pwemu with --allowed-hosts %s", r.Host, hostOnly(r.Host))
	}
	if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r) {
		return fail(http.StatusForbidden, "control API: cross-origin requests are refused (Origin %q)", origin)
	}
	if isMutating(r.Method) {
		if err := contentTypeAllowed(r); err != nil {
			return err
		}
	}
	// The inspector's files hold no data: a browser loads them without a token, and the
	// page then sends the token (given once as ?token=) with each of its requests.
	if o.Token != "" && r.URL.Path != Prefix+"/health" && !strings.HasPrefix(r.URL.Path, Prefix+"/ui") && !o.authorized(r) {
		return fail(http.StatusUnauthorized, "control API: missing or wrong token: send Authorization: Bearer <the --control-token value>")
	}
	return nil
}

// Metrics guards a /metrics handler with the token unless MetricsPublic is set.
func (o Options) Metrics(h http.Handler) http.Handler {
	if o.Token == "" || o.MetricsPublic {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !o.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pwemu metrics"`)
			writeJSON(w, http.StatusUnauthorized, fail(http.StatusUnauthorized, "/metrics: missing or wrong token: send Authorization: Bearer <token>, or start pwemu with --metrics-public"))
			return
		}
		h.ServeHTTP(w, r)
	})
}

func (o Options) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(o.Token)) == 1
}

func (o Options) hostAllowed(hostport string) bool {
	host := strings.ToLower(hostOnly(hostport))
	if host == "" {
		return false
	}
	if net.ParseIP(host) != nil {
		return true
	}
	host = strings.TrimSuffix(host, ".")
	return slices.Contains(builtinHosts, host) || slices.ContainsFunc(o.AllowedHosts, func(a string) bool {
		return strings.EqualFold(strings.TrimSuffix(strings.TrimSpace(a), "."), host)
	})
}

// hostOnly drops the port of a Host header, and the brackets of an IPv6 literal.
func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// sameOrigin reports whether a browser's Origin is the server's own: same host and
// port as the request's Host (the scheme cannot be told behind a proxy).
func sameOrigin(origin string, r *http.Request) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false // "null" (sandboxed pages, file://) is foreign
	}
	return strings.EqualFold(u.Host, r.Host) || strings.EqualFold(withDefaultPort(u), withDefaultPortHost(r))
}

func withDefaultPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return u.Host + ":443"
	}
	return u.Host + ":80"
}

func withDefaultPortHost(r *http.Request) string {
	if _, _, err := net.SplitHostPort(r.Host); err == nil {
		return r.Host
	}
	if r.TLS != nil {
		return r.Host + ":443"
	}
	return r.Host + ":80"
}

func isMutating(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

// contentTypeAllowed lets through JSON and YAML bodies. A request with no body and no
// Content-Type (curl -X POST …/reset) carries nothing to misread; what a browser can
// send without a preflight — text/plain and the form types — is refused, so a web
// page cannot drive the control API even where its Origin is missing.
func contentTypeAllowed(r *http.Request) *Error {
	ct := r.Header.Get("Content-Type")
	if ct == "" && r.ContentLength == 0 {
		return nil
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && isJSONOrYAML(mt) {
		return nil
	}
	if ct == "" {
		ct = "none"
	}
	return fail(http.StatusUnsupportedMediaType, "control API: %s %s needs a JSON or YAML body (Content-Type: application/json or application/yaml), got Content-Type %s", r.Method, r.URL.Path, ct)
}

func isJSONOrYAML(mt string) bool {
	switch mt {
	case "application/json", "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml":
		return true
	}
	return strings.HasSuffix(mt, "+json") || strings.HasSuffix(mt, "+yaml")
}
