package scenarios

import "testing"

func TestExpandEnv(t *testing.T) {
	t.Parallel()
	env := func(name string) (string, bool) {
		v, ok := map[string]string{"HOST": "127.0.0.1", "PORT": "9000", "EMPTY": "", "DOLLAR": "${HOST}"}[name]
		return v, ok
	}
	for _, tc := range []struct {
		in, out string
		changed bool
		err     string
	}{
		{in: "plain", out: "plain"},
		{in: "costs $5", out: "costs $5"},
		{in: "trailing $", out: "trailing $"},
		{in: "$$HOME", out: "$HOME", changed: true},
		{in: "http://${HOST}:${PORT}/x", out: "http://127.0.0.1:9000/x", changed: true},
		{in: "${MISSING:-fallback}", out: "fallback", changed: true},
		{in: "${EMPTY:-fallback}", out: "fallback", changed: true},
		{in: "${EMPTY-fallback}", out: "", changed: true},
		{in: "${MISSING-fallback}", out: "fallback", changed: true},
		{in: "${MISSING:-${HOST}:${PORT}}", out: "127.0.0.1:9000", changed: true},
		{in: "${MISSING:-}", out: "", changed: true},
		{in: "${DOLLAR}", out: "${HOST}", changed: true}, // values are not expanded again
		{in: "${HOST:?needed}", out: "127.0.0.1", changed: true},
		{in: "${MISSING}", err: "${MISSING} is not set: set the environment variable, or give a default: ${MISSING:-value}"},
		{in: "${RECEIVER_URL}", err: "${RECEIVER_URL} is not set: set the environment variable or pass pwemu run --receiver URL, or give a default: ${RECEIVER_URL:-value}"},
		{in: "${MISSING:?set it to the receiver}", err: "${MISSING} is not set: set it to the receiver"},
		{in: "${EMPTY:?}", err: "${EMPTY} is not set: set the environment variable, or give a default: ${EMPTY:-value}"},
		{in: "${HOST", err: `"${HOST" opens ${ without a closing }`},
		{in: "${}", err: "${} does not start with a variable name (letters, digits and _)"},
		{in: "${1X}", err: "${1X} does not start with a variable name (letters, digits and _)"},
		{in: "${A B}", err: `${A B}: "A B" is not a variable name; write ${NAME} or ${NAME:-default}`},
		{in: "${A:-${B:-${C:-${D:-${E:-${F:-${G:-${H:-${I:-${J:-x}}}}}}}}}}", err: "${…} defaults nest more than 8 deep"},
	} {
		out, changed, err := expandEnv(tc.in, env)
		if tc.err != "" {
			if err == nil || err.Error() != tc.err {
				t.Errorf("%q: err = %v, want %s", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || out != tc.out || changed != tc.changed {
			t.Errorf("%q: got %q changed=%v err=%v, want %q changed=%v", tc.in, out, changed, err, tc.out, tc.changed)
		}
	}
}
