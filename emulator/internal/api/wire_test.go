package api

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// wireRequest is one line of testdata/client-requests.jsonl: a request a public
// Pushwoosh client library really sends.
type wireRequest struct {
	Client  string      `json:"client"`
	Method  string      `json:"method"`
	Path    string      `json:"path"`
	Headers [][2]string `json:"headers"`
	Body    string      `json:"body"`
}

func (w wireRequest) header(name string) string {
	for _, h := range w.Headers {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

// truncated reports the requests whose client counted Content-Length in characters
// over a non-ASCII body, so that the body was cut short: only these deserve a 400.
func (w wireRequest) truncated() bool {
	return strings.HasPrefix(w.Client, "node-chalettu") && strings.HasSuffix(w.Path, "/createMessage") &&
		utf8.RuneCountInString(w.Body) < len(w.Body)
}

func loadWire(t testing.TB) []wireRequest {
	t.Helper()
	f, err := os.Open("testdata/client-requests.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []wireRequest
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var w wireRequest
		if err := json.Unmarshal(sc.Bytes(), &w); err != nil {
			t.Fatalf("wire line %d: %v", len(out)+1, err)
		}
		out = append(out, w)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWireReplay(t *testing.T) {
	f := newFixture(t, testAccounts())
	ts := httptest.NewServer(f.srv)
	defer ts.Close()
	wire := loadWire(t)
	if len(wire) != 50 {
		t.Fatalf("wire file has %d requests, want 50", len(wire))
	}
	truncated := 0
	var created []string
	for i, w := range wire {
		cl, err := strconv.Atoi(w.header("Content-Length"))
		if err != nil || cl != len(w.Body) {
			t.Fatalf("request %d (%s): Content-Length %q, body of %d bytes", i+1, w.Client, w.header("Content-Length"), len(w.Body))
		}
		req, err := http.NewRequest(w.Method, ts.URL+w.Path, bytes.NewReader([]byte(w.Body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range w.Headers {
			if !strings.EqualFold(h[0], "Content-Length") {
				req.Header.Set(h[0], h[1])
			}
		}
		req.Host = "api.pushwoosh.com" // routing must not depend on it
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("request %d (%s %s): %v", i+1, w.Client, w.Path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		e := mustEnvelope(t, body)
		method := strings.TrimPrefix(w.Path, PrefixV13)
		if w.truncated() {
			truncated++
			if json.Valid([]byte(w.Body)) {
				t.Fatalf("request %d: expected a truncated body, got valid JSON", i+1)
			}
			if resp.StatusCode != 400 || e.StatusCode != 400 || e.StatusMessage != catalog.MsgBadRequest {
				t.Errorf("request %d (%s, truncated): got %d %d %q, want 400 400 %q", i+1, w.Client, resp.StatusCode, e.StatusCode, e.StatusMessage, catalog.MsgBadRequest)
			}
			continue
		}
		if resp.StatusCode != 200 {
			t.Errorf("request %d (%s %s): HTTP %d %s", i+1, w.Client, method, resp.StatusCode, body)
			continue
		}
		switch method {
		case "createMessage":
			var r struct{ Messages []string }
			json.Unmarshal(e.Response, &r)
			var in struct {
				Request struct{ Notifications []json.RawMessage }
			}
			json.Unmarshal([]byte(w.Body), &in)
			if e.StatusCode != 200 || len(r.Messages) != len(in.Request.Notifications) {
				t.Errorf("request %d (%s createMessage): %s, want 200 with %d codes", i+1, w.Client, body, len(in.Request.Notifications))
			}
			created = append(created, r.Messages...)
		case "deleteMessage":
			// The libraries delete a code they made up: Pushwoosh does not know it.
			if e.StatusCode != 210 || e.StatusMessage != catalog.MsgMessageNotFound {
				t.Errorf("request %d (%s deleteMessage of an unknown code): %s", i+1, w.Client, body)
			}
		default:
			if e.StatusCode != 200 || e.StatusMessage != "OK" {
				t.Errorf("request %d (%s %s): %s, want 200 OK", i+1, w.Client, method, body)
			}
		}
	}
	if truncated != 2 {
		t.Errorf("found %d truncated requests, want 2", truncated)
	}
	if got := f.jr.Len(); got != len(wire) {
		t.Errorf("journal has %d calls, want %d", got, len(wire))
	}
	// State carries over between calls: a created message can be deleted, once.
	if len(created) == 0 {
		t.Fatal("no message was created")
	}
	code := created[0]
	for i, want := range []string{"OK", catalog.MsgMessageNotFound} {
		_, e := f.call(t, "deleteMessage", req(`"auth":"TESTAUTHTOKEN","message":"`+code+`"`))
		if e.StatusMessage != want {
			t.Errorf("deleteMessage #%d of %s: %q, want %q", i+1, code, e.StatusMessage, want)
		}
	}
}
