package clock

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// DefaultPatience is how long a manual Advance waits, in wall time, for running work
// that makes no progress before it treats that work as waiting on emulator time. It is
// generous because a receiver that answers slowly (a cold JVM, a loaded CI machine)
// must not be taken for one that hangs; tests of hanging receivers set it lower.
const DefaultPatience = 2 * time.Second

// Manual is a clock that moves only when Advance is called. It tracks the work its
// timers start (and any work started with Go) so that Advance can return once
// everything due in the advanced span has finished.
type Manual struct {
	advancing sync.Mutex // one Advance at a time

	mu       sync.Mutex
	now      time.Time
	timers   timerHeap
	seq      uint64
	busy     int
	stepping bool          // an Advance is moving through its timers
	changed  chan struct{} // closed and replaced whenever busy or timers change
	patience time.Duration
	// parked holds the wall-time deadlines of tracked work that waits on the world
	// outside (a request to a receiver); see Park.
	parked map[*parking]struct{}
	stalls int // times Advance gave up waiting on running work
}

// parking is one Park in force.
type parking struct {
	since    time.Time // wall time
	suspect  bool
	gaveUpOn bool // counted in stalls
}

// NewManual returns a manual clock standing at start.
func NewManual(start time.Time) *Manual {
	return &Manual{now: start, changed: make(chan struct{}), patience: DefaultPatience}
}

// SetPatience sets how long Advance waits for stalled work; see Config.Patience.
func (m *Manual) SetPatience(d time.Duration) {
	m.mu.Lock()
	m.patience = d
	m.mu.Unlock()
}

// Now implements Clock.
func (m *Manual) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// Mode implements Clock.
func (m *Manual) Mode() Mode { return ModeManual }

// Go implements Clock: f counts as running work until it returns.
func (m *Manual) Go(f func()) {
	m.mu.Lock()
	m.busy++
	m.signal()
	m.mu.Unlock()
	go func() {
		defer m.finish()
		f()
	}()
}

func (m *Manual) finish() {
	m.mu.Lock()
	m.busy--
	m.signal()
	m.mu.Unlock()
}

// signal wakes whoever waits for a change; m.mu must be held.
func (m *Manual) signal() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// AfterFunc implements Clock. A non-positive d runs f at once as tracked work.
func (m *Manual) AfterFunc(d time.Duration, f func()) Timer {
	if d <= 0 {
		m.Go(f)
		return stoppedTimer{}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	t := &manualTimer{clock: m, when: m.now.Add(d), seq: m.seq, f: f}
	heap.Push(&m.timers, t)
	m.signal()
	return t
}

// Advance moves time forward by d. Timers due in (now, now+d] fire one by one in time
// order (ties in the order they were set), each after the work started before it has
// finished; Advance returns once the work they started has finished too, and reports
// the new time. Work that stalls for the patience span while a timer is due is taken
// to be waiting on emulator time (a receiver that hangs until its timeout).
func (m *Manual) Advance(d time.Duration) time.Time {
	return m.AdvanceContext(context.Background(), d)
}

// AdvanceContext is Advance that stops early when ctx ends (a control API client
// that went away): the clock then stays at the last timer it fired.
func (m *Manual) AdvanceContext(ctx context.Context, d time.Duration) time.Time {
	m.advancing.Lock()
	defer m.advancing.Unlock()
	if d < 0 {
		d = 0
	}
	m.mu.Lock()
	target := m.now.Add(d)
	m.stepping = true
	m.signal()
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.stepping = false
		m.signal()
		m.mu.Unlock()
	}()
	for {
		m.settle(false)
		if ctx.Err() != nil {
			break
		}
		m.mu.Lock()
		if len(m.timers) == 0 || m.timers[0].when.After(target) {
			m.now = target
			m.mu.Unlock()
			break
		}
		t := heap.Pop(&m.timers).(*manualTimer)
		t.index = -1
		if t.when.After(m.now) {
			m.now = t.when
		}
		m.mu.Unlock()
		m.Go(t.f)
	}
	m.settle(true)
	return m.Now()
}

// SuspectPatience is the patience Park gives work whose caller suspects it hangs
// (its destination let the previous request time out).
const SuspectPatience = 20 * time.Millisecond

// Park marks the calling tracked work as waiting on the world outside — a request to
// a receiver — until the returned func is called (it may be called more than once,
// e.g. by the timer that cuts the request: from then on Advance waits for the work
// to finish as for any other). Advance waits for parked work at
// most the patience span of wall time in all (SuspectPatience when suspect, before
// the timers due are done), not once per timer: past it the work is taken to wait on
// emulator time and Advance moves on, so that a hanging receiver's request is cut by
// its emulator-time timeout as soon as the clock passes it. Once no timer is due,
// Advance gives every parked request its full patience before it returns.
func (m *Manual) Park(suspect bool) (unpark func()) {
	m.mu.Lock()
	p := &parking{since: time.Now(), suspect: suspect}
	if m.parked == nil {
		m.parked = map[*parking]struct{}{}
	}
	m.parked[p] = struct{}{}
	m.mu.Unlock()
	return func() {
		m.mu.Lock()
		delete(m.parked, p)
		m.signal()
		m.mu.Unlock()
	}
}

// Stalls counts the times Advance stopped waiting for running work that made no
// progress within its patience (parked work past its patience included, once each).
func (m *Manual) Stalls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stalls
}

// settle waits until no tracked work runs, or until the running work has made no
// progress (no work started or finished, no timer set) for the patience span. Parked
// work past its own patience does not count as running; final says no timer is due
// any more, so suspect work gets the full patience too.
func (m *Manual) settle(final bool) {
	for {
		m.mu.Lock()
		now := time.Now()
		waiting, next := 0, time.Duration(0) // parked work still within its patience
		for p := range m.parked {
			patience := m.patience
			if p.suspect && !final {
				patience = min(patience, SuspectPatience)
			}
			if left := p.since.Add(patience).Sub(now); left > 0 {
				waiting++
				if next == 0 || left < next {
					next = left
				}
			} else if !p.gaveUpOn {
				p.gaveUpOn = true
				m.stalls++
			}
		}
		running := m.busy - len(m.parked) // tracked work that is not parked
		if running <= 0 && waiting == 0 {
			m.mu.Unlock()
			return
		}
		ch, patience := m.changed, m.patience
		m.mu.Unlock()
		wait := patience
		if running <= 0 {
			wait = next // only parked work runs: wait for it within its own patience
		}
		t := time.NewTimer(wait)
		select {
		case <-ch:
			t.Stop()
		case <-t.C:
			if running > 0 {
				m.mu.Lock()
				m.stalls++
				m.mu.Unlock()
				return
			}
		}
	}
}

// Idle reports whether nothing runs on the clock — no tracked work, no Advance under
// way — so that only moving the clock can make anything happen; changed is closed at
// the next change of that (work started or finished, a timer set or stopped).
func (m *Manual) Idle() (idle bool, changed <-chan struct{}) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.busy == 0 && !m.stepping, m.changed
}

// Pending reports how many timers are set and not yet fired.
func (m *Manual) Pending() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.timers)
}

// Next reports when the earliest pending timer fires, and whether there is one.
func (m *Manual) Next() (time.Time, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.timers) == 0 {
		return time.Time{}, false
	}
	return m.timers[0].when, true
}

type manualTimer struct {
	clock *Manual
	when  time.Time
	seq   uint64
	f     func()
	index int
}

func (t *manualTimer) Stop() bool {
	m := t.clock
	m.mu.Lock()
	defer m.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&m.timers, t.index)
	t.index = -1
	m.signal()
	return true
}

type stoppedTimer struct{}

func (stoppedTimer) Stop() bool { return false }

type timerHeap []*manualTimer

func (h timerHeap) Len() int { return len(h) }
func (h timerHeap) Less(i, j int) bool {
	if h[i].when.Equal(h[j].when) {
		return h[i].seq < h[j].seq
	}
	return h[i].when.Before(h[j].when)
}
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *timerHeap) Push(x any) {
	t := x.(*manualTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return t
}
