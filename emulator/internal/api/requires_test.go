package api

import (
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// The catalog's Requires drive the checks the API makes before any handler runs: a
// v1.3 call without the auth or the application an endpoint requires is refused with
// Pushwoosh's 210, whatever else it carries.
func TestCatalogRequiresAreEnforced(t *testing.T) {
	f := newFixture(t, testAccounts())
	for _, ep := range catalog.Endpoints() {
		if !ep.V13() {
			continue
		}
		auth := `"auth":"TESTAUTHTOKEN"`
		if ep.Auth == catalog.AuthDevice {
			auth = `"hwid":"h"`
		}
		cases := map[string]string{}
		if ep.Needs(catalog.FieldAuth) {
			cases["auth"] = req(`"application":"APPCODE-12345"`)
		}
		if ep.Needs(catalog.FieldApplication) || ep.Needs(catalog.FieldApplicationOrGroup) {
			cases["application"] = req(auth)
		}
		if len(cases) == 0 {
			t.Errorf("%s requires neither auth nor an application", ep.Method)
		}
		for missing, body := range cases {
			if _, e := f.call(t, ep.Method, body); e.StatusCode != catalog.CodeRefused || e.StatusMessage != catalog.MsgTokenOrAppNotSet {
				t.Errorf("%s without %s: %d %q, want 210 %q", ep.Method, missing, e.StatusCode, e.StatusMessage, catalog.MsgTokenOrAppNotSet)
			}
		}
	}
}
