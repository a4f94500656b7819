package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// FuzzDecodeRequest feeds the request decoder, and then the whole v1.3 path, with
// mutations of what real client libraries send and of every body the hand-written
// decoder that preceded encoding/json accepted: whatever the bytes, the decoder must
// not panic and the API must answer a valid envelope.
func FuzzDecodeRequest(f *testing.F) {
	names := slices.Sorted(maps.Keys(v13Methods))
	index := func(method string) uint8 { return uint8(slices.Index(names, method)) }
	for _, w := range loadWire(f) {
		f.Add(index(strings.TrimPrefix(w.Path, PrefixV13)), []byte(w.Body))
	}
	for i, body := range acceptedBodies(f) {
		f.Add(uint8(i), body)
	}
	f.Add(index("createTargetedMessage"), []byte(`{"request":{"auth":"TESTAUTHTOKEN","devices_filter":"(A(\"APPCODE-12345\") * T(\"a\", BETWEEN, [1, 2])) \\ G(\"GROUP-CODE\", [\"IOS\"])"}}`))
	f.Add(index("setTags"), []byte(`{"request":{"application":"APPCODE-12345","hwid":"h","tags":{"l":{"operation":"append","value":["x"]},"n":{"operation":"increment","value":2}}}}`))
	accounts := testAccounts()
	accounts[0].CreateMessageRate = 1 << 40
	fx := newFixture(f, accounts)
	f.Fuzz(func(t *testing.T, m uint8, body []byte) {
		method := names[int(m)%len(names)]
		r, err := decode(body)
		if errors.Is(err, errSyntax) == json.Valid(body) {
			t.Fatalf("syntax error %v for a body whose validity is %v", err, json.Valid(body))
		}
		sameAsEncodingJSON(t, body, r, err)
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

// decode decodes into a Request that held another call before, as a pooled one
// does.
func decode(body []byte) (*Request, error) {
	r, _ := decodeRequestStd([]byte(`{"request":{"auth":"old","notifications":[{"content":"old","devices":["a","b"]}]}}`))
	if err := decodeRequest(body, r); err != nil {
		return nil, err
	}
	return r, nil
}

// decodeRequestStd is what decodeRequest must agree with: encoding/json decoding
// into the same types.
func decodeRequestStd(body []byte) (*Request, error) {
	var env struct {
		Request *Request `json:"request"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, fmt.Errorf("%w: %v", errSyntax, err)
		}
		return nil, err
	}
	if env.Request == nil {
		return nil, errors.New("no request")
	}
	return env.Request, nil
}

func sameAsEncodingJSON(t *testing.T, body []byte, got *Request, err error) {
	t.Helper()
	want, wantErr := decodeRequestStd(body)
	if (err == nil) != (wantErr == nil) || errors.Is(err, errSyntax) != errors.Is(wantErr, errSyntax) {
		t.Fatalf("body %q: error %v, encoding/json says %v", body, err, wantErr)
	}
	if err == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("body %q:\n got %+v\nwant %+v", body, got, want)
	}
}

// Decoding into a pooled Request that held another call gives what a fresh
// encoding/json decoding gives.
func TestDecodeRequestAgreesWithEncodingJSON(t *testing.T) {
	for _, w := range loadWire(t) {
		r, err := decode([]byte(w.Body))
		sameAsEncodingJSON(t, []byte(w.Body), r, err)
	}
	for _, body := range []string{
		``, ` `, `null`, `[]`, `"x"`, `1`, `{}`, `{"request":null}`, `{"request":[]}`, `{"request":{}} x`,
		`{"request":{}}` + "\n", `{"Request":{"AUTH":"a","Application":"b"}}`, `{"request":{"\u0061uth":"a"}}`,
		`{"request":{"ſend_date":"now"}}`, `{"request":{"auth":"a\u00e9\n"}}`, "{\"request\":{\"auth\":\"\xff\"}}",
		`{"request":{"auth":1}}`, `{"request":{"auth":null,"hwid":7,"userId":"u"}}`, `{"request":{"device_type":"3","badge":"x"}}`,
		`{"request":{"notifications":[null,{"send_date":"now","devices":["a",1,null]},{}]}}`,
		`{"request":{"notifications":[{"content":"a","devices":["x","y"]}],"notifications":[{"send_date":"now","devices":[null]}]}}`,
		`{"request":{"notifications":{}}}`, `{"request":{"notifications":[1]}}`, `{"request":{"notifications":[]}}`,
		`{"request":{"tags":{"a":[1,{"b":null}]},"lat":"1.5","lng":2e3}}`, `{"request":{"a":-0.5e+2,"b":01}}`,
		`{"request":{"a":"\x"}}`, `{"request":{"a":tru}}`, `{"request":{"a":1,}}`, `{"request":{"a" 1}}`,
		`{"request":{"auth":"a"},"request":{"application":"b"}}`, `{"request":{"auth":"a"},"request":null}`,
		`{"request":{"devices_filter":[1]}}`, `{"request":{"hwid":{"a":1}}}`,
	} {
		r, err := decode([]byte(body))
		sameAsEncodingJSON(t, []byte(body), r, err)
	}
	const maxDepth = 10000 // encoding/json's nesting limit
	deep := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	for _, body := range []string{`{"request":{"x":` + deep + `}}`, `{"request":{"x":[` + deep + `]}}`} {
		r, err := decode([]byte(body))
		sameAsEncodingJSON(t, []byte(body), r, err)
	}
}

// acceptedBodies are the bodies the hand-written decoder that preceded encoding/json
// accepted (testdata/decoder-accepted: the wire file's requests, the tolerance cases
// and what fuzzing found).
func acceptedBodies(t testing.TB) [][]byte {
	t.Helper()
	files, err := filepath.Glob("testdata/decoder-accepted/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no accepted bodies: %v", err)
	}
	var out [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// Tolerant decoding still takes every body the earlier decoder took.
func TestDecodesWhatTheEarlierDecoderAccepted(t *testing.T) {
	for _, body := range acceptedBodies(t) {
		var q Request
		if err := decodeRequest(body, &q); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
}
