package lifecycle

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/scenarios"
)

const (
	chunkSize = 1000            // most events one publish call carries
	seedSalt  = 0x11fec7c1e5eed // keeps the engine's draws apart from other users of the seed
)

// Engine plays the lifecycle of the messages the API accepts: every target gets the
// sent event at once, a share of them the delivered event one delay later, and a share
// of the delivered the opened event one more delay later, all on the emulator clock.
//
// The shares are exact up to one target: of n targets at share s, ⌊s·n⌋ are chosen,
// plus one more with probability s·n − ⌊s·n⌋, so that many one-target messages add up
// to the share too. Which targets are chosen is drawn from the seed in the order
// messages arrive: the same seed and the same messages give the same events.
//
// Events carry the message's code, id, campaign, application and content (the
// payload), the target's platform, hwid and user id (the hwid when the target has
// none, as Pushwoosh does for devices without a user id), and the emulator time in
// unix seconds; no uuid. Every published slice is new. An Engine is safe for
// concurrent use.
type Engine struct {
	clk       clock.Clock
	publish   func([]catalog.Event)
	disabled  bool
	delivered float64
	opened    float64
	clicked   float64 // share of the Email opens that click a link of the email
	delay     time.Duration

	// claim, when set, is asked before a delivered or opened event: false means the
	// device reported that stage itself (pushStat, messageDeliveryEvent), so the
	// lifecycle plays it no more.
	claim func(code, hwid string, stage int) bool

	mu      sync.Mutex
	rng     *rand.Rand
	stopped bool // set by Stop: nothing more is published
	flights map[*flight]struct{}
}

// NewEngine returns an Engine on clk following cfg (checked, defaults filled:
// scenarios.Plan).
func NewEngine(clk clock.Clock, seed int64, publish func([]catalog.Event), cfg scenarios.LifecyclePlan) *Engine {
	if publish == nil {
		publish = func([]catalog.Event) {}
	}
	return &Engine{
		clk:       clk,
		publish:   publish,
		disabled:  cfg.Disabled,
		delivered: cfg.Delivered,
		opened:    cfg.Opened,
		clicked:   cfg.Clicked,
		delay:     cfg.Delay,
		rng:       rand.New(rand.NewPCG(uint64(seed), uint64(seed)^seedSalt)),
		flights:   map[*flight]struct{}{},
	}
}

// Claim makes the engine ask claim before it publishes a delivered or opened event
// (see Engine.claim). Call it before the first Message.
func (e *Engine) Claim(claim func(code, hwid string, stage int) bool) { e.claim = claim }

// flight is a message whose later stages are still to come.
type flight struct {
	msg       Message
	delivered []int // indexes of the targets the message reaches, in target order
	opened    []int // indexes of the targets that open it, in target order
	clicked   []int // indexes of the email targets that click a link, in target order
	links     map[int]string
	timer     clock.Timer
}

// Message starts the lifecycle of m: it publishes the sent events before it returns and
// arms the later stages. m.Targets must not change afterwards. A disabled or stopped
// engine does nothing.
func (e *Engine) Message(m Message) {
	if e.disabled || len(m.Targets) == 0 {
		return
	}
	all := make([]int, len(m.Targets))
	for i := range all {
		all[i] = i
	}
	e.mu.Lock()
	if e.stopped {
		e.mu.Unlock()
		return
	}
	f := &flight{msg: m}
	f.delivered = e.choose(all, e.delivered)
	var openable []int
	for _, i := range f.delivered {
		if Stages(m.Targets[i].Platform)[Opened] != "" {
			openable = append(openable, i)
		}
	}
	f.opened = e.choose(openable, e.opened)
	e.chooseClicks(f)
	e.mu.Unlock()

	e.emit(f, nil, Sent)
	if len(f.delivered) == 0 {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.stopped {
		e.flights[f] = struct{}{}
		f.timer = e.clk.AfterFunc(e.delay, func() { e.advance(f, Delivered) })
	}
}

// advance publishes a stage of f and arms the next one.
func (e *Engine) advance(f *flight, stage int) {
	if e.isStopped() {
		return
	}
	who := f.delivered
	switch stage {
	case Opened:
		who = f.opened
	case Clicked:
		who = f.clicked
	}
	if len(who) > 0 { // (a nil who would mean every target)
		e.emit(f, who, stage)
	}

	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return
	}
	if stage == Delivered && len(f.opened) > 0 {
		f.timer = e.clk.AfterFunc(e.delay, func() { e.advance(f, Opened) })
		return
	}
	if stage == Opened && len(f.clicked) > 0 {
		f.timer = e.clk.AfterFunc(e.delay, func() { e.advance(f, Clicked) })
		return
	}
	delete(e.flights, f)
}

func (e *Engine) isStopped() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.stopped
}

// emit publishes the stage events of f's message for the targets at who (all when
// who is nil), in chunks, stamped with the clock's now, until Stop.
func (e *Engine) emit(f *flight, who []int, stage int) {
	m := &f.msg
	n := len(m.Targets)
	if who != nil {
		n = len(who)
	}
	ts := e.clk.Now().Unix()
	for start := 0; start < n && !e.isStopped(); start += chunkSize {
		end := min(start+chunkSize, n)
		evs := make([]catalog.Event, 0, end-start)
		for i := start; i < end; i++ {
			at := i
			if who != nil {
				at = who[i]
			}
			t := &m.Targets[at]
			if stage == Clicked {
				ev := m.event(catalog.EventEmailLinkClicked, t, ts)
				ev.Link = f.links[at]
				evs = append(evs, ev)
				continue
			}
			name := Stages(t.Platform)[stage]
			if name == "" || (stage != Sent && e.claim != nil && !e.claim(m.Code, t.HWID, stage)) {
				continue
			}
			evs = append(evs, m.event(name, t, ts))
		}
		if len(evs) > 0 {
			e.publish(evs)
		}
	}
}

// event is the event name about m for target t at ts.
func (m *Message) event(name string, t *Target, ts int64) catalog.Event {
	user := t.UserID
	if user == "" {
		user = t.HWID
	}
	payload := m.Content
	if m.LiveActivityID != "" {
		payload = "" // live-activity events carry only metadata
	}
	return catalog.Event{
		EventName:         name,
		MessageCode:       m.Code,
		MessageID:         m.ID,
		CampaignID:        m.CampaignID,
		Platform:          t.Platform,
		Payload:           payload,
		ApplicationCode:   m.ApplicationCode,
		HWID:              t.HWID,
		UserID:            user,
		Timestamp:         ts,
		LiveActivityID:    m.LiveActivityID,
		JourneyTitle:      m.JourneyTitle,
		JourneyPointTitle: m.JourneyPointTitle,
	}
}

// choose picks share of from (see Engine on the rounding) with e.rng and returns them
// in ascending order, reusing from; e.mu must be held.
func (e *Engine) choose(from []int, share float64) []int {
	exact := share * float64(len(from))
	if r := math.Round(exact); math.Abs(exact-r) < 1e-9 {
		exact = r // 0.3 × 900 is 270, not 269.99999999999997
	}
	k := int(exact)
	if frac := exact - float64(k); frac > 0 && e.rng.Float64() < frac {
		k++
	}
	k = min(k, len(from))
	if k == len(from) {
		return from
	}
	// partial Fisher–Yates: the first k places get a uniform sample
	for i := range k {
		j := i + e.rng.IntN(len(from)-i)
		from[i], from[j] = from[j], from[i]
	}
	chosen := from[:k]
	slices.Sort(chosen)
	return chosen
}

// Stop cancels the stages still to come for good: nothing more is published, apart
// from a chunk being published at that very moment, and later messages are ignored.
func (e *Engine) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopped = true
	for f := range e.flights {
		f.timer.Stop()
	}
	clear(e.flights)
}

// Pending is the number of messages whose later stages are still to come.
func (e *Engine) Pending() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.flights)
}
