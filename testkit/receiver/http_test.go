package receiver_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pwemu/pwemu/testkit/receiver"
)

// httpPost sends body to the receiver the way pwemu does (Connection: close).
func httpPost(ctx context.Context, url, body string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer x")
	req.Close = true
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

const twoEvents = `[{"uuid":"a","event_name":"Push Sent","platform":"iOS"},{"uuid":"b","event_name":"Push Sent","platform":"iOS"}]`

func TestHTTPRecordsRequestsAndCounts(t *testing.T) {
	r := receiver.StartHTTP(t)
	ctx := context.Background()
	for _, body := range []string{twoEvents, twoEvents, `{"uuid":"c","event_name":"Email Sent"}`, `not json`} {
		if code, err := httpPost(ctx, r.URL()+"/in", body); err != nil || code != 200 {
			t.Fatalf("POST: %d, %v", code, err)
		}
	}
	st := r.Stats()
	want := receiver.HTTPStats{Requests: 4, Batches: 3, Events: 5, Unique: 3, Duplicates: 2,
		Bytes: 2*len(twoEvents) + len(`{"uuid":"c","event_name":"Email Sent"}`) + len("not json")}
	if st != want {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
	reqs := r.Requests()
	if len(reqs) != 4 {
		t.Fatalf("%d requests", len(reqs))
	}
	q := reqs[0]
	if q.N != 0 || q.Method != "POST" || q.Path != "/in" || !q.Close || q.Header.Get("Authorization") != "Bearer x" ||
		string(q.Body) != twoEvents || len(q.Events) != 2 || q.Events[1].UUID != "b" || q.At.IsZero() {
		t.Fatalf("first request recorded as %+v", q)
	}
	if reqs[3].ParseError == "" || reqs[3].Events != nil {
		t.Fatalf("unparsable body: ParseError %q, events %v", reqs[3].ParseError, reqs[3].Events)
	}
	if r.Count("a") != 2 || r.Count("c") != 1 || r.Count("zz") != 0 {
		t.Fatalf("counts a=%d c=%d", r.Count("a"), r.Count("c"))
	}
	if got := len(r.Events()); got != 5 {
		t.Fatalf("Events() has %d, want 5", got)
	}
	r.Reset()
	if st := r.Stats(); st != (receiver.HTTPStats{}) || len(r.Requests()) != 0 {
		t.Fatalf("after Reset: %+v", st)
	}
}

func TestHTTPParseEventsFramings(t *testing.T) {
	for body, n := range map[string]int{
		`[]`: 0, `[{"uuid":"a"}]`: 1, `{"uuid":"a"}`: 1, "{\"uuid\":\"a\"}\n{\"uuid\":\"b\"}\n": 2,
	} {
		evs, err := receiver.ParseEvents([]byte(body))
		if err != nil || len(evs) != n {
			t.Fatalf("ParseEvents(%q) = %d events, %v; want %d", body, len(evs), err, n)
		}
	}
	for _, body := range []string{``, `x`, `[{]`, `{"uuid":1}`} {
		if _, err := receiver.ParseEvents([]byte(body)); err == nil {
			t.Fatalf("ParseEvents(%q) accepted it", body)
		}
	}
}

func TestHTTPScriptedSequenceThenDefault(t *testing.T) {
	r := receiver.StartHTTP(t, receiver.WithHTTPResponses(receiver.HTTPRepeat(receiver.HTTPStatus(503), 2)...))
	var got []int
	for range 4 {
		code, err := httpPost(context.Background(), r.URL(), twoEvents)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, code)
	}
	if want := []int{503, 503, 200, 200}; !equalInts(got, want) {
		t.Fatalf("answers %v, want %v", got, want)
	}
	r.SetDefault(receiver.HTTPStatus(500))
	r.SetResponses(receiver.HTTPStatus(429))
	got = got[:0]
	for range 3 {
		code, _ := httpPost(context.Background(), r.URL(), twoEvents)
		got = append(got, code)
	}
	if want := []int{429, 500, 500}; !equalInts(got, want) {
		t.Fatalf("answers after SetResponses %v, want %v", got, want)
	}
	r.SetScript(func(n int, req *receiver.HTTPRequest) receiver.HTTPResponse {
		if len(req.Events) == 2 {
			return receiver.HTTPStatus(202)
		}
		return receiver.HTTPStatus(400)
	})
	if code, _ := httpPost(context.Background(), r.URL(), twoEvents); code != 202 {
		t.Fatalf("script answered %d, want 202", code)
	}
	if a := r.Requests()[len(r.Requests())-1].Answer; a.Status != 202 {
		t.Fatalf("recorded answer %+v", a)
	}
}

func TestHTTPHangEndsWhenTheClientGivesUp(t *testing.T) {
	r := receiver.StartHTTP(t, receiver.WithHTTPDefault(receiver.HTTPHang()))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := httpPost(ctx, r.URL(), twoEvents)
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	if _, err := r.Wait(wctx, func(s receiver.HTTPStats) bool { return s.Requests == 1 }); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		t.Fatalf("a hanging receiver answered: %v", err)
	default:
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("client error %v, want context.Canceled", err)
	}
}

func TestHTTPCloseEndsHangingRequests(t *testing.T) {
	r, err := receiver.NewHTTP(receiver.WithHTTPDefault(receiver.HTTPHang()))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := httpPost(context.Background(), r.URL(), twoEvents)
		done <- err
	}()
	wctx, wcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer wcancel()
	if _, err := r.Wait(wctx, func(s receiver.HTTPStats) bool { return s.Requests == 1 }); err != nil {
		t.Fatal(err)
	}
	r.Close() // must not wait for the hanging request forever
	if err := <-done; err == nil {
		t.Fatal("the hanging request got an answer after Close")
	}
	r.Close()
}

func TestHTTPResetAbortsTheConnection(t *testing.T) {
	r := receiver.StartHTTP(t, receiver.WithHTTPResponses(receiver.HTTPReset()))
	_, err := httpPost(context.Background(), r.URL(), twoEvents)
	if err == nil {
		t.Fatal("a reset connection gave an answer")
	}
	if !errors.Is(err, syscall.ECONNRESET) && !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("error %v, want a connection reset", err)
	}
	if r.Stats().Events != 2 {
		t.Fatalf("the reset request was not recorded: %+v", r.Stats())
	}
	if code, err := httpPost(context.Background(), r.URL(), twoEvents); err != nil || code != 200 {
		t.Fatalf("after the reset: %d, %v", code, err)
	}
}

func TestHTTPSlowAnswersAfterTheDelay(t *testing.T) {
	r := receiver.StartHTTP(t, receiver.WithHTTPResponses(receiver.HTTPSlow(30*time.Millisecond, 201)))
	start := time.Now()
	code, err := httpPost(context.Background(), r.URL(), twoEvents)
	if err != nil || code != 201 {
		t.Fatalf("%d, %v", code, err)
	}
	if d := time.Since(start); d < 30*time.Millisecond {
		t.Fatalf("answered after %v, want at least 30ms", d)
	}
}

func TestHTTPCountOnlyKeepsNoBodies(t *testing.T) {
	r := receiver.StartHTTP(t, receiver.HTTPCountOnly())
	_, _ = httpPost(context.Background(), r.URL(), twoEvents)
	if st := r.Stats(); st.Requests != 1 || st.Bytes != len(twoEvents) || st.Events != 0 || len(r.Requests()) != 0 {
		t.Fatalf("count-only stats %+v, %d requests kept", st, len(r.Requests()))
	}
}

func TestHTTPAddrOnThisHostOnly(t *testing.T) {
	for _, bad := range []string{"example.com:0", "192.0.2.7:0", "nonsense"} {
		if _, err := receiver.NewHTTP(receiver.WithHTTPAddr(bad)); err == nil ||
			!strings.Contains(err.Error(), "want host:port with 127.0.0.1, 0.0.0.0 or an address of this host") {
			t.Fatalf("address %q: err = %v, want a refusal", bad, err)
		}
	}
	all := receiver.StartHTTP(t, receiver.WithHTTPAddr("0.0.0.0:0")) // reachable from containers
	all.Close()
	a := receiver.StartHTTP(t)
	addr := a.Addr()
	a.Close()
	b := receiver.StartHTTP(t, receiver.WithHTTPAddr(addr))
	if b.URL() != "http://"+addr {
		t.Fatalf("URL %s, want http://%s", b.URL(), addr)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
