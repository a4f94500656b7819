package stream_test

import (
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/stream"
)

// The integrations come checked (scenarios.Plan tests what is refused); New needs
// only its clock and ledger.
func TestNewNeedsClockAndLedger(t *testing.T) {
	if _, err := stream.New(stream.Options{Ledger: ledger.New()}); err == nil || !strings.Contains(err.Error(), "Clock") {
		t.Fatalf("no clock: %v", err)
	}
	if _, err := stream.New(stream.Options{Clock: clock.NewManual(clock.Epoch)}); err == nil || !strings.Contains(err.Error(), "Ledger") {
		t.Fatalf("no ledger: %v", err)
	}
}
