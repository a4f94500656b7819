package scenarios

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzParse feeds the loader arbitrary files: it must never panic, must reject with
// a well-formed *Errors, and what it accepts must still validate once defaulted.
func FuzzParse(f *testing.F) {
	for _, name := range BundledNames() {
		src, err := BundledSource(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src)
	}
	for _, tc := range brokenScenarios {
		f.Add([]byte(strings.TrimPrefix(tc.yaml, "\n")))
	}
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("streams:\n  - <<: [{endpoint: 'http://a:1'}, {events: [x]}]\n    platforms: [iOS]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failure too; a panic is the only way to stop the worker.
		watchdog := time.AfterFunc(10*time.Second, func() { panic(fmt.Sprintf("slow input %q", data)) })
		defer watchdog.Stop()
		s, err := ParseWith("fuzz.yaml", data, Options{Env: receiverEnv})
		if err == nil {
			if s == nil {
				t.Fatal("nil scenario without an error")
			}
			if verr := s.Validate(); verr != nil {
				t.Fatalf("accepted, but the defaulted scenario does not validate:\n%v", verr)
			}
			return
		}
		if s != nil {
			t.Fatal("a scenario and an error")
		}
		var errs *Errors
		if !errors.As(err, &errs) || len(errs.List) == 0 {
			t.Fatalf("error %T %v is not a non-empty *Errors", err, err)
		}
		prev := 0
		for _, e := range errs.List {
			if e.File != "fuzz.yaml" || e.Msg == "" || e.Line < 0 || e.Col < 0 || e.Line < prev {
				t.Fatalf("malformed or unsorted error %#v in\n%v", e, err)
			}
			prev = e.Line
		}
	})
}
