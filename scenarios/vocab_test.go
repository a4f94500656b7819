package scenarios_test

import (
	"slices"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

// The scenario format cannot import the emulator (data flows the other way), so it
// keeps its own copy of the docs' vocabularies; this keeps the copies equal.
func TestVocabulariesMatchTheEmulators(t *testing.T) {
	t.Parallel()
	if !slices.Equal(scenarios.Platforms, catalog.Platforms) {
		t.Errorf("platforms: scenarios %v, events %v", scenarios.Platforms, catalog.Platforms)
	}
	if !slices.Equal(scenarios.EmailStatusEvents, catalog.EmailStatusEvents) {
		t.Errorf("email events: scenarios %v, events %v", scenarios.EmailStatusEvents, catalog.EmailStatusEvents)
	}
}
