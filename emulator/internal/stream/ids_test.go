package stream

import (
	mrand "math/rand"
	"testing"

	"github.com/google/uuid"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// The hub's uuids are the seeded random uuids google/uuid makes from the same source,
// in event order, and events that have one keep it.
func TestUUIDsAreSeededVersion4(t *testing.T) {
	ids := idSource{r: mrand.New(mrand.NewSource(7))}
	want := mrand.New(mrand.NewSource(7))
	evs := make([]catalog.Event, 50)
	evs[3].UUID = "given"
	ids.fill(evs[:10])
	ids.fill(evs[10:])
	for i, e := range evs {
		if i == 3 {
			if e.UUID != "given" {
				t.Fatalf("event 3 lost its uuid: %q", e.UUID)
			}
			continue
		}
		u, _ := uuid.NewRandomFromReader(want)
		if e.UUID != u.String() {
			t.Fatalf("event %d: uuid %q, want %q", i, e.UUID, u.String())
		}
	}
}

func TestUUIDsCostOneAllocationPerPublish(t *testing.T) {
	ids := idSource{r: mrand.New(mrand.NewSource(7))}
	evs := make([]catalog.Event, 100)
	allocs := testing.AllocsPerRun(50, func() {
		for i := range evs {
			evs[i].UUID = ""
		}
		ids.fill(evs)
	})
	if allocs > 2 {
		t.Fatalf("%.0f allocations for 100 uuids, want at most 2", allocs)
	}
}
