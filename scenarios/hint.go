package scenarios

import (
	"strconv"
	"strings"
)

// suggest returns the candidate closest to s, or "" when none is close enough to be
// what the author meant. Case differences are free: "ios" suggests "iOS".
func suggest(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		d := editDistance(ls, strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > tolerance(len([]rune(s))) {
		return ""
	}
	return best
}

// tolerance is how many edits still look like a typo of a word of n letters.
func tolerance(n int) int {
	switch {
	case n <= 3:
		return 1
	case n <= 8:
		return 2
	default:
		return 3
	}
}

// editDistance is the optimal-string-alignment distance: insertions, deletions,
// substitutions and swaps of neighbours each cost one.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 { // no typo makes a key that long; keep it cheap
		if a == b {
			return 0
		}
		return max(len(ra), len(rb))
	}
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}

// notOneOf words "x is not a <what>; did you mean y?" or lists the choices when no
// candidate is close.
func notOneOf(value, what string, choices []string) string {
	if hint := suggest(value, choices); hint != "" {
		return strconv.Quote(value) + " is not " + what + "; did you mean " + strconv.Quote(hint) + "?"
	}
	if len(choices) > 20 {
		return strconv.Quote(value) + " is not " + what + " (`pwemu schema` lists them)"
	}
	return strconv.Quote(value) + " is not " + what + " (one of: " + strings.Join(choices, ", ") + ")"
}

// closest is the candidate nearest to s, however far: for names that must be one of a
// known list, where some hint is better than none.
func closest(s string, candidates []string) string {
	best, bestD := "", -1
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if d := editDistance(ls, strings.ToLower(c)); bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	return best
}
