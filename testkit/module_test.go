package testkit_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// goLine is a go.mod's go directive.
var goLine = regexp.MustCompile(`(?m)^go (\S+)$`)

func readRoot(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Importing testkit must not bring Docker's client: testkit/container, which needs it,
// is a module of its own.
func TestRootModuleHasNoDockerDependency(t *testing.T) {
	for _, name := range []string{"go.mod", "go.sum"} {
		for line := range strings.Lines(readRoot(t, name)) {
			if strings.Contains(line, "testcontainers") || strings.Contains(line, "github.com/moby/") {
				t.Errorf("%s: %s", name, strings.TrimSpace(line))
			}
		}
	}
}

// A user's module that declares the same Go as pwemu keeps its go line through
// `go mod tidy`: pwemu asks for no patch release, nor do its dependencies.
func TestUserModuleKeepsItsGoLineAfterTidy(t *testing.T) {
	m := goLine.FindStringSubmatch(readRoot(t, "go.mod"))
	if m == nil || !regexp.MustCompile(`^1\.\d+$`).MatchString(m[1]) {
		t.Fatalf("pwemu's go.mod: go line %q; want go 1.N, no patch release", m)
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	goMod := "module example.com/user\n\ngo " + m[1] + "\n\nrequire github.com/pwemu/pwemu v0.0.0\n\nreplace github.com/pwemu/pwemu => " + root + "\n"
	files := map[string]string{
		"go.mod":  goMod,
		"go.sum":  readRoot(t, "go.sum"), // checksums known: no checksum database needed
		"user.go": "package user\n\nimport _ \"github.com/pwemu/pwemu/testkit\"\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tidy := exec.Command("go", "mod", "tidy")
	tidy.Dir = dir
	tidy.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOTOOLCHAIN=local")
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}
	data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if got := goLine.FindStringSubmatch(string(data)); got == nil || got[1] != m[1] {
		t.Fatalf("after go mod tidy the user's go.mod reads:\n%s\nwant its line go %s kept", data, m[1])
	}
}
