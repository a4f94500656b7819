package emulator_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/pwemu/pwemu/emulator/internal/api"
	"github.com/pwemu/pwemu/scenarios"
)

// The scenario validator cannot import the API (the API reads scenarios), so the names
// a rule may answer with are listed twice; this keeps the two lists one.
func TestScenarioResponseNamesAreTheAPIs(t *testing.T) {
	var apiNames []string
	for name := range api.NamedResponses {
		apiNames = append(apiNames, name)
	}
	sort.Strings(apiNames)
	valid := slices.Clone(scenarios.ResponseCodes)
	sort.Strings(valid)
	if !slices.Equal(apiNames, valid) {
		t.Fatalf("api.NamedResponses %v\nscenarios.ResponseCodes+Warnings %v", apiNames, valid)
	}
	for _, w := range scenarios.Warnings {
		if !api.NamedResponses[w].Warning {
			t.Errorf("%s is a warning for scenarios but not for the API", w)
		}
	}
}
