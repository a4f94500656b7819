package targeting

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// The devices_filter language of createTargetedMessage and compileFilter:
//
//	A("APPCODE"[, ["IOS", "ANDROID"]])   devices of an application (on some platforms)
//	G("GROUPCODE"[, [platforms]])        devices of an application group
//	T("tag", OP, operand)                devices whose tag matches
//	AT("APPCODE", "tag", OP, operand)    the same with an application-specific tag
//	X + Y   union     X * Y   intersection     X \ Y   difference     ( … )
//
// with OP one of EQ, NOTEQ, IN, NOTIN, GTE, LTE, BETWEEN, NOTSET, ANY.

// Expr is a parsed devices filter.
type Expr struct {
	kind     byte // 'A' application, 'G' group, 'T' tag, or an operator '+', '*', '\\'
	code     string
	platform []int // A, G: nil for all
	tag      string
	op       string
	operand  []string // T: the operand values as text
	numeric  []bool   // whether each operand was a number
	l, r     *Expr
}

// Target is an application a filter names, with the platforms it keeps.
type Target struct {
	Application string
	Group       string
	Platforms   []int
}

// Targets lists the applications and groups a filter names (A, G and AT
// terms, in order).
func Targets(n *Expr) []Target {
	if n == nil {
		return nil
	}
	var out []Target
	var walk func(*Expr)
	walk = func(n *Expr) {
		switch n.kind {
		case 'A':
			out = append(out, Target{Application: n.code, Platforms: n.platform})
		case 'G':
			out = append(out, Target{Group: n.code, Platforms: n.platform})
		case 'T':
			if n.code != "" {
				out = append(out, Target{Application: n.code})
			}
		case '+', '*', '\\':
			walk(n.l)
			walk(n.r)
		}
	}
	walk(n)
	return out
}

// Parse reads a devices filter; an empty one is nil.
func Parse(src string) (*Expr, error) {
	p := &filterParser{src: src}
	p.next()
	if p.tok.kind == tokEOF {
		return nil, nil
	}
	n, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.tok.kind != tokEOF {
		return nil, fmt.Errorf("unexpected %q at %d", p.tok.text, p.tok.pos)
	}
	return n, nil
}

type tokKind uint8

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokNumber
	tokPunct
)

type token struct {
	kind tokKind
	text string
	pos  int
}

// Filter size limits: the parser recurses once per parenthesis and evaluation
// costs terms × devices, so a hostile filter must not blow the stack or the CPU.
const (
	maxFilterDepth = 100
	maxFilterTerms = 1000
)

type filterParser struct {
	src   string
	at    int
	tok   token
	err   error
	depth int // open parentheses
	terms int // A, G, T and AT terms so far
}

func (p *filterParser) next() {
	for p.at < len(p.src) && (p.src[p.at] == ' ' || p.src[p.at] == '\t' || p.src[p.at] == '\n' || p.src[p.at] == '\r') {
		p.at++
	}
	start := p.at
	if p.at >= len(p.src) {
		p.tok = token{kind: tokEOF, pos: start}
		return
	}
	c := p.src[p.at]
	switch {
	case c == '"':
		var b strings.Builder
		p.at++
		for p.at < len(p.src) && p.src[p.at] != '"' {
			if p.src[p.at] == '\\' && p.at+1 < len(p.src) {
				p.at++
			}
			b.WriteByte(p.src[p.at])
			p.at++
		}
		if p.at >= len(p.src) {
			p.err = fmt.Errorf("unterminated string at %d", start)
			p.tok = token{kind: tokEOF, pos: start}
			return
		}
		p.at++
		p.tok = token{kind: tokString, text: b.String(), pos: start}
	case c == '-' || c == '.' || (c >= '0' && c <= '9'):
		p.at++
		for p.at < len(p.src) && (p.src[p.at] == '.' || (p.src[p.at] >= '0' && p.src[p.at] <= '9')) {
			p.at++
		}
		p.tok = token{kind: tokNumber, text: p.src[start:p.at], pos: start}
	case c == '_' || (c|0x20 >= 'a' && c|0x20 <= 'z'):
		for p.at < len(p.src) && (p.src[p.at] == '_' || (p.src[p.at]|0x20 >= 'a' && p.src[p.at]|0x20 <= 'z') || (p.src[p.at] >= '0' && p.src[p.at] <= '9')) {
			p.at++
		}
		p.tok = token{kind: tokIdent, text: p.src[start:p.at], pos: start}
	default:
		p.at++
		p.tok = token{kind: tokPunct, text: p.src[start:p.at], pos: start}
	}
}

func (p *filterParser) expect(text string) error {
	if p.err != nil {
		return p.err
	}
	if p.tok.kind != tokPunct || p.tok.text != text {
		return fmt.Errorf("want %q at %d", text, p.tok.pos)
	}
	p.next()
	return nil
}

// expr := term (('+' | '\') term)*
func (p *filterParser) expr() (*Expr, error) {
	l, err := p.term()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokPunct && (p.tok.text == "+" || p.tok.text == `\`) {
		op := p.tok.text[0]
		p.next()
		r, err := p.term()
		if err != nil {
			return nil, err
		}
		l = &Expr{kind: op, l: l, r: r}
	}
	return l, nil
}

// term := factor ('*' factor)*
func (p *filterParser) term() (*Expr, error) {
	l, err := p.factor()
	if err != nil {
		return nil, err
	}
	for p.tok.kind == tokPunct && p.tok.text == "*" {
		p.next()
		r, err := p.factor()
		if err != nil {
			return nil, err
		}
		l = &Expr{kind: '*', l: l, r: r}
	}
	return l, nil
}

func (p *filterParser) factor() (*Expr, error) {
	if p.err != nil {
		return nil, p.err
	}
	if p.tok.kind == tokPunct && p.tok.text == "(" {
		if p.depth++; p.depth > maxFilterDepth {
			return nil, fmt.Errorf("parentheses nested deeper than %d at %d", maxFilterDepth, p.tok.pos)
		}
		p.next()
		n, err := p.expr()
		if err != nil {
			return nil, err
		}
		p.depth--
		return n, p.expect(")")
	}
	if p.tok.kind != tokIdent {
		return nil, fmt.Errorf("want A(…), G(…), T(…) or AT(…) at %d", p.tok.pos)
	}
	if p.terms++; p.terms > maxFilterTerms {
		return nil, fmt.Errorf("more than %d terms at %d", maxFilterTerms, p.tok.pos)
	}
	name := strings.ToUpper(p.tok.text)
	p.next()
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var n *Expr
	var err error
	switch name {
	case "A", "G":
		n, err = p.appTerm(name[0])
	case "T":
		n, err = p.tagTerm("")
	case "AT":
		var code string
		if code, err = p.str(); err == nil {
			if err = p.expect(","); err == nil {
				n, err = p.tagTerm(code)
			}
		}
	default:
		return nil, fmt.Errorf("unknown filter %s(…)", name)
	}
	if err != nil {
		return nil, err
	}
	return n, p.expect(")")
}

func (p *filterParser) str() (string, error) {
	if p.err != nil {
		return "", p.err
	}
	if p.tok.kind != tokString {
		return "", fmt.Errorf("want a quoted string at %d", p.tok.pos)
	}
	s := p.tok.text
	p.next()
	return s, nil
}

func (p *filterParser) appTerm(kind byte) (*Expr, error) {
	code, err := p.str()
	if err != nil {
		return nil, err
	}
	n := &Expr{kind: kind, code: code}
	if p.tok.kind == tokPunct && p.tok.text == "," {
		p.next()
		names, _, err := p.list()
		if err != nil {
			return nil, err
		}
		n.platform = []int{}
		for _, name := range names {
			t, ok := catalog.DeviceTypeNamed(name)
			if !ok {
				return nil, fmt.Errorf("unknown platform %q", name)
			}
			n.platform = append(n.platform, t)
		}
	}
	return n, nil
}

func (p *filterParser) tagTerm(app string) (*Expr, error) {
	tag, err := p.str()
	if err != nil {
		return nil, err
	}
	if err := p.expect(","); err != nil {
		return nil, err
	}
	if p.tok.kind != tokIdent {
		return nil, fmt.Errorf("want an operator (EQ, IN, …) at %d", p.tok.pos)
	}
	op := strings.ToUpper(p.tok.text)
	if !slices.Contains([]string{"EQ", "NOTEQ", "IN", "NOTIN", "GTE", "LTE", "BETWEEN", "NOTSET", "ANY"}, op) {
		return nil, fmt.Errorf("unknown operator %s", op)
	}
	p.next()
	n := &Expr{kind: 'T', code: app, tag: tag, op: op}
	if p.tok.kind == tokPunct && p.tok.text == "," {
		p.next()
		if p.tok.kind == tokPunct && p.tok.text == "[" {
			n.operand, n.numeric, err = p.list()
		} else {
			var v string
			var num bool
			v, num, err = p.scalar()
			n.operand, n.numeric = []string{v}, []bool{num}
		}
		if err != nil {
			return nil, err
		}
	}
	if op == "BETWEEN" && len(n.operand) != 2 {
		return nil, errors.New("BETWEEN takes [low, high]")
	}
	if op != "NOTSET" && op != "ANY" && len(n.operand) == 0 {
		return nil, fmt.Errorf("%s needs an operand", op)
	}
	return n, nil
}

func (p *filterParser) scalar() (string, bool, error) {
	switch p.tok.kind {
	case tokString:
		s := p.tok.text
		p.next()
		return s, false, nil
	case tokNumber:
		s := p.tok.text
		p.next()
		return s, true, nil
	case tokIdent: // true, false
		s := p.tok.text
		p.next()
		return s, false, nil
	}
	return "", false, fmt.Errorf("want a value at %d", p.tok.pos)
}

func (p *filterParser) list() ([]string, []bool, error) {
	if err := p.expect("["); err != nil {
		return nil, nil, err
	}
	var vals []string
	var nums []bool
	for p.err == nil && !(p.tok.kind == tokPunct && p.tok.text == "]") {
		v, num, err := p.scalar()
		if err != nil {
			return nil, nil, err
		}
		vals, nums = append(vals, v), append(nums, num)
		if p.tok.kind == tokPunct && p.tok.text == "," {
			p.next()
		}
	}
	return vals, nums, p.expect("]")
}

// deviceKey names a device across applications.
type deviceKey struct{ app, hwid string }

// eval lists the devices of universe a filter selects; groups resolves G terms.
func eval(n *Expr, universe []state.Device, groups func(string) []string) map[deviceKey]bool {
	out := map[deviceKey]bool{}
	switch n.kind {
	case '+', '*', '\\':
		l, r := eval(n.l, universe, groups), eval(n.r, universe, groups)
		for k := range l {
			if n.kind == '+' || (n.kind == '*') == r[k] {
				out[k] = true
			}
		}
		if n.kind == '+' {
			for k := range r {
				out[k] = true
			}
		}
		return out
	}
	var apps []string
	switch n.kind {
	case 'A':
		apps = []string{n.code}
	case 'G':
		apps = groups(n.code)
	case 'T':
		if n.code != "" {
			apps = []string{n.code}
		}
	}
	for i := range universe {
		d := &universe[i]
		if apps != nil && !slices.Contains(apps, d.Application) {
			continue
		}
		if n.platform != nil && !slices.Contains(n.platform, d.Type) {
			continue
		}
		if n.kind == 'T' && !tagMatches(tagValue(d, n.tag), n) {
			continue
		}
		out[deviceKey{d.Application, d.HWID}] = true
	}
	return out
}

// tagValue is a device's value of a tag: its own tags first, then the built-in
// tags Pushwoosh derives from the device record.
func tagValue(d *state.Device, tag string) any {
	if v, ok := d.Tags[tag]; ok {
		return v
	}
	var v string
	switch tag {
	case "Language":
		v = d.Language
	case "User ID":
		v = d.UserID
	}
	if v == "" {
		return nil
	}
	return v
}

// tagMatches applies a T term to a device's tag value.
func tagMatches(v any, n *Expr) bool {
	vals := tagValues(v)
	switch n.op {
	case "ALL": // a saved filter without conditions
		return true
	case "NOTSET":
		return v == nil
	case "ANY":
		return v != nil
	case "EQ", "IN":
		return anyEqual(vals, n.operand)
	case "NOTEQ", "NOTIN":
		return v != nil && !anyEqual(vals, n.operand)
	case "GTE", "LTE", "BETWEEN":
		if len(vals) != 1 {
			return false
		}
		lo, hi := "", ""
		switch n.op {
		case "GTE":
			lo = n.operand[0]
		case "LTE":
			hi = n.operand[0]
		default:
			lo, hi = n.operand[0], n.operand[1]
		}
		return (lo == "" || compareValues(vals[0], lo) >= 0) && (hi == "" || compareValues(vals[0], hi) <= 0)
	}
	return false
}

func tagValues(v any) []string {
	switch v := v.(type) {
	case nil:
		return nil
	case []string:
		return v
	case string:
		return []string{v}
	case int64:
		return []string{strconv.FormatInt(v, 10)}
	case float64:
		return []string{strconv.FormatFloat(v, 'f', -1, 64)}
	case bool:
		if v {
			return []string{"1", "true"}
		}
		return []string{"0", "false"}
	}
	return []string{fmt.Sprint(v)}
}

func anyEqual(vals, operand []string) bool {
	for _, v := range vals {
		for _, o := range operand {
			if compareValues(v, o) == 0 {
				return true
			}
		}
	}
	return false
}

// compareValues compares numerically when both are numbers, else as text ignoring
// case.
func compareValues(a, b string) int {
	x, errA := strconv.ParseFloat(a, 64)
	y, errB := strconv.ParseFloat(b, 64)
	if errA == nil && errB == nil {
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}
