package traffic

import (
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

// Generating events costs a few allocations a chunk, not any per event: the sender's
// per-event cost must not grow back (allocations, not time, so the guard holds on any
// machine).
func TestFillAllocatesPerChunkNotPerEvent(t *testing.T) {
	// Push platforms: their hwids are drawn digits (Email and SMS ones come from the
	// fake-data library, a string each).
	spec := checked(t, scenarios.Generate{Count: ChunkSize, Events: []string{"Push Sent", "Push Opened"},
		Platforms: []string{"iOS", "Android", "Chrome", "Safari"}, LiveActivity: 0.1})
	src := newSource(spec, 1, []string{"32E5A-9B411"})
	evs := make([]catalog.Event, ChunkSize)
	src.fill(evs, 1) // the scratch buffer grows once
	if allocs := testing.AllocsPerRun(20, func() { src.fill(evs, 1) }); allocs > 4 {
		t.Fatalf("%.0f allocations for %d events, want at most 4", allocs, ChunkSize)
	}
}

// The hwids and user ids cut from the shared buffer are the ones the Faker draws one
// by one.
func TestFillDrawsWhatTheFakerDraws(t *testing.T) {
	spec := checked(t, scenarios.Generate{Count: 200, Platforms: []string{"iOS", "Android", "Chrome", "Safari", "Email", "SMS"},
		Events: []string{"Push Sent", "Email Sent", "SMS Sent"}, LiveActivity: 0.2})
	a := newSource(spec, 9, nil)
	b := newSource(spec, 9, nil)
	got := make([]catalog.Event, 200)
	a.fill(got[:50], 1)
	a.fill(got[50:], 2)
	for i, e := range got {
		f := b.f
		m := &b.messages[pick(f, len(b.messages))]
		k := pick(f, len(b.names))
		ps := b.platforms[k]
		p := ps[pick(f, len(ps))]
		if b.live > 0 && f.Float64() < b.live && p != "iOS" {
			for _, q := range ps {
				if q == "iOS" {
					p = "iOS"
				}
			}
		}
		d := f.Device(p, m.ApplicationCode)
		if e.HWID != d.HWID || e.UserID != d.UserID || e.Platform != d.Platform || e.MessageCode != m.Code {
			t.Fatalf("event %d: %s %s %s %s, want %s %s %s %s", i, e.Platform, e.HWID, e.UserID, e.MessageCode,
				d.Platform, d.HWID, d.UserID, m.Code)
		}
	}
}

// checked is g checked and resolved by a scenario without integrations.
func checked(tb testing.TB, g scenarios.Generate) scenarios.GeneratePlan {
	tb.Helper()
	p, err := (&scenarios.Scenario{}).CheckGenerate(g)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}
