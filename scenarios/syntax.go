package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// parseYAML reads the documents of data. A syntax error comes back located at the
// line and column where it is, which go-yaml does not say: it reports the line where
// the enclosing block began, or no line at all.
// Bounds on what one scenario's YAML may cost to read: a few kilobytes of deeply
// nested brackets once took seconds of CPU per PUT /_pwemu/scenario.
const (
	MaxScenarioBytes = 4 << 20
	MaxNesting       = 64
)

func parseYAML(file string, data []byte) ([]*yaml.Node, *Error) {
	if len(data) > MaxScenarioBytes {
		return nil, &Error{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("the scenario is %d bytes, over the maximum %d", len(data), MaxScenarioBytes)}
	}
	if e := tooDeep(file, data); e != nil {
		return nil, e
	}
	docs, err := parseDocs(data)
	if err == nil {
		for _, d := range docs {
			if nodeDepth(d, 0) > MaxNesting {
				return nil, &Error{File: file, Line: 1, Col: 1, Msg: fmt.Sprintf("values nest more than %d deep", MaxNesting)}
			}
		}
		return docs, nil
	}
	msg, line := splitYAMLError(err)
	l, c := locateSyntaxError(data, msg, line)
	if tab := tabInIndent(data, l); tab > 0 {
		return nil, &Error{File: file, Line: l, Col: tab, Msg: "invalid YAML: a tab indents this line; YAML indents with spaces only"}
	}
	if strings.HasPrefix(msg, "did not find expected ',' or") {
		// Any cut inside a flow collection fails with this message, so the search
		// lands just after the bracket: point at the bracket that is not closed.
		if line := []rune(string(lineOf(data, l))); c >= 2 && c-2 < len(line) && (line[c-2] == '[' || line[c-2] == '{') {
			c--
		}
	}
	hint := syntaxHint(msg)
	if bytes.Contains(lineOf(data, l), []byte("${")) && bytes.ContainsAny(lineOf(data, l), "[{") {
		hint = " (inside [ ] or { }, quote a ${…} reference: \"${NAME}\")"
	}
	return nil, &Error{File: file, Line: l, Col: c, Msg: "invalid YAML: " + msg + hint}
}

func parseDocs(data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for len(docs) < 1000 {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return docs, nil
			}
			return nil, err
		}
		docs = append(docs, &n)
	}
	return docs, nil
}

// splitYAMLError takes "yaml: line 3: found …" apart.
func splitYAMLError(err error) (msg string, line int) {
	msg = strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, tail, ok := strings.Cut(rest, ": "); ok {
			if n, err := strconv.Atoi(num); err == nil {
				return tail, n
			}
		}
	}
	return msg, 0
}

// locateBudget bounds the bytes re-parsed while locating an error (files are small;
// fuzzed ones need not be).
const locateBudget = 4 << 20

// locateSyntaxError finds where a syntax error is: the first line whose prefix of the
// file fails with the same message, and in it the first column where it does. That is
// where the parser gave up, which is where the mistake shows. If no prefix reproduces
// the message, the parser's own line is used.
func locateSyntaxError(data []byte, msg string, fallback int) (line, col int) {
	spent := 0
	fails := func(prefix []byte) bool {
		spent += len(prefix)
		_, err := parseDocs(prefix)
		if err == nil {
			return false
		}
		m, _ := splitYAMLError(err)
		return m == msg
	}
	start := 0
	for n := 1; start < len(data) && spent < locateBudget; n++ {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data)
		} else {
			end += start + 1
		}
		if fails(data[:end]) {
			text := data[start:end]
			for c := 1; c <= len(text) && spent < locateBudget; c++ {
				if utf8.RuneStart(text[min(c, len(text)-1)]) || c == len(text) {
					if fails(data[:start+c]) {
						return n, utf8.RuneCount(text[:c])
					}
				}
			}
			return n, firstNonBlank(text)
		}
		start = end
	}
	if fallback < 1 {
		fallback = 1
	}
	return fallback, firstNonBlank(lineOf(data, fallback))
}

func lineOf(data []byte, n int) []byte {
	lines := bytes.Split(data, []byte("\n"))
	if n-1 < len(lines) {
		return lines[n-1]
	}
	return nil
}

func firstNonBlank(line []byte) int {
	for i, c := range string(line) {
		if c != ' ' && c != '\t' {
			return utf8.RuneCountInString(string(line[:i])) + 1
		}
	}
	return 1
}

// tabInIndent is the column of a tab in line n's indentation, or 0.
func tabInIndent(data []byte, n int) int {
	for i, c := range lineOf(data, n) {
		switch c {
		case '\t':
			return i + 1
		case ' ':
		default:
			return 0
		}
	}
	return 0
}

// syntaxHint adds the usual cause to go-yaml's terse messages.
func syntaxHint(msg string) string {
	switch {
	case strings.HasPrefix(msg, "did not find expected '-' indicator"),
		strings.HasPrefix(msg, "did not find expected key"):
		return " (is this line indented like the ones before it?)"
	case strings.HasPrefix(msg, "mapping values are not allowed"):
		return " (quote a value that holds \": \", or indent this line less)"
	case strings.HasPrefix(msg, "found character that cannot start any token"):
		return " (quote the value)"
	case strings.HasPrefix(msg, "could not find expected ':'"):
		return " (a key needs \": \" after it)"
	case strings.HasPrefix(msg, "did not find expected ',' or"):
		return " (this bracket is not closed, or an item in it is not a plain value)"
	case strings.HasPrefix(msg, "found unexpected end of stream"):
		return " (a quote or bracket is not closed)"
	}
	return ""
}

// tooDeep finds flow collections ([ ], { }) nested past MaxNesting before the YAML
// parser does, which takes time quadratic in the depth to give up.
func tooDeep(file string, data []byte) *Error {
	depth, line, col := 0, 1, 0
	var quote byte
	comment := false
	for i, c := range data {
		col++
		switch {
		case c == '\n':
			line, col, comment = line+1, 0, false
			continue
		case comment:
			continue
		case quote != 0:
			if c == quote && (quote == '\'' || i == 0 || data[i-1] != '\\') {
				quote = 0
			}
			continue
		}
		switch c {
		case '#':
			comment = i == 0 || data[i-1] == ' ' || data[i-1] == '\t'
		case '"', '\'':
			if i == 0 || bytes.IndexByte([]byte(" \t\n[{,:-?"), data[i-1]) >= 0 { // a quote that opens a scalar
				quote = c
			}
		case '[', '{':
			if depth++; depth > MaxNesting {
				return &Error{File: file, Line: line, Col: col, Msg: fmt.Sprintf("[ ] and { } nest more than %d deep", MaxNesting)}
			}
		case ']', '}':
			depth = max(depth-1, 0)
		}
	}
	return nil
}

// nodeDepth is how deep a parsed node's collections nest, up to a little past
// MaxNesting.
func nodeDepth(n *yaml.Node, d int) int {
	if d > MaxNesting {
		return d
	}
	deepest := d
	for _, c := range n.Content {
		deepest = max(deepest, nodeDepth(c, d+1))
	}
	return deepest
}
