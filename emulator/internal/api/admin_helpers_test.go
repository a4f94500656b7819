package api

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// raw posts body to path with headers ("Name: value") and returns the status and the
// body as received: for the paths that do not answer the v1.3 envelope.
func (f *fixture) raw(t testing.TB, path, body string, headers ...string) (int, string) {
	t.Helper()
	return f.do(t, http.MethodPost, path, body, headers...)
}

// do sends a request of any HTTP method.
func (f *fixture) do(t testing.TB, method, path, body string, headers ...string) (int, string) {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		r.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, r)
	return rec.Code, strings.TrimSpace(rec.Body.String())
}
