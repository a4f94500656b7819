package traffic

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

// Limits that keep one spec from exhausting memory; scenarios.MaxMessages bounds its
// distinct messages.
const (
	MaxEntryEvents    = scenarios.MaxGenerated // events of one timeline entry
	MaxGenerateEvents = 1_000_000              // events of one Generate call, returned at once
)

// Validate reports what is wrong with a generate spec, naming the field and the fix.
func Validate(g scenarios.Generate) error {
	switch {
	case g.Count < 0:
		return fmt.Errorf("count is %d: it must not be negative", g.Count)
	case g.Count > 0 && !g.Rate.IsZero():
		return errors.New("give count (events at once) or rate (events over time), not both")
	case g.Count > 0 && g.For > 0:
		return errors.New("for goes with rate: drop it, or write rate instead of count")
	case g.Count == 0 && g.Rate.IsZero():
		return errors.New("say how many events: count: N (at once) or rate: 50/s with for: 5m")
	case !g.Rate.IsZero() && (g.Rate.N <= 0 || g.Rate.Per <= 0):
		return fmt.Errorf("rate %s: want a number of events above 0 per unit, such as 50/s", g.Rate)
	case !g.Rate.IsZero() && g.For <= 0:
		return fmt.Errorf("rate %s needs for: how long to generate, such as for: 5m", g.Rate)
	case g.Messages < 0 || g.Messages > scenarios.MaxMessages:
		return fmt.Errorf("messages is %d: want 1 to %d distinct messages (0 means %d)",
			g.Messages, scenarios.MaxMessages, scenarios.DefaultTrafficMessages)
	case math.IsNaN(g.LiveActivity) || g.LiveActivity < 0 || g.LiveActivity > 1:
		return fmt.Errorf("live_activity is %v: it is a share of the events, from 0 to 1", g.LiveActivity)
	}
	if !g.Rate.IsZero() {
		if n := planned(g); n > MaxEntryEvents {
			return fmt.Errorf("rate %s for %s makes %.0f events: at most %d per entry", g.Rate, g.For, n, MaxEntryEvents)
		}
	} else if g.Count > MaxEntryEvents {
		return fmt.Errorf("count is %d: at most %d per entry", g.Count, MaxEntryEvents)
	}
	for i, name := range g.Events {
		if strings.TrimSpace(name) == "" {
			return fmt.Errorf("events[%d] is empty: write an event name such as Push Sent", i)
		}
	}
	for i, p := range g.Platforms {
		if !slices.Contains(catalog.Platforms, p) {
			return fmt.Errorf("platforms[%d]: %q is not a platform%s; platforms are %s",
				i, p, suggest(p), strings.Join(catalog.Platforms, ", "))
		}
	}
	return nil
}

func suggest(p string) string {
	for _, known := range catalog.Platforms {
		if strings.EqualFold(strings.ReplaceAll(p, " ", ""), strings.ReplaceAll(known, " ", "")) {
			return fmt.Sprintf(" (did you mean %q?)", known)
		}
	}
	return ""
}

// Count is how many events a valid spec makes: count, or rate × for rounded to the
// nearest whole event (which may be none: 1/h for 1m).
func Count(g scenarios.Generate) int64 {
	if g.Rate.IsZero() {
		return int64(g.Count)
	}
	return int64(planned(g))
}

func planned(g scenarios.Generate) float64 {
	return math.Round(g.Rate.N * float64(g.For.D()) / float64(g.Rate.Per))
}
