package state

import (
	"sync"
	"time"
)

// Push is one message as it went to one device: what /_pwemu/pushes shows, and what
// pushStat and messageDeliveryEvent find by the hash the device sends back.
type Push struct {
	MessageCode    string    `json:"message_code"`
	MessageID      uint64    `json:"message_id"`
	Hash           string    `json:"hash"`
	Application    string    `json:"application"`
	HWID           string    `json:"hwid"`
	UserID         string    `json:"user_id,omitempty"`
	Platform       string    `json:"platform"`
	Payload        string    `json:"payload"`
	Campaign       string    `json:"campaign,omitempty"`
	CampaignID     uint64    `json:"campaign_id,omitempty"`
	LiveActivityID string    `json:"live_activity_id,omitempty"`
	Sent           time.Time `json:"sent"`
	Delivered      bool      `json:"delivered"`
	Opened         bool      `json:"opened"`
}

// Push stages a device can report, for ClaimPush.
const (
	StageDelivered = 1
	StageOpened    = 2
)

// MaxPushes bounds the pushes remembered over all devices; the oldest are
// forgotten first (their reports are then ignored, and the lifecycle plays them).
const MaxPushes = 200_000

// maxPushesPerDevice bounds what one device remembers.
const maxPushesPerDevice = 100

type pushKey struct{ code, hwid string }

// pushLog is the store's memory of pushes. It has its own lock: the lifecycle asks
// it about every event it plays.
type pushLog struct {
	mu       sync.Mutex
	byHash   map[string]*Push
	byKey    map[pushKey]*Push
	byDevice map[string][]*Push // by hwid, oldest first
	ring     []*Push            // every push, oldest first, for eviction
	head     int
}

func newPushLog() *pushLog {
	return &pushLog{byHash: map[string]*Push{}, byKey: map[pushKey]*Push{}, byDevice: map[string][]*Push{}}
}

// RecordPushes remembers pushes that went out.
func (s *Store) RecordPushes(ps []Push) {
	l := s.pushLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range ps {
		p := ps[i]
		l.evict()
		if old := l.byKey[pushKey{p.MessageCode, p.HWID}]; old != nil {
			continue // a message reaches a device once
		}
		l.byHash[p.Hash] = &p
		l.byKey[pushKey{p.MessageCode, p.HWID}] = &p
		dev := append(l.byDevice[p.HWID], &p)
		if len(dev) > maxPushesPerDevice {
			l.forget(dev[0])
			dev = dev[1:]
		}
		l.byDevice[p.HWID] = dev
		l.ring = append(l.ring, &p)
	}
}

// evict makes room for one push; l.mu must be held.
func (l *pushLog) evict() {
	if len(l.ring)-l.head < MaxPushes {
		return
	}
	old := l.ring[l.head]
	l.ring[l.head] = nil
	l.head++
	if l.head > len(l.ring)/2 {
		l.ring = append([]*Push(nil), l.ring[l.head:]...)
		l.head = 0
	}
	if old == nil {
		return
	}
	l.forget(old)
	dev := l.byDevice[old.HWID]
	for i, p := range dev {
		if p == old {
			dev = append(dev[:i:i], dev[i+1:]...)
			break
		}
	}
	if len(dev) == 0 {
		delete(l.byDevice, old.HWID)
	} else {
		l.byDevice[old.HWID] = dev
	}
}

// forget drops a push from the indexes (not from byDevice); l.mu must be held.
func (l *pushLog) forget(p *Push) {
	if l.byHash[p.Hash] == p {
		delete(l.byHash, p.Hash)
	}
	if k := (pushKey{p.MessageCode, p.HWID}); l.byKey[k] == p {
		delete(l.byKey, k)
	}
}

// Pushes lists the pushes remembered for a device (by hwid, over all
// applications), oldest first.
func (s *Store) Pushes(hwid string) []Push {
	l := s.pushLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Push, 0, len(l.byDevice[hwid]))
	for _, p := range l.byDevice[hwid] {
		if l.byKey[pushKey{p.MessageCode, p.HWID}] == p {
			out = append(out, *p)
		}
	}
	return out
}

// PushByHash finds a push of an application by its hash.
func (s *Store) PushByHash(application, hash string) (Push, bool) {
	l := s.pushLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.byHash[hash]
	if !ok || p.Application != application {
		return Push{}, false
	}
	return *p, true
}

// LatestPush finds the newest push of a message code to a device (an inbox read or
// in-app action names the message, not the hash).
func (s *Store) LatestPush(hwid, code string) (Push, bool) {
	l := s.pushLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.byKey[pushKey{code, hwid}]
	if !ok {
		return Push{}, false
	}
	return *p, true
}

// ClaimPush marks a stage of a message's push to a device as reported and tells
// whether it was not reported before: whoever claims first (the device's SDK or the
// lifecycle) produces the stage's event, so each stage has one event. A push
// nobody remembers is claimable (the lifecycle plays it).
func (s *Store) ClaimPush(code, hwid string, stage int) bool {
	l := s.pushLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	p, ok := l.byKey[pushKey{code, hwid}]
	if !ok {
		return true
	}
	switch stage {
	case StageDelivered:
		if p.Delivered {
			return false
		}
		p.Delivered = true
	case StageOpened:
		if p.Opened {
			return false
		}
		p.Opened = true
	}
	return true
}

func (s *Store) pushLog() *pushLog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.w.pushes
}
