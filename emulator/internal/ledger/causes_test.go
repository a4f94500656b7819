package ledger

import (
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestCausesGroupFailedRequestsPerIntegration(t *testing.T) {
	l := New()
	web := l.Integration("web")
	ok := l.Integration("ok")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ids := l.AddBatch(web, t0, []catalog.Event{{UUID: "a"}, {UUID: "b"}}, nil)
	fine := l.AddBatch(ok, t0, []catalog.Event{{UUID: "c"}}, nil)
	// Two events share each request: a request counts once.
	l.Attempt(ids, Attempt{At: t0, Transport: "http", Batch: 1, Request: 1, Status: 503})
	l.Attempt(ids, Attempt{At: t0.Add(time.Second), Transport: "http", Batch: 1, Request: 2, Status: 503})
	l.Attempt(ids, Attempt{At: t0.Add(2 * time.Second), Transport: "http", Batch: 1, Request: 3,
		Error: "timeout: no answer within 30s", Latency: 30 * time.Second})
	l.Attempt(ids, Attempt{At: t0.Add(3 * time.Second), Transport: "http", Batch: 1, Request: 4,
		Error: "dial tcp 127.0.0.1:9001: connect: connection refused"})
	l.Attempt(fine, Attempt{At: t0, Transport: "http", Batch: 2, Request: 5, Status: 200})

	got := l.Causes()
	if len(got) != 1 || got[0].Integration != "web" || got[0].Requests != 4 {
		t.Fatalf("causes %+v; want web only, 4 requests", got)
	}
	want := []Cause{
		{What: "HTTP 503", Count: 2, First: t0, Last: t0.Add(time.Second)},
		{What: "connection refused (127.0.0.1:9001: is the receiver listening?)", Count: 1, First: t0.Add(3 * time.Second), Last: t0.Add(3 * time.Second)},
		{What: "timeout after 30s", Count: 1, First: t0.Add(2 * time.Second), Last: t0.Add(2 * time.Second)},
	}
	if len(got[0].Groups) != len(want) {
		t.Fatalf("groups %+v", got[0].Groups)
	}
	for i, w := range want {
		if g := got[0].Groups[i]; g.What != w.What || g.Count != w.Count || !g.First.Equal(w.First) || !g.Last.Equal(w.Last) {
			t.Errorf("group %d = %+v, want %+v", i, g, w)
		}
	}
}
