package scenarios

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

// BenchmarkParse compares the loader (positions, expansion, validation, defaults)
// with a bare yaml.v3 decode of the same bundled file into the same types.
func BenchmarkParse(b *testing.B) {
	src, err := BundledSource("api-5xx-storm")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("loader", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			if _, err := ParseWith("bench.yaml", src, Options{Env: receiverEnv}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.Unmarshal baseline", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			var s Scenario
			if err := yaml.Unmarshal(src, &s); err != nil {
				b.Fatal(err)
			}
		}
	})
	broken := append(append([]byte(nil), src...), "\nexpect: {delivered: [unclosed\n"...)
	b.Run("loader syntax error", func(b *testing.B) {
		b.SetBytes(int64(len(broken)))
		for b.Loop() {
			if _, err := ParseWith("bench.yaml", broken, Options{Env: receiverEnv}); err == nil {
				b.Fatal("accepted")
			}
		}
	})
	b.Run("yaml.Unmarshal syntax error baseline", func(b *testing.B) {
		b.SetBytes(int64(len(broken)))
		for b.Loop() {
			var s Scenario
			if err := yaml.Unmarshal(broken, &s); err == nil {
				b.Fatal("accepted")
			}
		}
	})
}
