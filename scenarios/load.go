package scenarios

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"reflect"
	"slices"
	"sort"
	"strings"
)

//go:embed bundled/*.yaml
var bundled embed.FS

// Options change how a scenario is read.
type Options struct {
	// Env looks up the variables of ${NAME} references; nil means the process
	// environment (os.LookupEnv). `pwemu run --receiver URL` passes one that also
	// answers RECEIVER_URL.
	Env Env
	// Vars are looked up before Env: the values a caller gives some ${NAME}s
	// (pwemu's --receiver and --env, testkit.Env).
	Vars map[string]string
}

// lookup is the Env that answers Vars first, then Env (or the process environment).
func (o Options) lookup() Env {
	env := o.Env
	if env == nil {
		env = os.LookupEnv
	}
	if len(o.Vars) == 0 {
		return env
	}
	return func(name string) (string, bool) {
		if v, ok := o.Vars[name]; ok {
			return v, true
		}
		return env(name)
	}
}

// Parse reads a scenario from YAML with ${…} taken from the process environment,
// validates it and fills the docs' defaults. source names the file in errors. A
// rejected scenario comes back as *Errors listing every problem found.
func Parse(source string, data []byte) (*Scenario, error) {
	return ParseWith(source, data, Options{})
}

// maxReported bounds the problems listed for one file.
const maxReported = 100

// ParseWith is Parse with options.
func ParseWith(source string, data []byte, opts Options) (*Scenario, error) {
	env := opts.lookup()
	fail := func(e Error) error { return &Errors{List: []Error{e}} }
	docs, syntaxErr := parseYAML(source, data)
	if syntaxErr != nil {
		return nil, fail(*syntaxErr)
	}
	if len(docs) == 0 || len(docs[0].Content) == 0 || isNull(docs[0].Content[0]) {
		return nil, fail(Error{File: source, Line: 1, Col: 1, Msg: "the file holds no scenario; start with a name: line"})
	}
	root := docs[0].Content[0]
	d := newDecoder(source, env)
	for _, extra := range docs[1:] {
		if len(extra.Content) > 0 && !isNull(extra.Content[0]) { // a bare trailing --- is harmless
			d.errs = append(d.errs, Error{File: source, Line: max(extra.Line, 1), Col: 1,
				Msg: "a second YAML document starts here; a file holds one scenario (remove the ---)"})
			break
		}
	}
	var s Scenario
	d.decode(root, reflect.ValueOf(&s).Elem(), "")
	errs := d.errs
	for _, e := range validate(&s, d) {
		if !d.covered(e.Path) {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		all := &Errors{List: errs}
		all.sort()
		if n := len(all.List) - maxReported; n > 0 {
			all.List = append(all.List[:maxReported], Error{File: source, Msg: fmt.Sprintf("and %d more problems; fix these first", n)})
		}
		return nil, all
	}
	s.Source, s.Raw = source, append([]byte(nil), data...)
	s.ApplyDefaults()
	return &s, nil
}

// at gives validation the position of a path: its value when it was written, else
// the nearest enclosing value that was (a missing key is reported where its mapping
// starts).
func (d *decoder) at(p string) Error {
	for q := p; ; q = parentPath(q) {
		if at, ok := d.pos[q]; ok {
			return Error{File: d.file, Line: at.line, Col: at.col, Path: p}
		}
		if q == "" {
			return Error{File: d.file, Path: p}
		}
	}
}

// written reports whether the file sets path (so that an explicit 0 can be told
// from an absent key).
func (d *decoder) written(p string) bool {
	_, ok := d.pos[p]
	return ok
}

// covered reports whether a validation error at p would repeat a decode error at,
// inside or around the same path.
func (d *decoder) covered(p string) bool {
	if d.failed[p] || d.inside[p] {
		return true
	}
	for q := parentPath(p); q != ""; q = parentPath(q) {
		if d.failed[q] {
			return true
		}
	}
	return false
}

// parentPath drops the last step of a path: streams[0].events → streams[0] → streams.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// Load reads the scenario ref names, with ${…} taken from the process environment:
// a scenario file when ref is the path of one, else the bundled scenario of that name
// (BundledNames); "" is the bundled default. `pwemu serve`, `run` and `validate` and
// testkit all read their scenarios through it.
func Load(ref string) (*Scenario, error) {
	return LoadWith(ref, Options{})
}

// LoadWith is Load with options.
func LoadWith(ref string, opts Options) (*Scenario, error) {
	if ref == "" {
		return bundledWith("default", opts)
	}
	data, err := os.ReadFile(ref)
	switch {
	case err == nil:
		return ParseWith(ref, data, opts)
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("scenario: %w", err)
	case strings.ContainsAny(ref, "/\\") || path.Ext(ref) != "":
		return nil, fmt.Errorf("scenario: %w", err) // a path, not a name
	}
	if !slices.Contains(BundledNames(), ref) {
		return nil, fmt.Errorf("scenario %q: no such file, nor a bundled scenario (bundled: %s)", ref, strings.Join(BundledNames(), ", "))
	}
	return bundledWith(ref, opts)
}

// Bundled loads a bundled scenario by name ("default", "http-5xx-storm", …), taking
// ${…} from the process environment.
func Bundled(name string) (*Scenario, error) {
	return bundledWith(name, Options{})
}

func bundledWith(name string, opts Options) (*Scenario, error) {
	data, err := BundledSource(name)
	if err != nil {
		return nil, err
	}
	return ParseWith("bundled/"+name+".yaml", data, opts)
}

// BundledSource is the YAML of a bundled scenario, for `pwemu` to print or copy.
func BundledSource(name string) ([]byte, error) {
	data, err := bundled.ReadFile("bundled/" + name + ".yaml")
	if err != nil || strings.ContainsAny(name, "/\\") {
		return nil, fmt.Errorf("scenario %q: no bundled scenario of that name (have: %s)", name, strings.Join(BundledNames(), ", "))
	}
	return data, nil
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

// Validate checks a scenario built in code (one read by Parse is already checked).
// The errors carry paths but no positions.
func (s *Scenario) Validate() error {
	errs := validate(s, codeBuilt{s.Source})
	if len(errs) == 0 {
		return nil
	}
	return &Errors{List: errs}
}

// codeBuilt locates paths of a scenario that has no YAML behind it.
type codeBuilt struct{ source string }

func (c codeBuilt) at(p string) Error     { return Error{File: c.source, Path: p} }
func (c codeBuilt) written(p string) bool { return false }
