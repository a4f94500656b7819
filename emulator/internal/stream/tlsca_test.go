package stream

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/scenarios"
)

// A scenario can arrive over the network: the tls.ca error must not tell a missing
// path from an existing file that holds no certificate.
func TestTLSCAErrorRevealsNoFileExistence(t *testing.T) {
	dir := t.TempDir()
	present := filepath.Join(dir, "a")
	if err := os.WriteFile(present, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "b")
	_, errPresent := clientTLS(scenarios.TLSPlan{CA: present})
	_, errMissing := clientTLS(scenarios.TLSPlan{CA: missing})
	if errPresent == nil || errMissing == nil {
		t.Fatalf("errors %v, %v; want both", errPresent, errMissing)
	}
	if a, b := strings.Replace(errPresent.Error(), present, "", 1), strings.Replace(errMissing.Error(), missing, "", 1); a != b {
		t.Fatalf("an existing file and a missing one get different errors: %q vs %q", a, b)
	}
}
