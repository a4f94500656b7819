package traffic

import (
	"math"

	"github.com/pwemu/pwemu/scenarios"
)

// Count is how many events a spec (checked by scenarios) makes: count, or rate × for rounded to the
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
