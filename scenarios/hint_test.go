package scenarios

import (
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

func TestEditDistance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		a, b string
		d    int
	}{
		{"", "", 0}, {"abc", "abc", 0}, {"", "abc", 3}, {"endpiont", "endpoint", 1},
		{"platform", "platforms", 1}, {"kitten", "sitting", 3}, {"ios", "iOS", 2},
	} {
		if got := editDistance(tc.a, tc.b); got != tc.d {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.d)
		}
	}
}

func TestSuggest(t *testing.T) {
	t.Parallel()
	keys := []string{"endpoint", "events", "platforms", "retry", "timeout"}
	for in, want := range map[string]string{
		"endpiont": "endpoint", "event": "events", "Platform": "platforms", "retyr": "retry", "retries": "",
		"timout": "timeout", "colour": "", "x": "",
	} {
		if got := suggest(in, keys); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
	if got := suggest("ios", catalog.Platforms); got != "iOS" {
		t.Errorf("case-only difference: %q", got)
	}
}
