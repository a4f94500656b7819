package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	mrand "math/rand"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"

	"github.com/pwemu/pwemu/emulator/clock"
	"github.com/pwemu/pwemu/emulator/events"
	"github.com/pwemu/pwemu/emulator/ledger"
	"github.com/pwemu/pwemu/scenarios"
)

// Options configure a Hub.
type Options struct {
	Clock  clock.Clock    // required: every delay and timeout runs on it
	Ledger *ledger.Ledger // required: where every event is accounted for
	Logger *slog.Logger   // nil discards
	// Streams and Webhooks are the scenario's integrations. Zero values take the docs'
	// defaults (scenarios.ApplyDefaults); invalid ones make New fail.
	Streams  []scenarios.Stream
	Webhooks []scenarios.Webhook
	// Seed drives every random choice: uuids of events that come without one, chaos.
	Seed int64
}

// ErrClosed is returned by Flush on a closed Hub.
var ErrClosed = errors.New("stream: hub closed")

// Causes of a cancelled delivery.
var (
	errClosed = errors.New("cancelled: emulator closed")
	errReset  = errors.New("cancelled: emulator reset")
)

// Hub is the emulator's event sender: the one entry point for every event source, and
// the pipelines of all configured integrations. It is safe for concurrent use.
type Hub struct {
	clk    clock.Clock
	ledger *ledger.Ledger
	log    *slog.Logger
	pipes  []*pipeline
	none   int // ledger integration of events no integration takes
	ids    idSource
	seq    atomic.Uint64 // batch numbers, unique per Hub
	evbufs sync.Pool     // *[]events.Event: a batch's events while it is sent

	// mu orders ledger writes that name records by ID (Publish, deliveries: read
	// lock) against Reset, which empties the ledger, and Close (write lock).
	mu     sync.RWMutex
	gen    uint64 // bumped by Reset: batches of an older generation are forgotten
	ctx    context.Context
	cancel context.CancelCauseFunc
	closed bool
	wg     sync.WaitGroup // deliveries running
}

// New checks the integrations and builds their pipelines. Nothing is sent until events
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
	// Fill what the caller left unset with the docs' defaults; already-set values stay.
	sc := scenarios.Scenario{Streams: append([]scenarios.Stream(nil), o.Streams...),
		Webhooks: append([]scenarios.Webhook(nil), o.Webhooks...)}
	sc.ApplyDefaults()

	h := &Hub{clk: o.Clock, ledger: o.Ledger, log: log, none: -1}
	h.ids.r = mrand.New(mrand.NewSource(o.Seed))
	h.ctx, h.cancel = context.WithCancelCause(context.Background())
	names := map[string]string{}
	fail := func(where, name string, err error) (*Hub, error) {
		for _, p := range h.pipes {
			_ = p.cfg.sender.Close()
		}
		if name != "" && name != where {
			where += " (" + name + ")"
		}
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	add := func(where string, in *integration) error {
		if prev, ok := names[in.name]; ok {
			_ = in.sender.Close()
			return fmt.Errorf("name %q is already used by %s: integration names must be unique", in.name, prev)
		}
		names[in.name] = where
		h.pipes = append(h.pipes, newPipeline(h, in, len(h.pipes), o.Seed))
		return nil
	}
	for i, st := range sc.Streams {
		where := fmt.Sprintf("streams[%d]", i)
		in, err := compileStream(st, o.Clock, log)
		if err == nil {
			err = add(where, in)
		}
		if err != nil {
			return fail(where, st.Name, err)
		}
	}
	for i, w := range sc.Webhooks {
		where := fmt.Sprintf("webhooks[%d]", i)
		in, err := compileWebhook(w)
		if err == nil {
			err = add(where, in)
		}
		if err != nil {
			return fail(where, w.Name, err)
		}
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
func (h *Hub) Publish(evs []events.Event) {
	if len(evs) == 0 {
		return
	}
	h.mu.RLock()
	defer h.mu.RUnlock()
	now := h.clk.Now()
	ts := now.Unix()
	taken := make([][]ledger.ID, len(h.pipes))
	var e events.Event // one copy for all: its address goes to the ledger and filters
	for i := range evs {
		e = evs[i]
		if e.UUID == "" {
			e.UUID = h.ids.next()
		}
		if e.Timestamp == 0 {
			e.Timestamp = ts
		}
		if h.none >= 0 {
			h.ledger.AddFiltered(h.none, now, &e, ReasonNoIntegration)
			continue
		}
		for j, p := range h.pipes {
			if reason := p.cfg.filter.Reason(&e); reason != "" {
				h.ledger.AddFiltered(p.ledgerID, now, &e, reason)
				continue
			}
			taken[j] = append(taken[j], h.ledger.Add(p.ledgerID, now, &e))
		}
	}
	for j, p := range h.pipes {
		if len(taken[j]) > 0 {
			p.enqueue(taken[j])
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

// Reset drops all queued and scheduled work, cancels the requests in flight (their
// outcome is ignored), empties the ledger and re-arms the interval timers from now.
// The ledger is emptied here, under the same lock as deliveries write to it, so that
// no delivery of the old generation can touch a record of the new one: callers need
// not (and should not, while events flow) call Ledger.Reset themselves.
func (h *Hub) Reset() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.gen++
	h.cancel(errReset)
	h.ctx, h.cancel = context.WithCancelCause(context.Background())
	h.ledger.Reset()
	for _, p := range h.pipes {
		p.reset(h.gen)
	}
}

// idSource makes the uuids of events that come without one: random, from the seed.
type idSource struct {
	mu sync.Mutex
	r  *mrand.Rand
}

func (s *idSource) next() string {
	s.mu.Lock()
	u, _ := uuid.NewRandomFromReader(s.r) // math/rand never fails to read
	s.mu.Unlock()
	return u.String()
}

func (h *Hub) getEvents() *[]events.Event {
	if p, ok := h.evbufs.Get().(*[]events.Event); ok {
		return p
	}
	return new([]events.Event)
}

func (h *Hub) putEvents(p *[]events.Event) {
	clear(*p) // let go of the strings
	*p = (*p)[:0]
	h.evbufs.Put(p)
}
