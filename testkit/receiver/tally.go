package receiver

import (
	"context"
	"maps"
	"sync"
)

// tally is what both receivers keep the same way: stats of type S and how often each
// uuid arrived, behind one mutex (which the receiver uses for the rest of its state
// too), and a channel closed on every change so that Wait can block. Count and Counts
// are promoted as they are; the receivers wrap stats and wait, whose S the docs would
// show unsubstituted.
type tally[S any] struct {
	mu      sync.Mutex
	stats   S
	seen    map[string]int
	changed chan struct{}
}

// init readies t before use.
func (t *tally[S]) init() {
	t.seen = map[string]int{}
	t.changed = make(chan struct{})
}

// forget zeroes the stats and counts and wakes Wait; t.mu must be held.
func (t *tally[S]) forget() {
	var zero S
	t.stats, t.seen = zero, map[string]int{}
	t.signal()
}

// see counts one arrival of uuid and reports whether it was the first; t.mu must be
// held.
func (t *tally[S]) see(uuid string) (first bool) {
	t.seen[uuid]++
	return t.seen[uuid] == 1
}

// signal wakes Wait; t.mu must be held.
func (t *tally[S]) signal() {
	close(t.changed)
	t.changed = make(chan struct{})
}

// snapshot is the stats so far.
func (t *tally[S]) snapshot() S {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats
}

// Count is how many times an event with this uuid was received.
func (t *tally[S]) Count(uuid string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.seen[uuid]
}

// Counts is how many times each uuid was received.
func (t *tally[S]) Counts() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.seen)
}

// wait blocks until cond holds for the stats or ctx ends.
func (t *tally[S]) wait(ctx context.Context, cond func(S) bool) (S, error) {
	for {
		t.mu.Lock()
		s, ch := t.stats, t.changed
		t.mu.Unlock()
		if cond(s) {
			return s, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return s, ctx.Err()
		}
	}
}
