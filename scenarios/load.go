package scenarios

import (
	"bytes"
	"embed"
	"fmt"
	"os"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed bundled/*.yaml
var bundled embed.FS

// Parse reads a scenario from YAML, fills the docs' defaults and validates it. source
// names the file in error messages.
func Parse(source string, data []byte) (*Scenario, error) {
	var s Scenario
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	s.Source, s.Raw = source, append([]byte(nil), data...)
	s.ApplyDefaults()
	return &s, nil
}

// LoadFile reads a scenario file.
func LoadFile(name string) (*Scenario, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(name, data)
}

// Bundled loads a bundled scenario by name ("default", "http-5xx-storm", …).
func Bundled(name string) (*Scenario, error) {
	data, err := bundled.ReadFile("bundled/" + name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("scenario %q: no bundled scenario of that name (have: %s)", name, strings.Join(BundledNames(), ", "))
	}
	return Parse(name, data)
}

// BundledNames lists the bundled scenarios.
func BundledNames() []string {
	entries, _ := bundled.ReadDir("bundled")
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), path.Ext(e.Name())))
	}
	sort.Strings(names)
	return names
}

// Default is the scenario `pwemu serve` plays when given none.
func Default() *Scenario {
	s, err := Bundled("default")
	if err != nil {
		panic(err) // the bundled default is tested; this cannot happen in a build
	}
	return s
}
