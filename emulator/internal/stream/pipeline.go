package stream

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
)

// pipeline is one integration at work: the batcher's queue, the batches waiting for a
// send slot, the retries waiting for their time, and the interval timer.
type pipeline struct {
	hub        *Hub
	cfg        *integration
	ledgerID   int
	errTimeout error

	mu       sync.Mutex
	closed   bool
	queue    []ledger.ID // taken events not yet in a batch
	ready    []*batch    // batches waiting for a send slot, in order
	inflight int         // send slots in use
	timer    clock.Timer // the interval trigger
	timerSeq uint64      // tells a stale timer from the current one
	retries  map[*batch]clock.Timer
	idle     chan struct{} // closed when nothing is ready or in flight; nil while idle
	rng      *rand.Rand    // chaos
	hung     atomic.Bool   // the latest request ran into its timeout
}

// parker is a clock that lets a request wait on the receiver without holding up
// emulator time for long (clock.Manual.Park).
type parker interface {
	Park(suspect bool) (unpark func())
}

// batch is one request's worth of events. A retry is a new batch value with the same
// number and the events that are still to go.
type batch struct {
	id        uint64
	attempt   int    // 0 for the first send
	request   uint64 // number of its latest request (Hub.requests), as its attempts show it
	ids       []ledger.ID
	duplicate bool // chaos: the first send goes out twice
}

func newPipeline(h *Hub, in *integration, index int, seed int64) *pipeline {
	return &pipeline{
		hub: h, cfg: in, ledgerID: h.ledger.Integration(in.name),
		errTimeout: fmt.Errorf("timeout: no answer within %v", in.timeout),
		retries:    map[*batch]clock.Timer{},
		rng:        rand.New(rand.NewPCG(uint64(seed), uint64(index)+1)),
	}
}

// enqueue takes pending events; full batches go out at once (the size trigger).
func (p *pipeline) enqueue(ids []ledger.ID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.queue = append(p.queue, ids...)
	if len(p.queue) >= p.cfg.size {
		p.cutLocked(false)
		p.pumpLocked()
	}
}

// cutLocked turns queued events into batches of at most cfg.size: only full ones, or
// all of them (the interval trigger, Flush). A batch is never empty.
func (p *pipeline) cutLocked(all bool) {
	size := p.cfg.size
	for len(p.queue) >= size || (all && len(p.queue) > 0) {
		n := min(size, len(p.queue))
		b := &batch{id: p.hub.seq.Add(1), ids: append([]ledger.ID(nil), p.queue[:n]...)}
		p.queue = p.queue[n:]
		if p.cfg.chaos.Reorder {
			p.rng.Shuffle(len(b.ids), func(i, j int) { b.ids[i], b.ids[j] = b.ids[j], b.ids[i] })
		}
		if d := p.cfg.chaos.Duplicate; d > 0 {
			b.duplicate = p.rng.Float64() < d
		}
		p.ready = append(p.ready, b)
	}
	if len(p.queue) == 0 {
		p.queue = nil // let the drained backing array go
	}
}

// pumpLocked starts sends while slots are free.
func (p *pipeline) pumpLocked() {
	for p.inflight < p.cfg.concurrency && len(p.ready) > 0 {
		b := p.popReadyLocked()
		p.inflight++
		p.launch(b)
	}
	p.updateIdleLocked()
}

func (p *pipeline) popReadyLocked() *batch {
	b := p.ready[0]
	p.ready[0] = nil
	p.ready = p.ready[1:]
	if len(p.ready) == 0 {
		p.ready = nil
	}
	return b
}

// launch runs work for b as tracked clock work, after the chaos delay if any.
func (p *pipeline) launch(b *batch) {
	if slow := p.cfg.chaos.Slow; slow > 0 {
		p.hub.clk.AfterFunc(slow, func() { p.work(b) })
		return
	}
	p.hub.clk.Go(func() { p.work(b) })
}

// work sends b, then the next ready batches, for as long as it holds its send slot.
func (p *pipeline) work(b *batch) {
	if !p.begin() {
		return
	}
	defer p.hub.wg.Done()
	for b != nil {
		p.transmitted(b)
		res, at, ok, cause := p.send(b)
		if ok {
			p.settle(b, res, cause, at)
		}
		if b.duplicate {
			if res, at, ok, cause := p.send(b); ok {
				p.record(b, res, cause, at) // a chaos copy: it changes no state
			}
		}
		b = p.next()
		if b != nil && p.cfg.chaos.Slow > 0 {
			p.launch(b) // after the chaos delay, in a new unit of clock work
			return
		}
	}
}

// begin registers a delivery about to run, unless the pipeline was closed.
func (p *pipeline) begin() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return false
	}
	p.hub.wg.Add(1)
	return true
}

// next hands the send slot on to the next ready batch, or frees it.
func (p *pipeline) next() *batch {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || len(p.ready) == 0 {
		p.inflight--
		p.updateIdleLocked()
		return nil
	}
	return p.popReadyLocked()
}

// transmitted re-arms the interval timer when a new batch goes out: the next interval
// trigger is one interval after the latest transmission.
func (p *pipeline) transmitted(b *batch) {
	if b.attempt > 0 {
		return
	}
	p.mu.Lock()
	p.armLocked()
	p.mu.Unlock()
}

// armLocked (re)starts the interval timer.
func (p *pipeline) armLocked() {
	if p.cfg.interval <= 0 || p.closed {
		return
	}
	if p.timer != nil {
		p.timer.Stop()
	}
	p.timerSeq++
	seq := p.timerSeq
	p.timer = p.hub.clk.AfterFunc(p.cfg.interval, func() { p.onInterval(seq) })
}

// onInterval is the interval trigger: whatever is queued goes out. With nothing
// queued the timer re-arms itself, so it keeps firing every interval.
func (p *pipeline) onInterval(seq uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || seq != p.timerSeq {
		return
	}
	p.timer = nil
	if len(p.queue) == 0 {
		p.armLocked()
		return
	}
	p.cutLocked(true)
	p.pumpLocked()
}

// send makes one attempt at b: its events are read back from the ledger, sent with a
// timeout on the emulator clock. ok is false when nothing was sent: the hub is closed.
func (p *pipeline) send(b *batch) (res Result, at time.Time, ok bool, cause error) {
	h := p.hub
	h.mu.RLock()
	closed := h.closed
	h.mu.RUnlock()
	if closed {
		return res, at, false, nil
	}
	evs := h.getEvents()
	defer h.putEvents(evs)
	*evs = h.ledger.Events(*evs, b.ids)
	b.request = h.requests.Add(1)

	ctx, cancel := context.WithCancelCause(h.ctx)
	// While the receiver has not answered, the request waits on the world outside; once
	// cut it runs again, and Advance waits for it to record its attempt.
	unpark := func() {}
	if pk, ok := h.clk.(parker); ok {
		unpark = pk.Park(p.hung.Load())
	}
	timeout := h.clk.AfterFunc(p.cfg.timeout, func() { unpark(); cancel(p.errTimeout) })
	at = h.clk.Now()
	start := time.Now()
	res = p.cfg.sender.Deliver(ctx, &Batch{ID: b.id, Attempt: b.attempt, Events: *evs, IDs: b.ids})
	unpark()
	timeout.Stop()
	cause = context.Cause(ctx)
	p.hung.Store(errors.Is(cause, p.errTimeout))
	cancel(nil)
	switch {
	case res.Err != nil && errors.Is(cause, p.errTimeout):
		// The attempt lasted the timeout in emulator time; the wall time it took says
		// nothing (on a manual clock, only how long Advance waited for it).
		res.Latency = p.cfg.timeout
	case res.Latency <= 0:
		res.Latency = time.Since(start)
	}
	return res, at, true, cause
}

// attemptOf is the ledger's view of one attempt.
func (p *pipeline) attemptOf(b *batch, res Result, cause error, at time.Time) ledger.Attempt {
	a := ledger.Attempt{At: at, Transport: p.cfg.transport, Batch: b.id, Request: b.request, Status: res.Status,
		Latency: res.Latency}
	if res.Err != nil {
		if cause != nil { // our timeout or Close: say which rather than "context canceled"
			a.Error = cause.Error()
		} else {
			a.Error = res.Err.Error()
		}
	}
	return a
}

// record writes an attempt that changes no state (a chaos duplicate).
func (p *pipeline) record(b *batch, res Result, cause error, at time.Time) {
	a := p.attemptOf(b, res, cause, at)
	p.hub.ledger.Attempt(b.ids, a)
	p.report(b, a, res, len(b.ids), "chaos duplicate")
}

// report counts and logs one request: its outcome is the attempt's, or for an
// ack-based transport, success only when every event was acked "Success".
func (p *pipeline) report(b *batch, a ledger.Attempt, res Result, events int, note string) string {
	outcome := a.Outcome()
	if a.Error == "" && res.Acks != nil {
		outcome = ledger.OutcomeSuccess
		for i := range events {
			if i >= len(res.Acks) || res.Acks[i] != AckSuccess {
				outcome = ledger.OutcomeNack
				break
			}
		}
	}
	p.hub.observe(p.cfg.name, p.cfg.transport, outcome, res.Latency)
	args := []any{"integration", p.cfg.name, "transport", p.cfg.transport, "batch", b.id, "attempt", b.attempt + 1,
		"events", events, "outcome", outcome, "latency", res.Latency}
	if a.Status != 0 {
		args = append(args, "status", a.Status)
	}
	if a.Error != "" {
		args = append(args, "error", a.Error)
	}
	if note != "" {
		args = append(args, "note", note)
	}
	p.hub.log.Info("delivery attempt", args...)
	return outcome
}

// settle writes the attempt and its consequence: delivered, a retry, or dropped.
func (p *pipeline) settle(b *batch, res Result, cause error, at time.Time) {
	h := p.hub
	now := h.clk.Now()
	a := p.attemptOf(b, res, cause, at)
	// Cut short by Close: not the receiver's failure. What was not acked stays pending.
	closed := res.Err != nil && errors.Is(cause, errClosed)
	p.report(b, a, res, len(b.ids), "")
	if res.Acks == nil {
		h.ledger.Attempt(b.ids, a)
		if closed {
			return
		}
		if res.Failed(0) {
			p.retryOrDrop(b, b.ids, now, a)
		} else {
			h.ledger.Settle(b.ids, ledger.Delivered, now)
		}
		return
	}
	// Ack-based transports: each event stands on its own ack.
	var acks []string
	groups := map[string][]ledger.ID{}
	var failed, done []ledger.ID
	for i, id := range b.ids {
		ack := ""
		if i < len(res.Acks) {
			ack = res.Acks[i]
		}
		if _, seen := groups[ack]; !seen {
			acks = append(acks, ack)
		}
		groups[ack] = append(groups[ack], id)
		if ack == AckSuccess {
			done = append(done, id)
		} else {
			failed = append(failed, id)
		}
	}
	for _, ack := range acks {
		ga := a
		ga.Ack = ack
		h.ledger.Attempt(groups[ack], ga)
	}
	if len(done) > 0 {
		h.ledger.Settle(done, ledger.Delivered, now)
	}
	if len(failed) > 0 && !closed {
		p.retryOrDrop(b, failed, now, a)
	}
}

// retryOrDrop schedules the retry of ids after a failed attempt of b, or drops them
// when the retries are used up.
func (p *pipeline) retryOrDrop(b *batch, ids []ledger.ID, now time.Time, a ledger.Attempt) {
	h := p.hub
	d, ok := p.cfg.retry.Next(b.attempt)
	if !ok {
		h.ledger.Settle(ids, ledger.Dropped, now)
		h.log.Warn("events dropped: retries used up", "integration", p.cfg.name, "batch", b.id,
			"events", len(ids), "attempts", b.attempt+1, "status", a.Status, "error", a.Error)
		return
	}
	h.log.Info("retry scheduled", "integration", p.cfg.name, "batch", b.id, "events", len(ids),
		"attempt", b.attempt+1, "status", a.Status, "error", a.Error, "retry_in", d)
	nb := &batch{id: b.id, attempt: b.attempt + 1, ids: ids}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.retries[nb] = h.clk.AfterFunc(d+p.cfg.chaos.Slow, func() { p.retry(nb) })
}

// retry sends a retry when it is due, outside the send slots: retries keep their own
// schedule whatever else is in flight.
func (p *pipeline) retry(b *batch) {
	p.mu.Lock()
	delete(p.retries, b)
	p.mu.Unlock()
	if !p.begin() {
		return
	}
	defer p.hub.wg.Done()
	if res, at, ok, cause := p.send(b); ok {
		p.settle(b, res, cause, at)
	}
}

// flush cuts every queued event into batches and starts them; the channel is closed
// once nothing is ready or in flight.
func (p *pipeline) flush() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.closed {
		p.cutLocked(true)
		p.pumpLocked()
	}
	if p.idle == nil {
		return closedChan
	}
	return p.idle
}

// unsent counts the batches Flush still waits for.
func (p *pipeline) unsent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.ready) + p.inflight
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// updateIdleLocked keeps the idle channel in step with the work waiting.
func (p *pipeline) updateIdleLocked() {
	busy := !p.closed && (len(p.ready) > 0 || p.inflight > 0)
	switch {
	case busy && p.idle == nil:
		p.idle = make(chan struct{})
	case !busy && p.idle != nil:
		close(p.idle)
		p.idle = nil
	}
}

// close stops every timer; deliveries in flight end through the hub's context.
func (p *pipeline) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	p.stopTimersLocked()
	p.updateIdleLocked()
}

func (p *pipeline) stopTimersLocked() {
	if p.timer != nil {
		p.timer.Stop()
		p.timer = nil
	}
	p.timerSeq++
	for b, t := range p.retries {
		t.Stop()
		delete(p.retries, b)
	}
}
