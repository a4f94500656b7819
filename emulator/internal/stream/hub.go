package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/scenarios"
)

// Options configure a Hub.
type Options struct {
	Clock  clock.Clock    // required: every delay and timeout runs on it
	Ledger *ledger.Ledger // required: where every event is accounted for
	Logger *slog.Logger   // nil discards
	// Streams and Webhooks are the scenario's integrations, checked and resolved
	// (scenarios.Plan): New trusts them.
	Streams  []scenarios.StreamPlan
	Webhooks []scenarios.WebhookPlan
	// Seed drives every random choice: uuids of events that come without one, chaos.
	Seed int64
	// OnAttempt, when set, is told of every request sent to a receiver once its answer
	// is in: outcome is one of the ledger.Outcome… values.
	OnAttempt func(integration, transport, outcome string, took time.Duration)
}

// ErrClosed is returned by Flush on a closed Hub.
var ErrClosed = errors.New("stream: hub closed")

// errClosed is the cause of a delivery cancelled by Close.
var errClosed = errors.New("cancelled: emulator closed")

// Hub is the emulator's event sender: the one entry point for every event source, and
// the pipelines of all configured integrations. It is safe for concurrent use.
type Hub struct {
	clk      clock.Clock
	ledger   *ledger.Ledger
	log      *slog.Logger
	observe  func(integration, transport, outcome string, took time.Duration)
	pipes    []*pipeline
	none     int // ledger integration of events no integration takes
	ids      idSource
	seq      atomic.Uint64 // batch numbers, unique per Hub
	requests atomic.Uint64 // request numbers, unique per Hub: a batch's sends, duplicates included
	evbufs   sync.Pool     // *[]catalog.Event: a batch's events while it is sent, a Publish's copy

	ctx    context.Context // cancelled by Close: ends the requests in flight
	cancel context.CancelCauseFunc

	mu     sync.RWMutex // guards closed: sends start (read lock) or Close stops them
	closed bool
	wg     sync.WaitGroup // deliveries running
}

// New builds the pipelines of the integrations. Nothing is sent until events
// are published.
func New(o Options) (*Hub, error) {
	if o.Clock == nil {
		return nil, errors.New("stream: Options.Clock is required")
	}
	if o.Ledger == nil {
		return nil, errors.New("stream: Options.Ledger is required")
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Hub{clk: o.Clock, ledger: o.Ledger, log: log, none: -1, observe: o.OnAttempt}
	if h.observe == nil {
		h.observe = func(string, string, string, time.Duration) {}
	}
	h.ids.r = mrand.New(mrand.NewSource(o.Seed))
	h.ctx, h.cancel = context.WithCancelCause(context.Background())
	fail := func(where, name string, err error) (*Hub, error) {
		for _, p := range h.pipes {
			_ = p.cfg.sender.Close()
		}
		if name != "" && name != where {
			where += " (" + name + ")"
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	for i, st := range o.Streams {
		in, err := compileStream(st, log)
		if err != nil {
			return fail(fmt.Sprintf("streams[%d]", i), st.Name, err)
		}
		h.pipes = append(h.pipes, newPipeline(h, in, len(h.pipes), o.Seed))
	}
	for i, w := range o.Webhooks {
		in, err := compileWebhook(w)
		if err != nil {
			return fail(fmt.Sprintf("webhooks[%d]", i), w.Name, err)
		}
		h.pipes = append(h.pipes, newPipeline(h, in, len(h.pipes), o.Seed))
	}
	if len(h.pipes) == 0 {
		h.none = h.ledger.Integration("")
	}
	for _, p := range h.pipes {
		p.mu.Lock()
		p.armLocked()
		p.mu.Unlock()
	}
	return h, nil
}

// Publish hands events to every integration: each one's filter decides, the ledger
// records the event as filtered (with the reason) or pending, and the batcher takes
// the pending ones. An event without a uuid gets a random one (seeded), an event
// without a timestamp the emulator time, in seconds; evs itself is not modified.
// After Close, events are still accounted for (pending) but never sent.
func (h *Hub) Publish(evs []catalog.Event) {
	if len(evs) == 0 {
		return
	}
	now := h.clk.Now()
	ts := now.Unix()
	buf := h.getEvents() // one copy for all integrations: the ledger copies what it keeps
	defer h.putEvents(buf)
	*buf = append(*buf, evs...)
	all := *buf
	h.ids.fill(all)
	for i := range all {
		if all[i].Timestamp == 0 {
			all[i].Timestamp = ts
		}
	}
	if h.none >= 0 {
		// Counted, not stored: with no integration nothing will read them back, and a
		// createMessage to a million devices must not cost a million records.
		h.ledger.Count(h.none, len(all), ReasonNoIntegration)
		return
	}
	reasons := make([]string, len(all)) // "": the integration takes the event
	// One ledger call per integration: one lock and one wake-up of the waiters.
	for _, p := range h.pipes {
		for i := range all {
			reasons[i] = p.cfg.filter.Reason(&all[i])
		}
		if ids := h.ledger.AddBatch(p.ledgerID, now, all, reasons); len(ids) > 0 {
			p.enqueue(ids)
		}
	}
}

// Flush sends every batch that is waiting — including the events the batcher holds
// back for the interval — once, and returns when their first attempts have ended or
// ctx is done. Retries of failed batches keep their schedule. It is the graceful
// shutdown step before Close.
func (h *Hub) Flush(ctx context.Context) error {
	h.mu.RLock()
	closed := h.closed
	h.mu.RUnlock()
	if closed {
		return ErrClosed
	}
	waits := make([]<-chan struct{}, len(h.pipes))
	for i, p := range h.pipes {
		waits[i] = p.flush()
	}
	for i, ch := range waits {
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("stream: flush of %s: %d batches not sent: %w", h.pipes[i].cfg.name, h.pipes[i].unsent(), context.Cause(ctx))
		}
	}
	return nil
}

// Close stops the timers, cancels the requests in flight and closes the transports.
// Nothing is sent afterwards; events not delivered stay pending in the ledger.
func (h *Hub) Close() error {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return nil
	}
	h.closed = true
	h.cancel(errClosed)
	for _, p := range h.pipes {
		p.close()
	}
	h.mu.Unlock()
	h.wg.Wait()
	var errs []error
	for _, p := range h.pipes {
		if err := p.cfg.sender.Close(); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", p.cfg.name, err))
		}
	}
	return errors.Join(errs...)
}

// idSource makes the uuids of events that come without one: random, from the seed.
type idSource struct {
	mu sync.Mutex
	r  *mrand.Rand
}

// fill gives the events without a uuid a new one. The uuids of one call share one
// string: one allocation, not one per event (the ledger keeps them all anyway).
func (s *idSource) fill(evs []catalog.Event) {
	n := 0
	for i := range evs {
		if evs[i].UUID == "" {
			n++
		}
	}
	if n == 0 {
		return
	}
	buf := make([]byte, 0, n*uuidLen)
	var u [16]byte
	s.mu.Lock()
	for range n {
		s.r.Read(u[:]) // math/rand never fails to read
		buf = appendUUID(buf, &u)
	}
	s.mu.Unlock()
	all := string(buf)
	for i := range evs {
		if evs[i].UUID == "" {
			evs[i].UUID, all = all[:uuidLen], all[uuidLen:]
		}
	}
}

const uuidLen = 36

// appendUUID appends u as a random (version 4, RFC 4122 variant) uuid in its
// canonical text form.
func appendUUID(b []byte, u *[16]byte) []byte {
	const hex = "0123456789abcdef"
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hex[c>>4], hex[c&0x0f])
	}
	return b
}

func (h *Hub) getEvents() *[]catalog.Event {
	if p, ok := h.evbufs.Get().(*[]catalog.Event); ok {
		return p
	}
	return new([]catalog.Event)
}

func (h *Hub) putEvents(p *[]catalog.Event) {
	if cap(*p) > maxPooledEvents {
		return // an outsized Publish: do not keep what it grew
	}
	clear(*p) // let go of the strings
	*p = (*p)[:0]
	h.evbufs.Put(p)
}

// maxPooledEvents bounds the buffers kept for reuse: a large batch, or a Publish of
// a few thousand events.
const maxPooledEvents = 1 << 14
