package api

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestParseIntList(t *testing.T) {
	cases := []struct {
		raw  string
		list []int
		set  bool
		err  bool
	}{
		{``, nil, false, false},
		{`null`, nil, false, false},
		{`[]`, []int{}, true, false},
		{` [ ] `, []int{}, true, false},
		{`[1,3]`, []int{1, 3}, true, false},
		{`[ "1" , " 3 " ,11]`, []int{1, 3, 11}, true, false},
		{`[1,]`, nil, true, true},
		{`[1.5]`, nil, true, true},
		{`"1"`, nil, true, true},
		{`{"a":1}`, nil, true, true},
	}
	for _, tc := range cases {
		list, set, err := parseIntList(json.RawMessage(tc.raw))
		if !slices.Equal(list, tc.list) || (list == nil) != (tc.list == nil) || set != tc.set || (err != nil) != tc.err {
			t.Errorf("parseIntList(%s) = %v, %v, %v; want %v, %v, error %v", tc.raw, list, set, err, tc.list, tc.set, tc.err)
		}
	}
}

func TestContentText(t *testing.T) {
	for raw, want := range map[string]string{
		``:                            "",
		`null`:                        "",
		`"Hello"`:                     "Hello",
		`"Caf\u00e9 \"x\""`:           `Café "x"`,
		`{"de":"Hallo","en":"Hello"}`: "Hello",
		`{"fr":"Salut","de":"Hallo"}`: "Hallo",
		`{}`:                          "",
		`42`:                          "42",
		`[1]`:                         "",
	} {
		if got := contentText(json.RawMessage(raw)); got != want {
			t.Errorf("contentText(%s) = %q, want %q", raw, got, want)
		}
	}
}
