package scenarios

import (
	"sort"
	"strconv"
	"strings"
)

// Error is one problem in a scenario file, with where it is.
type Error struct {
	File string `json:"file"`    // the source given to Parse: a file name or a bundled name
	Line int    `json:"line"`    // 1-based; 0 when the scenario was not read from YAML
	Col  int    `json:"column"`  // 1-based; 0 when unknown
	Path string `json:"path"`    // the key path, e.g. streams[0].events; empty for the whole file
	Msg  string `json:"message"` // what is wrong and what would fix it
}

// Error reads "storm.yaml:12:5: streams[0].events: at least one event is required …".
func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		b.WriteString(":")
	}
	if e.Line > 0 {
		b.WriteString(strconv.Itoa(e.Line))
		b.WriteString(":")
		if e.Col > 0 {
			b.WriteString(strconv.Itoa(e.Col))
			b.WriteString(":")
		}
	}
	if b.Len() > 0 {
		b.WriteString(" ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one scenario, in file order. Parse returns it
// (as *Errors) whenever a scenario is rejected.
type Errors struct {
	List []Error
}

// Error lists the problems one per line.
func (e *Errors) Error() string {
	lines := make([]string, len(e.List))
	for i, x := range e.List {
		lines[i] = x.Error()
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives the single errors, for errors.As and errors.Is.
func (e *Errors) Unwrap() []error {
	errs := make([]error, len(e.List))
	for i, x := range e.List {
		errs[i] = x
	}
	return errs
}

func (e *Errors) sort() {
	sort.SliceStable(e.List, func(i, j int) bool {
		a, b := e.List[i], e.List[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}
