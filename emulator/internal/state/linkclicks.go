package state

import (
	"github.com/pwemu/pwemu/emulator/catalog"
)

// LinkClick is one Email Link Clicked event about a message of this store: which
// device clicked which link of which message, when.
type LinkClick struct {
	AccountID   string
	Application string
	MessageCode string
	Campaign    string // the message's campaign code
	HWID        string
	Link        string
	Timestamp   int64 // unix seconds
}

// linkClicks is a ring of the last MaxLogEntries clicks, oldest first from next
// once full.
type linkClicks struct {
	ring []LinkClick
	next int
}

// recordClick keeps a click event about a known message; w's lock is held.
func (w *world) recordClick(e *catalog.Event) {
	m, known := w.messages[e.MessageCode]
	if !known || e.Link == "" {
		return
	}
	c := LinkClick{AccountID: m.AccountID, Application: e.ApplicationCode, MessageCode: e.MessageCode,
		Campaign: m.Campaign, HWID: e.HWID, Link: e.Link, Timestamp: e.Timestamp}
	r := &w.tally.clicks
	if len(r.ring) < MaxLogEntries {
		r.ring = append(r.ring, c)
	} else {
		r.ring[r.next] = c
	}
	r.next = (r.next + 1) % MaxLogEntries
}

// LinkClicks lists an account's kept link clicks that keep accepts, oldest first.
func (s *Store) LinkClicks(accountID string, keep func(*LinkClick) bool) []LinkClick {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := &s.w.tally.clicks
	var out []LinkClick
	start := 0
	if len(r.ring) == MaxLogEntries {
		start = r.next
	}
	for i := range r.ring {
		c := &r.ring[(start+i)%len(r.ring)]
		if c.AccountID == accountID && keep(c) {
			out = append(out, *c)
		}
	}
	return out
}
