package traffic_test

import (
	"slices"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/traffic"
	"github.com/pwemu/pwemu/scenarios"
)

// A spec without events or platforms is drawn from what the integrations take, each
// event name on the platforms of the integrations that take it: nothing generated is
// left for no integration.
func TestASpecWithoutEventsOrPlatformsTakesThoseOfTheIntegrations(t *testing.T) {
	sc := &scenarios.Scenario{
		Streams: []scenarios.Stream{
			{Events: []string{"Push Delivered"}, Platforms: []string{"Huawei", "Chrome"}},
			{Events: []string{"Push Opened", "Push Delivered"}, Platforms: []string{"Safari"}},
		},
		Webhooks: []scenarios.Webhook{{Events: []string{"Email Opened"}}},
	}
	check := func(g scenarios.Generate) scenarios.GeneratePlan {
		t.Helper()
		p, err := sc.CheckGenerate(g)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	taken := []string{"Push Delivered", "Push Opened", "Email Opened"}
	if p := check(scenarios.Generate{Count: 1}); !slices.Equal(p.Events, taken) {
		t.Fatalf("planned events %v, want %v", p.Events, taken)
	}
	takes := map[string][]string{
		"Push Delivered": {"Huawei", "Chrome", "Safari"},
		"Push Opened":    {"Safari"},
		"Email Opened":   {"Email"},
	}
	g := traffic.NewGenerator(clock.NewManual(clock.Epoch), 5, func([]catalog.Event) {}, nil)
	evs := g.Generate(check(scenarios.Generate{Count: 600, Messages: 10}))
	seen := map[string]map[string]bool{}
	for _, e := range evs {
		if !slices.Contains(takes[e.EventName], e.Platform) {
			t.Fatalf("generated %s on %s: no integration takes it", e.EventName, e.Platform)
		}
		if seen[e.EventName] == nil {
			seen[e.EventName] = map[string]bool{}
		}
		seen[e.EventName][e.Platform] = true
	}
	for name, ps := range takes {
		for _, p := range ps {
			if !seen[name][p] {
				t.Errorf("600 events and none %s on %s, which an integration takes", name, p)
			}
		}
	}

	// Platforms given: each taken event name on them; events given: on the platforms
	// of the integrations taking them.
	for _, e := range g.Generate(check(scenarios.Generate{Count: 50, Platforms: []string{"Chrome"}, Messages: 10})) {
		if e.Platform != "Chrome" && e.Platform != "Email" || !slices.Contains(taken, e.EventName) {
			t.Fatalf("platforms [Chrome]: generated %s on %s", e.EventName, e.Platform)
		}
	}
	for _, e := range g.Generate(check(scenarios.Generate{Count: 50, Events: []string{"Push Opened"}, Messages: 10})) {
		if e.EventName != "Push Opened" || e.Platform != "Safari" {
			t.Fatalf("events [Push Opened]: generated %s on %s; want Safari, the platform taking it", e.EventName, e.Platform)
		}
	}

	// Without integrations: the defaults.
	for _, e := range traffic.NewGenerator(clock.NewManual(clock.Epoch), 5, func([]catalog.Event) {}, nil).
		Generate(spec(t, scenarios.Generate{Count: 50, Messages: 10})) {
		if !slices.Contains(scenarios.DefaultTrafficEvents, e.EventName) || !slices.Contains(scenarios.DefaultTrafficPlatforms, e.Platform) {
			t.Fatalf("no integration: generated %s on %s; want the defaults", e.EventName, e.Platform)
		}
	}
}
