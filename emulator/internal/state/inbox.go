package state

import (
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// The Message Inbox: a message sent with inbox options (createMessage's inbox_date,
// inbox_days, inbox_image) is kept, besides being pushed, in the inbox of each user
// it reaches (the device's user id, or its hwid for a device without one) until it
// expires; getInboxMessages lists it and inboxStatus moves its status.

// InboxOptions are a message's inbox settings. A message without them goes to no
// inbox.
type InboxOptions struct {
	Expires time.Time // inbox_date; zero when Days applies
	Days    int       // inbox_days: kept this many days after it reaches the device
	Image   string    // inbox_image
	// Titles are the message's titles by platform name (ios_title, android_header,
	// chrome_title, …); a platform without one has none.
	Titles map[string]string
	// What opening the message does: open Link, or show the rich media page
	// RichMedia (a code), or only open the application.
	Link      string
	RichMedia string
}

// InboxEntry is one message in one user's inbox.
type InboxEntry struct {
	Order     uint64    `json:"order"` // the inbox's own sequence: inboxStatus names the entry by it
	Push      Push      `json:"push"`  // the push it came with (message, hash, device, user, platform)
	Title     string    `json:"title"`
	Image     string    `json:"image,omitempty"`
	Link      string    `json:"link,omitempty"`
	RichMedia string    `json:"rich_media,omitempty"`
	Expires   time.Time `json:"expires"`
	Status    int       `json:"status"` // catalog.InboxDelivered …
	Changed   time.Time `json:"changed"`
	gone      bool      // dropped from its owner's list (bounds, expiry)
}

// MaxInboxEntries bounds the inbox entries kept over all users; the oldest are
// forgotten first.
const MaxInboxEntries = 200_000

// maxInboxPerOwner bounds one user's inbox; its oldest entries are forgotten first.
const maxInboxPerOwner = 100

type inboxKey struct{ app, owner string }

// inboxLog is the store's inboxes. It has its own lock, as the push log does: it is
// written on every delivery of an inbox message.
type inboxLog struct {
	mu      sync.Mutex
	byOwner map[inboxKey][]*InboxEntry // oldest first
	ring    []*InboxEntry              // every entry, oldest first, for eviction
	head    int
	next    uint64
}

func newInboxLog() *inboxLog { return &inboxLog{byOwner: map[inboxKey][]*InboxEntry{}} }

func (s *Store) inboxLog() *inboxLog {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.w.inbox
}

// InboxOwner is whose inbox a push goes to: the user's, or the device's for a
// device without a user id (Pushwoosh: "if no custom user ID is set, use HWID").
func InboxOwner(p Push) string {
	if p.UserID != "" {
		return p.UserID
	}
	return p.HWID
}

// AddToInbox keeps pushes of a message in their users' inboxes, at, with the
// message's options; a user already holding the message (from another device)
// keeps one entry.
func (s *Store) AddToInbox(o *InboxOptions, pushes []Push, at time.Time) {
	l := s.inboxLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, p := range pushes {
		k := inboxKey{p.Application, InboxOwner(p)}
		list := l.byOwner[k]
		if slices.ContainsFunc(list, func(e *InboxEntry) bool { return e.Push.MessageCode == p.MessageCode }) {
			continue
		}
		l.evict()
		l.next++
		e := &InboxEntry{Order: l.next, Push: p, Image: o.Image, Link: o.Link, RichMedia: o.RichMedia,
			Status: catalog.InboxDelivered, Changed: at, Expires: o.Expires}
		if o.Days > 0 {
			e.Expires = at.Add(time.Duration(o.Days) * 24 * time.Hour)
		}
		e.Title = o.Titles[p.Platform]
		list = append(list, e)
		if len(list) > maxInboxPerOwner {
			list[0].gone = true
			list = slices.Delete(list, 0, 1)
		}
		l.byOwner[k] = list
		l.ring = append(l.ring, e)
	}
}

// evict makes room for one entry; l.mu must be held.
func (l *inboxLog) evict() {
	if len(l.ring)-l.head < MaxInboxEntries {
		return
	}
	old := l.ring[l.head]
	l.ring[l.head] = nil
	l.head++
	if l.head > len(l.ring)/2 {
		l.ring = append([]*InboxEntry(nil), l.ring[l.head:]...)
		l.head = 0
	}
	if old == nil || old.gone {
		return
	}
	old.gone = true
	k := inboxKey{old.Push.Application, InboxOwner(old.Push)}
	list := slices.DeleteFunc(l.byOwner[k], func(e *InboxEntry) bool { return e == old })
	if len(list) == 0 {
		delete(l.byOwner, k)
	} else {
		l.byOwner[k] = list
	}
}

// entries lists the live entries of the owners (duplicates of a message once),
// dropping those expired at now; l.mu must be held.
func (l *inboxLog) entries(app string, owners []string, now time.Time) []*InboxEntry {
	var out []*InboxEntry
	for _, owner := range owners {
		if owner == "" {
			continue
		}
		k := inboxKey{app, owner}
		list := slices.DeleteFunc(l.byOwner[k], func(e *InboxEntry) bool {
			if !e.Expires.IsZero() && !now.Before(e.Expires) {
				e.gone = true
			}
			return e.gone
		})
		if len(list) == 0 {
			delete(l.byOwner, k)
		} else {
			l.byOwner[k] = list
		}
		for _, e := range list {
			if !slices.ContainsFunc(out, func(o *InboxEntry) bool { return o.Push.MessageCode == e.Push.MessageCode }) {
				out = append(out, e)
			}
		}
	}
	return out
}

// Inbox lists the inbox of an application's user (by user id, hwid or both), newest
// first, without the messages expired at now.
func (s *Store) Inbox(app string, owners []string, now time.Time) []InboxEntry {
	l := s.inboxLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	list := l.entries(app, owners, now)
	out := make([]InboxEntry, len(list))
	for i, e := range list {
		out[i] = *e
	}
	slices.SortFunc(out, func(a, b InboxEntry) int { return -cmpOrder(a.Order, b.Order) })
	return out
}

func cmpOrder(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// SetInboxStatus sets the status of the entry of a user's inbox that code names
// (its order, or its message code), at. It tells the entry as it was before and
// whether one was found. A status only moves forward: a read message is not
// unread again, a deleted one stays deleted.
func (s *Store) SetInboxStatus(app string, owners []string, code string, status int, at time.Time) (InboxEntry, bool) {
	l := s.inboxLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, e := range l.entries(app, owners, at) {
		if FormatInboxOrder(e.Order) != code && e.Push.MessageCode != code {
			continue
		}
		before := *e
		if status > e.Status {
			e.Status, e.Changed = status, at
		}
		return before, true
	}
	return InboxEntry{}, false
}

// DeleteFromInboxes marks a message deleted from the Control Panel in every inbox
// holding it: getInboxMessages lists it under "deleted".
func (s *Store) DeleteFromInboxes(code string, at time.Time) {
	l := s.inboxLog()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, list := range l.byOwner {
		for _, e := range list {
			if e.Push.MessageCode == code && !e.gone {
				e.Status, e.Changed = catalog.InboxDeletedByCP, at
			}
		}
	}
}

// FormatInboxOrder is an entry's order as getInboxMessages answers it and
// inboxStatus names it (a string: the SDKs read it as one).
func FormatInboxOrder(order uint64) string { return strconv.FormatUint(order, 10) }
