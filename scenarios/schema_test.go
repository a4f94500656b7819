package scenarios

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"go.yaml.in/yaml/v3"
)

func loadSchema(t *testing.T) (root, defs map[string]any) {
	t.Helper()
	if err := json.Unmarshal(Schema(), &root); err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	if root["$schema"] != "https://json-schema.org/draft/2020-12/schema" || root["$ref"] != "#/$defs/Scenario" {
		t.Fatalf("$schema %v, $ref %v", root["$schema"], root["$ref"])
	}
	return root, root["$defs"].(map[string]any)
}

// valueDefs are the $defs of the scalar value types.
var valueDefs = map[reflect.Type]string{durationType: "duration", countType: "count", rateType: "rate", latencyType: "latency"}

// TestSchemaListsEveryKeyOfTheGoTypes walks the Go types from Scenario down and checks
// that each struct has a $def with exactly its YAML keys, each of a matching type.
func TestSchemaListsEveryKeyOfTheGoTypes(t *testing.T) {
	t.Parallel()
	_, defs := loadSchema(t)
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(st reflect.Type) {
		if seen[st] {
			return
		}
		seen[st] = true
		def, ok := defs[st.Name()].(map[string]any)
		if !ok {
			t.Errorf("no $defs/%s for %s", st.Name(), st)
			return
		}
		if def["type"] != "object" || def["additionalProperties"] != false {
			t.Errorf("$defs/%s: want type object with additionalProperties false", st.Name())
		}
		props, _ := def["properties"].(map[string]any)
		keys, index := fieldsOf(st)
		for _, k := range keys {
			p, ok := props[k].(map[string]any)
			if !ok {
				t.Errorf("$defs/%s lacks the key %q", st.Name(), k)
				continue
			}
			ft := st.Field(index[k]).Type
			if msg := matches(ft, p, defs); msg != "" {
				t.Errorf("$defs/%s.%s (%s): %s", st.Name(), k, ft, msg)
			}
			for _, inner := range structsIn(ft) {
				walk(inner)
			}
		}
		for k := range props {
			if _, ok := index[k]; !ok {
				t.Errorf("$defs/%s has %q, which %s does not", st.Name(), k, st)
			}
		}
		if desc, _ := def["description"].(string); desc == "" {
			t.Errorf("$defs/%s has no description", st.Name())
		}
	}
	walk(reflect.TypeFor[Scenario]())
	if len(seen) < 19 {
		t.Errorf("walked only %d struct types", len(seen))
	}
}

// structsIn lists the scenario structs a field type holds (not the value types).
func structsIn(ft reflect.Type) []reflect.Type {
	for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
		ft = ft.Elem()
	}
	if _, isValue := valueDefs[ft]; ft.Kind() == reflect.Struct && !isValue {
		return []reflect.Type{ft}
	}
	return nil
}

// core drops the ${VAR} alternative that numbers and booleans allow.
func core(p map[string]any) map[string]any {
	if alts, ok := p["anyOf"].([]any); ok && len(alts) == 2 {
		for i, a := range alts {
			if m, _ := a.(map[string]any); m["$ref"] == "#/$defs/envRef" {
				return alts[1-i].(map[string]any)
			}
		}
	}
	return p
}

func deref(p map[string]any, defs map[string]any) map[string]any {
	for range 8 {
		ref, ok := p["$ref"].(string)
		if !ok {
			return p
		}
		p = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
	}
	return p
}

// acceptsStrings reports whether a schema describes string values.
func acceptsStrings(p map[string]any, defs map[string]any) bool {
	p = deref(core(p), defs)
	if p["type"] == "string" {
		return true
	}
	if enum, ok := p["enum"].([]any); ok {
		for _, e := range enum {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	if alts, ok := p["anyOf"].([]any); ok {
		for _, a := range alts {
			if m := a.(map[string]any); m["const"] == nil && !acceptsStrings(m, defs) {
				return false
			}
		}
		return true
	}
	return false
}

// matches says how a property schema disagrees with a Go type, or "".
func matches(ft reflect.Type, p map[string]any, defs map[string]any) string {
	if ft.Kind() == reflect.Pointer {
		ft = ft.Elem()
	}
	if name, ok := valueDefs[ft]; ok {
		if p["$ref"] != "#/$defs/"+name {
			return "want $ref #/$defs/" + name
		}
		return ""
	}
	c := core(p)
	switch ft.Kind() {
	case reflect.Struct:
		if p["$ref"] != "#/$defs/"+ft.Name() {
			return "want $ref #/$defs/" + ft.Name()
		}
	case reflect.Slice:
		if c["type"] != "array" {
			return "want type array"
		}
		items, _ := c["items"].(map[string]any)
		if items == nil {
			if pi, ok := c["prefixItems"].([]any); ok && len(pi) > 0 {
				items = pi[0].(map[string]any)
			}
		}
		if items == nil {
			return "an array without items"
		}
		return matches(ft.Elem(), items, defs)
	case reflect.Map:
		if ft.Key().Kind() == reflect.Int {
			if p["$ref"] != "#/$defs/statusCounts" {
				return "want $ref #/$defs/statusCounts"
			}
		} else if c["type"] != "object" {
			return "want type object"
		}
	case reflect.String:
		if !acceptsStrings(p, defs) {
			return "want a string schema"
		}
	case reflect.Bool:
		if c["type"] != "boolean" {
			return "want type boolean"
		}
	case reflect.Int, reflect.Int64, reflect.Uint64:
		if c["type"] != "integer" {
			return "want type integer"
		}
	case reflect.Float64:
		if c["type"] != "number" {
			return "want type number"
		}
	case reflect.Interface:
		if _, typed := c["type"]; typed {
			return "a free-form value must not be typed"
		}
	default:
		return "no rule for this Go type"
	}
	return ""
}

func TestSchemaEnumsMatchTheVocabularies(t *testing.T) {
	t.Parallel()
	_, defs := loadSchema(t)
	prop := func(def, key string) map[string]any {
		return defs[def].(map[string]any)["properties"].(map[string]any)[key].(map[string]any)
	}
	strs := func(v any) []string {
		var out []string
		for _, x := range v.([]any) {
			out = append(out, x.(string))
		}
		return out
	}
	for _, tc := range []struct {
		name string
		got  any
		want []string
	}{
		{"platform", defs["platform"].(map[string]any)["enum"], catalog.Platforms},
		{"apiMethod", defs["apiMethod"].(map[string]any)["enum"], catalog.MethodNames()},
		{"emailEvent", defs["emailEvent"].(map[string]any)["enum"], catalog.EmailStatusEvents},
		{"eventName examples", defs["eventName"].(map[string]any)["examples"], catalog.KnownEvents},
		{"Respond.code", prop("Respond", "code")["enum"], catalog.ResponseNames()},
		{"Respond.warning", prop("Respond", "warning")["enum"], catalog.WarningNames()},
		{"Respond.fault", prop("Respond", "fault")["enum"], catalog.Faults},
		{"Clock.mode", prop("Clock", "mode")["enum"], ClockModes},
		{"Token.kind", prop("Token", "kind")["enum"], TokenKinds},
		{"Stream.framing", prop("Stream", "framing")["enum"], Framings},
		{"Stream.transport", prop("Stream", "transport")["anyOf"].([]any)[0].(map[string]any)["enum"], Transports},
	} {
		if got := strs(tc.got); !slices.Equal(got, tc.want) {
			t.Errorf("%s: schema %v, Go %v", tc.name, got, tc.want)
		}
	}
}

// schemaValidator checks a document against the schema. It knows the keywords the
// schema uses and fails on any other, so a misspelt keyword cannot pass unnoticed.
type schemaValidator struct {
	defs map[string]any
	errs []string
}

var annotations = map[string]bool{"description": true, "examples": true, "format": true, "title": true, "$schema": true, "$id": true, "$defs": true}

func (v *schemaValidator) check(x any, s map[string]any, path string) {
	fail := func(format string, args ...any) { v.errs = append(v.errs, path+": "+fmt.Sprintf(format, args...)) }
	keys := make([]string, 0, len(s))
	for k := range s {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		kw := s[k]
		switch k {
		case "$ref":
			v.check(x, v.defs[strings.TrimPrefix(kw.(string), "#/$defs/")].(map[string]any), path)
		case "type":
			if !hasType(x, kw.(string)) {
				fail("want %s, got %T", kw, x)
			}
		case "enum":
			if !slices.ContainsFunc(kw.([]any), func(e any) bool { return reflect.DeepEqual(e, x) }) {
				fail("%v not in enum", x)
			}
		case "const":
			if !reflect.DeepEqual(kw, x) {
				fail("want %v", kw)
			}
		case "pattern":
			if str, ok := x.(string); ok && !regexp.MustCompile(kw.(string)).MatchString(str) {
				fail("%q does not match %s", str, kw)
			}
		case "minLength":
			if str, ok := x.(string); ok && float64(len([]rune(str))) < kw.(float64) {
				fail("shorter than %v", kw)
			}
		case "minimum", "maximum", "exclusiveMinimum":
			if f, ok := x.(float64); ok {
				lim := kw.(float64)
				if k == "minimum" && f < lim || k == "maximum" && f > lim || k == "exclusiveMinimum" && f <= lim {
					fail("%v breaks %s %v", f, k, lim)
				}
			}
		case "properties", "additionalProperties", "propertyNames":
			m, ok := x.(map[string]any)
			if !ok {
				continue
			}
			props, _ := s["properties"].(map[string]any)
			for name, val := range m {
				switch {
				case k == "properties" && props[name] != nil:
					v.check(val, props[name].(map[string]any), path+"."+name)
				case k == "additionalProperties" && props[name] == nil:
					if kw == false {
						fail("unknown key %q", name)
					} else {
						v.check(val, kw.(map[string]any), path+"."+name)
					}
				case k == "propertyNames":
					v.check(name, kw.(map[string]any), path+"."+name)
				}
			}
		case "required":
			if m, ok := x.(map[string]any); ok {
				for _, r := range kw.([]any) {
					if _, has := m[r.(string)]; !has {
						fail("missing %q", r)
					}
				}
			}
		case "items", "prefixItems", "minItems", "maxItems", "uniqueItems":
			l, ok := x.([]any)
			if !ok {
				continue
			}
			switch k {
			case "items":
				for i, item := range l {
					v.check(item, kw.(map[string]any), fmt.Sprintf("%s[%d]", path, i))
				}
			case "prefixItems":
				for i, ps := range kw.([]any) {
					if i < len(l) {
						v.check(l[i], ps.(map[string]any), fmt.Sprintf("%s[%d]", path, i))
					}
				}
			case "minItems":
				if float64(len(l)) < kw.(float64) {
					fail("fewer than %v items", kw)
				}
			case "maxItems":
				if float64(len(l)) > kw.(float64) {
					fail("more than %v items", kw)
				}
			case "uniqueItems":
				for i := range l {
					for j := range i {
						if reflect.DeepEqual(l[i], l[j]) {
							fail("item %d repeats item %d", i, j)
						}
					}
				}
			}
		case "anyOf", "oneOf":
			passed := 0
			for _, alt := range kw.([]any) {
				sub := &schemaValidator{defs: v.defs}
				sub.check(x, alt.(map[string]any), path)
				if len(sub.errs) == 0 {
					passed++
				}
			}
			if passed == 0 || k == "oneOf" && passed > 1 {
				fail("%s: %d alternatives match", k, passed)
			}
		default:
			if !annotations[k] {
				v.errs = append(v.errs, path+": the test validator does not know the keyword "+k)
			}
		}
	}
}

func hasType(x any, typ string) bool {
	switch typ {
	case "string":
		_, ok := x.(string)
		return ok
	case "integer":
		f, ok := x.(float64)
		return ok && f == math.Trunc(f)
	case "number":
		_, ok := x.(float64)
		return ok
	case "boolean":
		_, ok := x.(bool)
		return ok
	case "object":
		_, ok := x.(map[string]any)
		return ok
	case "array":
		_, ok := x.([]any)
		return ok
	case "null":
		return x == nil
	}
	return false
}

// asJSON turns YAML into the JSON data model the schema speaks about.
func asJSON(t *testing.T, src []byte) any {
	t.Helper()
	var x any
	if err := yaml.Unmarshal(src, &x); err != nil {
		t.Fatal(err)
	}
	var conv func(any) any
	conv = func(x any) any {
		switch x := x.(type) {
		case map[string]any:
			for k, v := range x {
				x[k] = conv(v)
			}
			return x
		case map[any]any:
			m := map[string]any{}
			for k, v := range x {
				m[fmt.Sprint(k)] = conv(v)
			}
			return m
		case []any:
			for i := range x {
				x[i] = conv(x[i])
			}
			return x
		case int:
			return float64(x)
		}
		return x
	}
	return conv(x)
}

func validateAgainstSchema(t *testing.T, src []byte) []string {
	root, defs := loadSchema(t)
	v := &schemaValidator{defs: defs}
	v.check(asJSON(t, src), root, "$")
	return v.errs
}

func TestSchemaAcceptsEveryBundledScenario(t *testing.T) {
	t.Parallel()
	for _, name := range BundledNames() {
		src, _ := BundledSource(name)
		if errs := validateAgainstSchema(t, src); len(errs) > 0 {
			t.Errorf("%s:\n%s", name, strings.Join(errs, "\n"))
		}
	}
}

func TestSchemaRejectsBrokenScenarios(t *testing.T) {
	t.Parallel()
	for src, want := range map[string]string{
		"name: x\ncolour: blue\n": `$: unknown key "colour"`,
		"streams:\n  - {endpoint: 'http://a', events: [Push Sent], platforms: [ios]}\n":      `$.streams[0].platforms[0]: ios not in enum`,
		"streams:\n  - {endpoint: 'http://a', platforms: [iOS]}\n":                           `$.streams[0]: missing "events"`,
		"streams:\n  - {endpoint: 'http://a', events: [], platforms: [iOS]}\n":               `$.streams[0].events: fewer than 1 items`,
		"streams:\n  - {endpoint: 'http://a', events: [a], platforms: [iOS], timeout: 30}\n": `$.streams[0].timeout: want string, got float64`,
		"api:\n  - {method: createMesage, respond: {http: 500}}\n":                           `$.api[0].method: anyOf: 0 alternatives match`,
		"api:\n  - {method: getTags, respond: {code: nope}}\n":                               `$.api[0].respond.code: nope not in enum`,
		"api:\n  - {method: getTags}\n":                                                      `$.api[0]: anyOf: 0 alternatives match`,
		"expect: {delivered: most}\n":                                                        `$.expect.delivered: anyOf: 0 alternatives match`,
		"traffic:\n  - generate: {count: 5, rate: 5/s, for: 1m}\n":                           `$.traffic[0].generate: oneOf: 2 alternatives match`,
		"clock: {mode: scaled, speed: 0}\n":                                                  `$.clock.speed: anyOf: 0 alternatives match`,
	} {
		errs := validateAgainstSchema(t, []byte(src))
		if !slices.Contains(errs, want) {
			t.Errorf("%q: want %q among %q", src, want, errs)
		}
	}
}
