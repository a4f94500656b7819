package targeting

import (
	"testing"

	"github.com/pwemu/pwemu/emulator/internal/state"
)

// FuzzDevicesFilter: the devices_filter parser takes any text without panicking, and
// what it parses evaluates.
func FuzzDevicesFilter(f *testing.F) {
	for _, s := range []string{`A("APPCODE-12345")`, `A("APPCODE-12345", ["IOS"])`,
		`(A("APPCODE-12345") * T("Language", EQ, "en"))`, `G("GROUP-CODE") \ AT("APPCODE-12345", "age", BETWEEN, [1, 2])`,
		`A("X") + T("t", NOTSET)`, `T("l", IN, ["a", 1, "b"])`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil || n == nil {
			return
		}
		Targets(n)
		universe := []state.Device{{Application: "X", HWID: "h", Type: 1, Tags: map[string]any{
			"t": "a", "l": []string{"a", "b"}, "n": int64(3), "b": true, "f": 2.5}}}
		eval(n, universe, func(string) []string { return []string{"X"} })
	})
}
