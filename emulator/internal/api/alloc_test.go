package api

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// nullWriter is a ResponseWriter that keeps nothing, so that only the handler's own
// allocations are counted.
type nullWriter struct {
	h      http.Header
	status int
}

func (w *nullWriter) Header() http.Header         { return w.h }
func (w *nullWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *nullWriter) WriteHeader(status int)      { w.status = status }

// handlerAllocs is the allocations one call of body to method costs the handler: the
// request is built outside the count, as net/http builds it.
func handlerAllocs(t *testing.T, srv *Server, method, body string) float64 {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, "http://localhost"+PrefixV13+method, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	rd := strings.NewReader(body)
	w := &nullWriter{h: http.Header{}}
	call := func() {
		rd.Reset(body)
		req.Body, req.ContentLength = io.NopCloser(rd), int64(len(body))
		clear(w.h)
		srv.ServeHTTP(w, req)
	}
	call()
	if w.status != 0 && w.status != http.StatusOK {
		t.Fatalf("%s answered %d", method, w.status)
	}
	return testing.AllocsPerRun(200, call)
}

// The API path's allocations per call, counted in the handler (the request is built
// outside the count, as net/http builds it): a guard that they do not grow back.
// Allocations, not time, so it holds on any machine. When a change has to raise a
// limit, say why in its commit.
func TestAPIPathAllocations(t *testing.T) {
	srv := benchServer(t)
	for _, c := range []struct {
		method, body string
		limit        float64
	}{
		// as pwemu-bench sends them: a message to an application with one device, and
		// a device registered again. encoding/json's decoding is about 10 of each.
		{"createMessage", `{"request":{"application":"APPCODE-12345","auth":"TESTAUTHTOKEN","notifications":[{"send_date":"now","content":"Hello 3","platforms":[1,3]}]}}`, 40},
		{"registerDevice", `{"request":{"application":"APPCODE-12345","push_token":"bench-token-1","hwid":"bench-1","device_type":3,"language":"en","timezone":3600}}`, 25},
	} {
		if got := handlerAllocs(t, srv, c.method, c.body); got > c.limit {
			t.Errorf("%s: %.0f allocations a call, want at most %.0f", c.method, got, c.limit)
		}
	}
}
