package scenarios_test

import (
	"slices"
	"testing"

	"github.com/pwemu/pwemu/emulator/events"
	"github.com/pwemu/pwemu/scenarios"
)

// The scenario format cannot import the emulator (data flows the other way), so it
// keeps its own copy of the docs' vocabularies; this keeps the copies equal.
func TestVocabulariesMatchTheEmulators(t *testing.T) {
	t.Parallel()
	if !slices.Equal(scenarios.Platforms, events.Platforms) {
		t.Errorf("platforms: scenarios %v, events %v", scenarios.Platforms, events.Platforms)
	}
	if !slices.Equal(scenarios.EmailStatusEvents, events.EmailStatusEvents) {
		t.Errorf("email events: scenarios %v, events %v", scenarios.EmailStatusEvents, events.EmailStatusEvents)
	}
}
