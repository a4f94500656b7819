package scenarios

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

var updateSchema = flag.Bool("update-schema", false, "rewrite scenario.schema.json's lists of Pushwoosh names from emulator/catalog")

// schemaLists are the schema's lists of Pushwoosh names: the path of anchors that
// leads to the list, the list's key, and the catalog's values.
var schemaLists = []struct {
	anchors []string
	key     string
	values  []string
}{
	{[]string{`"platform": {`}, "enum", catalog.Platforms},
	{[]string{`"eventName": {`}, "examples", catalog.KnownEvents},
	{[]string{`"emailEvent": {`}, "enum", catalog.EmailStatusEvents},
	{[]string{`"apiMethod": {`}, "enum", catalog.MethodNames()},
	{[]string{`"Respond": {`, `"code": {`}, "enum", catalog.ResponseNames()},
	{[]string{`"Respond": {`, `"warning": {`}, "enum", catalog.WarningNames()},
	{[]string{`"Respond": {`, `"fault": {`}, "enum", catalog.Faults},
}

// withCatalogLists rewrites the schema's lists of Pushwoosh names from the catalog,
// keeping the file's layout.
func withCatalogLists(t *testing.T, src []byte) []byte {
	t.Helper()
	s := string(src)
	for _, l := range schemaLists {
		at := 0
		for _, a := range l.anchors {
			i := strings.Index(s[at:], a)
			if i < 0 {
				t.Fatalf("schema: %q not found after %v", a, l.anchors)
			}
			at += i + len(a)
		}
		open := `"` + l.key + `": [`
		i := strings.Index(s[at:], open)
		if i < 0 {
			t.Fatalf("schema: no %s list after %v", l.key, l.anchors)
		}
		start := at + i + len(open)
		end := start + strings.Index(s[start:], "]")
		lineStart := strings.LastIndex(s[:start], "\n") + 1
		indent := s[lineStart : lineStart+len(s[lineStart:])-len(strings.TrimLeft(s[lineStart:], " "))]
		var b strings.Builder
		for k, v := range l.values {
			q, _ := json.Marshal(v)
			b.WriteString("\n" + indent + "  " + string(q))
			if k < len(l.values)-1 {
				b.WriteString(",")
			}
		}
		b.WriteString("\n" + indent)
		s = s[:start] + b.String() + s[end:]
	}
	return []byte(s)
}

// The schema lists the catalog's names; go test ./scenarios -run
// TestSchemaListsTheCatalog -update-schema rewrites the lists after a catalog change.
func TestSchemaListsTheCatalog(t *testing.T) {
	want := withCatalogLists(t, schema)
	if bytes.Equal(want, schema) {
		return
	}
	if *updateSchema {
		if err := os.WriteFile("scenario.schema.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Fatal("scenario.schema.json's lists of Pushwoosh names differ from emulator/catalog; run\n" +
		"go test ./scenarios -run TestSchemaListsTheCatalog -update-schema")
}
