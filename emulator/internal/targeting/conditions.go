package targeting

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// maxConditions bounds the tag conditions of one message or filter, as the parser
// bounds devices filters.
const maxConditions = maxFilterTerms

// Conditions reads tag conditions, [[tag, operator, operand], …], joined by
// operator ("AND", the default, or "OR"), into an Expr; nil when there are none.
// known, when set, says whether the account defines a tag: a condition on an
// unknown tag is an error rather than a segment that silently matches nobody.
func Conditions(raw json.RawMessage, operator string, known func(tag string) bool) (*Expr, error) {
	if len(bytes.TrimSpace(raw)) == 0 || string(bytes.TrimSpace(raw)) == "null" {
		return nil, nil
	}
	join := byte('*')
	switch strings.ToUpper(strings.TrimSpace(operator)) {
	case "", "AND":
	case "OR":
		join = '+'
	default:
		return nil, fmt.Errorf("conditions_operator %q: want AND or OR", operator)
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, errors.New("conditions: want a list of [tag, operator, operand]")
	}
	if len(list) > maxConditions {
		return nil, fmt.Errorf("conditions: more than %d", maxConditions)
	}
	var out *Expr
	for i, c := range list {
		n, err := condition(c)
		if err != nil {
			return nil, fmt.Errorf("conditions[%d]: %w", i, err)
		}
		if known != nil && !known(n.tag) {
			return nil, fmt.Errorf("conditions[%d]: unknown tag %q", i, n.tag)
		}
		if out == nil {
			out = n
		} else {
			out = &Expr{kind: join, l: out, r: n}
		}
	}
	return out, nil
}

// condition reads one [tag, operator, operand].
func condition(raw json.RawMessage) (*Expr, error) {
	var parts []json.RawMessage
	if err := json.Unmarshal(raw, &parts); err != nil || len(parts) < 2 || len(parts) > 4 {
		return nil, errors.New("want [tag, operator, operand]")
	}
	var app string
	if len(parts) == 4 { // [application, tag, operator, operand]: an application-specific tag
		if json.Unmarshal(parts[0], &app) != nil || app == "" {
			return nil, errors.New("want [application, tag, operator, operand]")
		}
		parts = parts[1:]
	}
	var tag, op string
	if json.Unmarshal(parts[0], &tag) != nil || strings.TrimSpace(tag) == "" {
		return nil, errors.New("the tag name must be a non-empty string")
	}
	if json.Unmarshal(parts[1], &op) != nil {
		return nil, errors.New("the operator must be a string")
	}
	op = strings.ToUpper(strings.TrimSpace(op))
	n := &Expr{kind: 'T', code: app, tag: tag, op: op}
	var operand json.RawMessage
	if len(parts) == 3 {
		operand = bytes.TrimSpace(parts[2])
	}
	isList := len(operand) > 0 && operand[0] == '['
	switch op {
	case "NOTSET", "ANY":
		return n, nil
	case "IN", "NOTIN", "BETWEEN":
		if !isList {
			return nil, fmt.Errorf("%s takes a list operand", op)
		}
	case "EQ", "NOTEQ", "GTE", "LTE":
		if isList || len(operand) == 0 {
			return nil, fmt.Errorf("%s takes one value", op)
		}
	default:
		return nil, fmt.Errorf("unknown operator %q (want EQ, IN, NOTEQ, NOTIN, LTE, GTE, BETWEEN, NOTSET or ANY)", op)
	}
	var values []json.RawMessage
	if isList {
		if err := json.Unmarshal(operand, &values); err != nil {
			return nil, fmt.Errorf("%s: the operand is not a list of values", op)
		}
	} else {
		values = []json.RawMessage{operand}
	}
	for _, v := range values {
		text, num, err := scalar(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		n.operand, n.numeric = append(n.operand, text), append(n.numeric, num)
	}
	if op == "BETWEEN" && len(n.operand) != 2 {
		return nil, errors.New("BETWEEN takes [min, max]")
	}
	if len(n.operand) == 0 {
		return nil, fmt.Errorf("%s needs at least one value", op)
	}
	return n, nil
}

// scalar reads a string, number or boolean operand value as text.
func scalar(raw json.RawMessage) (string, bool, error) {
	raw = bytes.TrimSpace(raw)
	switch {
	case len(raw) == 0:
	case raw[0] == '"':
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			return s, false, nil
		}
	case string(raw) == "true" || string(raw) == "false":
		return string(raw), false, nil
	default:
		if _, err := strconv.ParseFloat(string(raw), 64); err == nil {
			return string(raw), true, nil
		}
	}
	return "", false, fmt.Errorf("operand %.30s is not a string, number or boolean", raw)
}

// And is the intersection of two expressions; a nil one selects everything.
func And(a, b *Expr) *Expr {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return &Expr{kind: '*', l: a, r: b}
}

// Tags lists the tag names an expression tests, each once.
func Tags(n *Expr) []string {
	var out []string
	var walk func(*Expr)
	walk = func(n *Expr) {
		if n == nil {
			return
		}
		if n.kind == 'T' && !slices.Contains(out, n.tag) {
			out = append(out, n.tag)
		}
		walk(n.l)
		walk(n.r)
	}
	walk(n)
	return out
}
