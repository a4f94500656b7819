package emulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

// pathVar is a gorilla/mux path variable: {name} or {name:regexp}.
var pathVar = regexp.MustCompile(`\{([^}:]+)(?::([^}]*))?\}`)

// samplePath fills a path template's variables: a variable with a pattern takes its
// first alternative, the device gateway's rpc a v1.3 twin, any other "x".
func samplePath(template string) string {
	return pathVar.ReplaceAllStringFunc(template, func(v string) string {
		m := pathVar.FindStringSubmatch(v)
		switch {
		case m[2] != "":
			return strings.Split(m[2], "|")[0]
		case m[1] == "rpc":
			return catalog.RegisterDevice.Method
		}
		return "x"
	})
}

// Every endpoint GET /_pwemu/methods lists is routed to its handler — no 404 for an
// unknown path — and a scenario's API rule may name it.
func TestEveryListedEndpointAnswers(t *testing.T) {
	emu, err := emulator.New(emulator.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)

	resp, err := http.Get(srv.URL + "/_pwemu/methods")
	if err != nil {
		t.Fatal(err)
	}
	var listed []catalog.Listing
	err = json.NewDecoder(resp.Body).Decode(&listed)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK || len(listed) != len(catalog.Endpoints()) {
		t.Fatalf("GET /_pwemu/methods: %d %v, %d endpoints of %d", resp.StatusCode, err, len(listed), len(catalog.Endpoints()))
	}
	for _, l := range listed {
		ep, found := catalog.Lookup(l.Method)
		if !found || ep.Path != l.Path || ep.Family != l.Family || ep.Auth != l.Auth {
			t.Errorf("%s: listed %+v, catalog %+v", l.Method, l, ep)
			continue
		}
		switch l.Auth {
		case catalog.AuthServer, catalog.AuthDevice, catalog.AuthNone:
		default:
			t.Errorf("%s: auth %q", l.Method, l.Auth)
		}
		path := samplePath(l.Path)
		req, _ := http.NewRequest(ep.HTTP, srv.URL+path, strings.NewReader(`{"request":{}}`))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", ep.HTTP, path, err)
		}
		var body strings.Builder
		_, _ = io.Copy(&body, res.Body)
		res.Body.Close()
		calls := emu.Calls()
		last := calls[len(calls)-1]
		want := l.Method
		if ep == catalog.DeviceAPI {
			want = catalog.RegisterDevice.Method // the gateway's calls go by their v1.3 twin's name
		}
		routed := res.StatusCode != http.StatusNotFound ||
			!strings.Contains(body.String(), catalog.MsgNotFound) && !strings.Contains(body.String(), catalog.MsgUnknownAPIPath)
		if last.Path != path || last.Method != want || !routed {
			t.Errorf("%s %s: %d %s, journaled as %q %s", ep.HTTP, path, res.StatusCode, body.String(), last.Method, last.Path)
		}

		yaml := "name: methods\napi:\n  - method: " + jsonString(l.Method) + "\n    respond: {http: 500}\n"
		if _, err := scenarios.Parse("methods.yaml", []byte(yaml)); err != nil {
			t.Errorf("a rule naming %s does not validate: %v", l.Method, err)
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
