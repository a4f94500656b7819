package scenarios

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// decoder turns a YAML node tree into a Scenario by walking the Go types, so that it
// can report every problem of a file at once with its line and column, and remember
// where each key path sits for validation to point at.
type decoder struct {
	file   string
	env    Env
	errs   []Error
	pos    map[string]position // where the value of each decoded path is
	failed map[string]bool     // paths that had a decode error
	inside map[string]bool     // paths that hold a path with a decode error
	budget int                 // nodes left to visit: aliases can make a small file huge
}

type position struct{ line, col int }

// nodeBudget bounds the nodes one scenario may expand to through aliases; a
// hand-written scenario has a few thousand.
const nodeBudget = 500_000

// maxAnyDepth bounds the nesting of free-form values (match, response).
const maxAnyDepth = 64

func newDecoder(file string, env Env) *decoder {
	return &decoder{file: file, env: env, pos: map[string]position{}, failed: map[string]bool{}, inside: map[string]bool{}, budget: nodeBudget}
}

func (d *decoder) fail(n *yaml.Node, path, format string, args ...any) {
	d.errs = append(d.errs, Error{File: d.file, Line: n.Line, Col: n.Column, Path: path, Msg: fmt.Sprintf(format, args...)})
	d.failed[path] = true
	for q := parentPath(path); q != ""; q = parentPath(q) {
		d.inside[q] = true
	}
}

var (
	durationType = reflect.TypeFor[Duration]()
	countType    = reflect.TypeFor[Count]()
	rateType     = reflect.TypeFor[Rate]()
	latencyType  = reflect.TypeFor[Latency]()
)

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode; i++ {
		if i > 64 {
			return nil
		}
		n = n.Alias
	}
	return n
}

// isNull reports a YAML null (~, null or nothing), which leaves a value unset.
func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" && !strings.Contains(n.Value, "${")
}

// describe names what a node is, for "want …, got …" messages.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	v := n.Value
	if len(v) > 40 {
		v = v[:37] + "..."
	}
	return strconv.Quote(v)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// spend takes one node from the budget and reports whether there was one left.
func (d *decoder) spend(n *yaml.Node, path string) bool {
	d.budget--
	if d.budget == 0 {
		d.fail(n, path, "the document expands to more than %d values through aliases; write it out or use fewer aliases", nodeBudget)
	}
	return d.budget > 0
}

// decode fills v from n.
func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolve(n)
	if n == nil || !d.spend(n, path) {
		return
	}
	if _, seen := d.pos[path]; !seen {
		d.pos[path] = position{n.Line, n.Column}
	}
	if isNull(n) {
		return
	}
	t := v.Type()
	switch t {
	case durationType:
		d.parsed(n, v, path, "a duration such as 30s, 5m or 1h", func(s string) (any, error) { return ParseDuration(s) })
		return
	case countType:
		d.parsed(n, v, path, "a count: all, none, a number, at most N or exactly N", func(s string) (any, error) { return ParseCount(s) })
		return
	case rateType:
		d.parsed(n, v, path, "a rate such as 50/s, 600/m or 10/h", func(s string) (any, error) { return ParseRate(s) })
		return
	case latencyType:
		d.parsed(n, v, path, "a latency such as 250ms or 100ms-2s", func(s string) (any, error) { return ParseLatency(s) })
		return
	}
	switch t.Kind() {
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		before := len(d.errs)
		d.decode(n, p.Elem(), path)
		if len(d.errs) == before {
			v.Set(p)
		}
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Interface:
		if x, ok := d.toAny(n, path, 0); ok && x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		d.decodeScalar(n, v, path)
	}
}

// text is a scalar's value with ${…} expanded; ok is false (and an error recorded)
// when n is not a scalar or the expansion failed.
func (d *decoder) text(n *yaml.Node, path, want string) (s string, expanded, ok bool) {
	if n.Kind != yaml.ScalarNode {
		d.fail(n, path, "want %s, got %s", want, describe(n))
		return "", false, false
	}
	s, expanded, err := expandEnv(n.Value, d.env)
	if err != nil {
		d.fail(n, path, "%s", err.Error())
		return "", false, false
	}
	return s, expanded, true
}

func (d *decoder) parsed(n *yaml.Node, v reflect.Value, path, want string, parse func(string) (any, error)) {
	s, _, ok := d.text(n, path, want)
	if !ok {
		return
	}
	x, err := parse(s)
	if err != nil {
		d.fail(n, path, "%s", err.Error())
		return
	}
	v.Set(reflect.ValueOf(x))
}

func (d *decoder) decodeScalar(n *yaml.Node, v reflect.Value, path string) {
	switch v.Kind() {
	case reflect.String:
		if s, _, ok := d.text(n, path, "a string"); ok {
			v.SetString(s)
		}
	case reflect.Bool:
		s, _, ok := d.text(n, path, "true or false")
		if !ok {
			return
		}
		switch strings.ToLower(s) {
		case "true":
			v.SetBool(true)
		case "false":
			v.SetBool(false)
		default:
			d.fail(n, path, "want true or false, got %s", strconv.Quote(s))
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		s, _, ok := d.text(n, path, "a whole number")
		if !ok {
			return
		}
		i, err := parseInt(s, v.Type().Bits())
		if err != nil {
			d.fail(n, path, "%s", err.Error())
			return
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		s, _, ok := d.text(n, path, "a whole number")
		if !ok {
			return
		}
		i, err := parseInt(s, 64)
		if err == nil && i < 0 {
			err = fmt.Errorf("want a whole number of 0 or more, got %s", s)
		}
		if err != nil {
			d.fail(n, path, "%s", err.Error())
			return
		}
		v.SetUint(uint64(i))
	case reflect.Float32, reflect.Float64:
		s, _, ok := d.text(n, path, "a number")
		if !ok {
			return
		}
		f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			d.fail(n, path, "want a number, got %s", strconv.Quote(s))
			return
		}
		v.SetFloat(f)
	default:
		// Only reachable if a field of a type this decoder does not know is added.
		d.fail(n, path, "pwemu cannot read a %s here (report this as a bug)", v.Type())
	}
}

// parseInt reads a decimal (or 0x/0o/0b) whole number that fits in bits.
func parseInt(s string, bits int) (int64, error) {
	t := strings.TrimSpace(s)
	i, err := strconv.ParseInt(t, 10, bits)
	if err != nil && len(t) > 2 && t[0] == '0' && strings.ContainsRune("xXoObB", rune(t[1])) {
		i, err = strconv.ParseInt(t, 0, bits)
	}
	if err == nil {
		return i, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%s is too large for a whole number here", t)
	}
	return 0, fmt.Errorf("want a whole number, got %s", strconv.Quote(s))
}

// keyPair is one key and value of a mapping.
type keyPair struct{ key, val *yaml.Node }

// pairs lists a mapping's key/value pairs with merge keys (<<: *base) applied:
// explicit keys first, then merged keys that are not explicit. Keys that are not
// scalars and keys written twice are reported.
func (d *decoder) pairs(n *yaml.Node, path string) []keyPair {
	var out, merged []keyPair
	first := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
			merged = d.merge(val, path, merged, 0)
			continue
		}
		if k = resolve(k); k == nil {
			continue
		}
		if k.Kind != yaml.ScalarNode {
			d.fail(k, path, "a key must be a plain name, not %s", describe(k))
			continue
		}
		if prev, dup := first[k.Value]; dup {
			d.fail(k, join(path, k.Value), "key %q appears twice (first at line %d); keep one", k.Value, prev.Line)
			continue
		}
		first[k.Value] = k
		out = append(out, keyPair{k, val})
	}
	for _, p := range merged {
		if _, dup := first[p.key.Value]; !dup {
			first[p.key.Value] = p.key
			out = append(out, p)
		}
	}
	return out
}

// merge adds the pairs a merge key brings: a mapping, or a list of mappings.
func (d *decoder) merge(src *yaml.Node, path string, into []keyPair, depth int) []keyPair {
	src = resolve(src)
	if src == nil || depth > 16 {
		return into
	}
	switch src.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(src.Content); i += 2 {
			if !d.spend(src, path) {
				return into
			}
			k, val := src.Content[i], src.Content[i+1]
			if k.Kind == yaml.ScalarNode && k.Value == "<<" && k.ShortTag() == "!!merge" {
				into = d.merge(val, path, into, depth+1)
				continue
			}
			if k = resolve(k); k != nil && k.Kind == yaml.ScalarNode {
				into = append(into, keyPair{k, val})
			}
		}
	case yaml.SequenceNode:
		for _, item := range src.Content {
			if it := resolve(item); it != nil && it.Kind == yaml.MappingNode {
				into = d.merge(it, path, into, depth+1)
			} else if it != nil {
				d.fail(it, path, "<< merges mappings; got %s", describe(it))
			}
		}
	default:
		d.fail(src, path, "<< merges a mapping or a list of mappings; got %s", describe(src))
	}
	return into
}

// fieldsOf maps the YAML keys of a struct to field indexes, in declaration order.
func fieldsOf(t reflect.Type) (keys []string, index map[string]int) {
	index = map[string]int{}
	for i := range t.NumField() {
		f := t.Field(i)
		key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if key == "" || key == "-" || !f.IsExported() {
			continue
		}
		keys = append(keys, key)
		index[key] = i
	}
	return keys, index
}

// synonyms are keys people write from habit, mapped to the key this format uses.
var synonyms = map[string]string{
	"url": "endpoint", "uri": "endpoint", "endpoint_url": "endpoint", "auth": "authorization",
	"batch_size": "batch", "batch_interval": "batch", "retries": "retry", "retry_delays": "retry",
	"event_names": "events", "token": "tokens", "apps": "applications", "app": "application",
	"methods": "allow", "status": "http", "after": "at",
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	keys, index := fieldsOf(v.Type())
	if n.Kind != yaml.MappingNode {
		if path == "" {
			d.fail(n, path, "a scenario is a mapping of keys such as name, accounts and streams; got %s", describe(n))
			return
		}
		d.fail(n, path, "want a mapping with keys such as %s, got %s", strings.Join(keys[:min(3, len(keys))], ", "), describe(n))
		return
	}
	for _, p := range d.pairs(n, path) {
		key := p.key.Value
		child := join(path, key)
		i, ok := index[key]
		if !ok {
			msg, meant := unknownKey(key, keys)
			d.fail(p.key, child, "%s", msg)
			if meant != "" {
				// The author meant that key: do not also report it as missing.
				d.failed[join(path, meant)] = true
			}
			continue
		}
		d.decode(p.val, v.Field(i), child)
	}
}

func unknownKey(key string, known []string) (msg, meant string) {
	hint := suggest(key, known)
	if s, ok := synonyms[strings.ToLower(key)]; ok && hint == "" {
		for _, k := range known {
			if k == s {
				hint = s
			}
		}
	}
	if hint != "" {
		return fmt.Sprintf("unknown key %q; did you mean %q?", key, hint), hint
	}
	return fmt.Sprintf("unknown key %q (known keys here: %s)", key, strings.Join(known, ", ")), ""
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		hint := ""
		if n.Kind == yaml.ScalarNode {
			hint = fmt.Sprintf("; write [%s] for a list of one", n.Value)
		}
		d.fail(n, path, "want a list, got %s%s", describe(n), hint)
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), path+"["+strconv.Itoa(i)+"]")
	}
	v.Set(s)
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.fail(n, path, "want a mapping, got %s", describe(n))
		return
	}
	t := v.Type()
	m := reflect.MakeMap(t)
	for _, p := range d.pairs(n, path) {
		child := join(path, p.key.Value)
		key := reflect.New(t.Key()).Elem()
		switch t.Key().Kind() {
		case reflect.String:
			key.SetString(p.key.Value)
		case reflect.Int:
			i, err := parseInt(p.key.Value, 64)
			if err != nil {
				d.fail(p.key, child, "want a whole number as the key, got %s", strconv.Quote(p.key.Value))
				continue
			}
			key.SetInt(i)
		default:
			d.fail(p.key, child, "pwemu cannot read keys of type %s (report this as a bug)", t.Key())
			continue
		}
		elem := reflect.New(t.Elem()).Elem()
		d.decode(p.val, elem, child)
		m.SetMapIndex(key, elem)
	}
	v.Set(m)
}

// toAny reads a free-form value (an API rule's match or response) into what
// encoding/json writes back: map[string]any, []any, string, int64, float64, bool, nil.
func (d *decoder) toAny(n *yaml.Node, path string, depth int) (any, bool) {
	if depth > 0 {
		if n = resolve(n); n == nil || !d.spend(n, path) {
			return nil, false
		}
	}
	if depth > maxAnyDepth {
		d.fail(n, path, "nested more than %d levels deep", maxAnyDepth)
		return nil, false
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := map[string]any{}
		for _, p := range d.pairs(n, path) {
			child := join(path, p.key.Value)
			x, ok := d.toAny(p.val, child, depth+1)
			if !ok {
				return nil, false
			}
			m[p.key.Value] = x
		}
		return m, true
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for i, item := range n.Content {
			x, ok := d.toAny(item, path+"["+strconv.Itoa(i)+"]", depth+1)
			if !ok {
				return nil, false
			}
			l = append(l, x)
		}
		return l, true
	case yaml.ScalarNode:
		if isNull(n) {
			return nil, true
		}
		s, expanded, ok := d.text(n, path, "a value")
		if !ok {
			return nil, false
		}
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			return s, true
		}
		// A plain scalar: let YAML say whether it is a number, a bool or a string,
		// after expansion so that count: ${N} is a number.
		plain := &yaml.Node{Kind: yaml.ScalarNode, Value: s}
		if !expanded {
			plain.Tag = n.Tag
		}
		var x any
		if err := plain.Decode(&x); err != nil {
			return s, true
		}
		switch x := x.(type) {
		case int:
			return int64(x), true
		case uint64:
			return float64(x), true
		case float64:
			if math.IsNaN(x) || math.IsInf(x, 0) {
				d.fail(n, path, "%s has no JSON form; quote it to send a string", strconv.Quote(s))
				return nil, false
			}
			return x, true
		case bool, string, nil:
			return x, true
		case time.Time:
			return s, true
		}
		return s, true
	}
	d.fail(n, path, "want a value, got %s", describe(n))
	return nil, false
}
