package main

import (
	"encoding/json"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's endpoint table from emulator/catalog")

func TestMethodsCommand(t *testing.T) {
	code, out, _ := run(t, nil, "methods")
	if code != 0 || !strings.HasPrefix(out, "METHOD") {
		t.Fatalf("methods: exit %d\n%s", code, out)
	}
	for _, e := range catalog.Endpoints() {
		if !strings.Contains(out, e.Path) {
			t.Errorf("the table lacks %s", e.Path)
		}
	}
	code, out, _ = run(t, nil, "methods", "--json")
	var got []catalog.Listing
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || !reflect.DeepEqual(got, catalog.Listings()) {
		t.Fatalf("methods --json: exit %d\n%.300s", code, out)
	}
	if code, _, _ := run(t, nil, "methods", "--json", "--markdown"); code != 2 {
		t.Fatalf("--json --markdown: exit %d, want 2", code)
	}
}

// The README's endpoint table is the catalog's; go test ./cmd/pwemu -run
// TestReadmeListsTheCatalog -update-readme rewrites it.
func TestReadmeListsTheCatalog(t *testing.T) {
	const path, begin, end = "../../README.md", "<!-- methods:begin -->\n", "<!-- methods:end -->"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no %q … %q block", begin, end)
	}
	want := s[:i+len(begin)] + methodsMarkdown(catalog.Listings()) + s[j:]
	if want == s {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("README.md's endpoint table differs from emulator/catalog; run\ngo test ./cmd/pwemu -run TestReadmeListsTheCatalog -update-readme")
}
