package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/state"
)

// FuzzDecodeRequest feeds the request decoder, and then the whole v1.3 path, with
// mutations of what real client libraries send: whatever the bytes, the decoder must
// not panic and the API must answer a valid envelope.
func FuzzDecodeRequest(f *testing.F) {
	for _, w := range loadWire(f) {
		f.Add(strings.TrimPrefix(w.Path, PrefixV13), []byte(w.Body))
	}
	f.Add("createTargetedMessage", []byte(`{"request":{"auth":"TESTAUTHTOKEN","devices_filter":"(A(\"APPCODE-12345\") * T(\"a\", BETWEEN, [1, 2])) \\ G(\"GROUP-CODE\", [\"IOS\"])"}}`))
	f.Add("setTags", []byte(`{"request":{"application":"APPCODE-12345","hwid":"h","tags":{"l":{"operation":"append","value":["x"]},"n":{"operation":"increment","value":2}}}}`))
	accounts := testAccounts()
	accounts[0].CreateMessageRate = 1 << 40
	fx := newFixture(f, accounts)
	f.Fuzz(func(t *testing.T, method string, body []byte) {
		r, err := decodeRequest(body)
		switch {
		case err == nil && r == nil:
			t.Fatal("no error and no request")
		case err != nil && r != nil:
			t.Fatal("an error and a request")
		case errors.Is(err, errSyntax) && json.Valid(body):
			t.Fatalf("valid JSON called a syntax error: %v", err)
		}
		if _, known := methods[method]; !known {
			return
		}
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, PrefixV13+method, strings.NewReader(string(body))))
		e := mustEnvelope(t, rec.Body.Bytes())
		if err != nil && (rec.Code != 400 || e.StatusCode != 400) {
			t.Fatalf("undecodable body answered %d %d %q", rec.Code, e.StatusCode, e.StatusMessage)
		}
		if err == nil && rec.Code == 400 && e.StatusCode == 400 && method != "createMessage" && method != "createTargetedMessage" {
			t.Fatalf("decodable body answered 400 by %s", method)
		}
	})
}

// FuzzDevicesFilter: the devices_filter parser takes any text without panicking, and
// what it parses evaluates.
func FuzzDevicesFilter(f *testing.F) {
	for _, s := range []string{`A("APPCODE-12345")`, `A("APPCODE-12345", ["IOS"])`,
		`(A("APPCODE-12345") * T("Language", EQ, "en"))`, `G("GROUP-CODE") \ AT("APPCODE-12345", "age", BETWEEN, [1, 2])`,
		`A("X") + T("t", NOTSET)`, `T("l", IN, ["a", 1, "b"])`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := parseFilter(src)
		if err != nil || n == nil {
			return
		}
		filterTargets(n)
		universe := []state.Device{{Application: "X", HWID: "h", Type: 1, Tags: map[string]any{
			"t": "a", "l": []string{"a", "b"}, "n": int64(3), "b": true, "f": 2.5}}}
		evalFilter(n, universe, func(string) []string { return []string{"X"} })
	})
}
