package container_test

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// The image stays under 20 MB (as Docker counts: 10^6 bytes).
func TestImageIsUnder20MB(t *testing.T) {
	out, err := exec.Command("docker", "image", "inspect", "--format", "{{.Size}}", image).Output()
	if err != nil {
		t.Fatalf("docker image inspect %s: %v", image, err)
	}
	size, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if size >= 20_000_000 {
		t.Fatalf("%s is %.1f MB; it must stay under 20 MB", image, float64(size)/1e6)
	}
	t.Logf("%s: %.1f MB", image, float64(size)/1e6)
}
