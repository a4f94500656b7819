package catalog_test

import (
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestEndpointsAreWellFormed(t *testing.T) {
	methods, routes := map[string]bool{}, map[string]bool{}
	for _, e := range catalog.Endpoints() {
		if e.Method == "" || methods[e.Method] {
			t.Errorf("%s: method name empty or taken twice", e.Path)
		}
		methods[e.Method] = true
		if route := e.HTTP + " " + e.Path; routes[route] {
			t.Errorf("%s: route taken twice", route)
		} else {
			routes[route] = true
		}
		if !strings.HasPrefix(e.Path, "/") || e.Family == "" || e.Answer == "" || e.Doc == "" {
			t.Errorf("%s: path, family, answer or documentation missing: %+v", e.Method, e)
		}
		switch e.Auth {
		case catalog.AuthServer, catalog.AuthDevice, catalog.AuthNone:
		default:
			t.Errorf("%s: auth %q", e.Method, e.Auth)
		}
		if e.V13() && e.Auth == catalog.AuthDevice && !e.Needs(catalog.FieldApplication) {
			t.Errorf("%s: a device method names its application", e.Method)
		}
		if got, found := catalog.Lookup(e.Method); !found || got != e {
			t.Errorf("Lookup(%s) = %v, %v", e.Method, got, found)
		}
	}
	if _, found := catalog.Lookup(catalog.AnyMethod); found {
		t.Error("an endpoint is named like the wildcard")
	}
}

func TestPlatforms(t *testing.T) {
	types := map[int]bool{}
	for _, p := range catalog.PlatformTable {
		if p.DeviceType == 0 {
			continue
		}
		if types[p.DeviceType] {
			t.Errorf("device type %d twice", p.DeviceType)
		}
		types[p.DeviceType] = true
		if catalog.PlatformName(p.DeviceType) != p.Name {
			t.Errorf("PlatformName(%d) = %q", p.DeviceType, catalog.PlatformName(p.DeviceType))
		}
	}
	for name, want := range map[string]int{"IOS": 1, "internet explorer": 13, "OSX": 7, "MacOS": 7, "IE": 13, "whatsapp": 21} {
		if got, ok := catalog.DeviceTypeNamed(name); !ok || got != want {
			t.Errorf("DeviceTypeNamed(%q) = %d %v, want %d", name, got, ok, want)
		}
	}
	if _, ok := catalog.DeviceTypeNamed("Line"); ok {
		t.Error("Line has no device type in the API")
	}
}

func TestNamedResponses(t *testing.T) {
	for _, r := range catalog.Responses {
		if got, ok := catalog.ResponseNamed(r.Name); !ok || got != r {
			t.Errorf("ResponseNamed(%s) = %+v", r.Name, got)
		}
		if r.Warning != (r.StatusCode == catalog.CodeOK) || (r.HTTP >= 400 && r.StatusCode != r.HTTP) {
			t.Errorf("%s: inconsistent %+v", r.Name, r)
		}
	}
}
