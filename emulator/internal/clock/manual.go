package clock

import (
	"container/heap"
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
		m.settle()
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
	m.settle()
	return m.Now()
}

// settle waits until no tracked work runs, or until the running work has made no
// progress (no work started or finished, no timer set) for the patience span.
func (m *Manual) settle() {
	for {
		m.mu.Lock()
		if m.busy == 0 {
			m.mu.Unlock()
			return
		}
		ch, patience := m.changed, m.patience
		m.mu.Unlock()
		t := time.NewTimer(patience)
		select {
		case <-ch:
			t.Stop()
		case <-t.C:
			return
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
