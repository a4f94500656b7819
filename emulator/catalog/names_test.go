package catalog_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Each Pushwoosh method and event name is written once, here: Go code elsewhere
// refers to the catalog's identifiers. Tests may use literals for the cases they
// assert.
func TestNamesAreWrittenOnlyInTheCatalog(t *testing.T) {
	names := map[string]string{}
	for _, e := range catalog.Endpoints() {
		names[e.Method] = "the method name of catalog endpoint " + e.Path
	}
	for _, ev := range catalog.KnownEvents {
		names[ev] = "an event name of the catalog"
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	self, _ := filepath.Abs(".")
	fset := token.NewFileSet()
	checked := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == self || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				return true
			}
			if what, found := names[s]; found {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d: %q is %s: use the catalog's identifier", rel, fset.Position(lit.Pos()).Line, s, what)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 50 {
		t.Fatalf("checked only %d files under %s", checked, root)
	}
}
