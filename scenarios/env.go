package scenarios

import (
	"fmt"
	"strings"
)

// Env looks a variable up, like os.LookupEnv.
type Env func(name string) (value string, ok bool)

// expandEnv replaces ${NAME} and ${NAME:-default} in a scalar value:
//
//	${NAME}            the variable; an error when it is not set
//	${NAME:-default}   the variable, or default when it is unset or empty
//	${NAME-default}    the variable, or default when it is unset
//	${NAME:?message}   the variable; an error saying message when it is unset or empty
//	$$                 a literal $
//
// A default may itself hold ${…}. A $ not followed by { or $ stays as it is, so
// tokens and passwords with a $ need no escaping. changed reports whether s held
// anything to expand.
func expandEnv(s string, env Env) (out string, changed bool, err error) {
	if !strings.Contains(s, "$") {
		return s, false, nil
	}
	out, err = expandDepth(s, env, 0)
	return out, out != s || strings.Contains(s, "${") || strings.Contains(s, "$$"), err
}

const maxEnvNesting = 8

func expandDepth(s string, env Env, depth int) (string, error) {
	if depth > maxEnvNesting {
		return "", fmt.Errorf("${…} defaults nest more than %d deep", maxEnvNesting)
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' || i+1 >= len(s) || (s[i+1] != '{' && s[i+1] != '$') {
			b.WriteByte(c)
			i++
			continue
		}
		if s[i+1] == '$' {
			b.WriteByte('$')
			i += 2
			continue
		}
		end := closingBrace(s, i+2)
		if end < 0 {
			return "", fmt.Errorf("%q opens ${ without a closing }", s)
		}
		v, err := expandRef(s[i+2:end], env, depth)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
		i = end + 1
	}
	return b.String(), nil
}

// closingBrace finds the } that closes a ${ whose body starts at from, skipping
// nested ${…}.
func closingBrace(s string, from int) int {
	depth := 0
	for i := from; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// expandRef expands the body of one ${…}.
func expandRef(body string, env Env, depth int) (string, error) {
	n := 0
	for n < len(body) && isVarByte(body[n], n == 0) {
		n++
	}
	name, op := body[:n], body[n:]
	if name == "" {
		return "", fmt.Errorf("${%s} does not start with a variable name (letters, digits and _)", body)
	}
	val, set := env(name)
	switch {
	case op == "":
		if !set {
			return "", unsetError(name)
		}
		return val, nil
	case strings.HasPrefix(op, ":-"):
		if set && val != "" {
			return val, nil
		}
		return expandDepth(op[2:], env, depth+1)
	case strings.HasPrefix(op, "-"):
		if set {
			return val, nil
		}
		return expandDepth(op[1:], env, depth+1)
	case strings.HasPrefix(op, ":?"):
		if set && val != "" {
			return val, nil
		}
		msg, err := expandDepth(op[2:], env, depth+1)
		if err != nil {
			return "", err
		}
		if msg == "" {
			return "", unsetError(name)
		}
		return "", fmt.Errorf("${%s} is not set: %s", name, msg)
	}
	return "", fmt.Errorf("${%s}: %q is not a variable name; write ${NAME} or ${NAME:-default}", body, body)
}

func unsetError(name string) error {
	how := "set the environment variable"
	if name == "RECEIVER_URL" {
		how = "set the environment variable or pass pwemu run --receiver URL"
	}
	return fmt.Errorf("${%s} is not set: %s, or give a default: ${%s:-value}", name, how, name)
}

func isVarByte(c byte, first bool) bool {
	return c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || !first && c >= '0' && c <= '9'
}
