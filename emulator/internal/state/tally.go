package state

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Message actions the statistics count, from the events the lifecycle (and device
// reports) produced about a message.
const (
	ActionSent        = "sent"
	ActionDelivered   = "delivered"
	ActionOpened      = "opened"
	ActionLinkClicked = "link_clicked"
	ActionBounced     = "bounced" // an email that could not be delivered (getBouncedEmails)
)

// MaxLogEntries bounds the per-device message log (getMessageLog): past it the
// oldest entries are forgotten. Counts are kept whole.
const MaxLogEntries = 100_000

// tally is what happened to messages and applications, counted for the statistics
// endpoints: per message, per platform, per action and per minute; per application,
// per action and per minute; and a bounded per-device log.
type tally struct {
	messages map[string]map[TallyKey]int    // by message code
	openers  map[string]map[string]struct{} // unique opening hwids by message code
	apps     map[string]map[TallyKey]int    // by application; Platform is ""
	log      []LogEntry                     // ring of MaxLogEntries
	logNext  int
	logFull  bool
	clicks   linkClicks // Email Link Clicked events, with their links
}

func newTally() tally {
	return tally{messages: map[string]map[TallyKey]int{}, openers: map[string]map[string]struct{}{},
		apps: map[string]map[TallyKey]int{}}
}

// TallyKey is one counter: an action on a platform in one minute (unix seconds of
// the minute's start).
type TallyKey struct {
	Platform string
	Action   string
	Minute   int64
}

// Count is one counter's value.
type Count struct {
	TallyKey
	N int
}

// LogEntry is one device's event about a message.
type LogEntry struct {
	MessageCode string
	CampaignID  uint64
	Application string
	HWID        string
	UserID      string
	Platform    string
	Action      string
	Timestamp   int64
}

// ActionOf is the statistics action of an event name ("Push Opened" → opened), ""
// for events the statistics do not count.
func ActionOf(eventName string) string {
	switch {
	case strings.HasSuffix(eventName, " Sent"):
		return ActionSent
	case strings.HasSuffix(eventName, " Delivered"):
		return ActionDelivered
	case strings.HasSuffix(eventName, " Opened"):
		return ActionOpened
	case strings.HasSuffix(eventName, " Link Clicked"):
		return ActionLinkClicked
	case strings.HasSuffix(eventName, " Bounced"):
		return ActionBounced
	}
	return ""
}

// Observe counts events about messages of this store; events of unknown messages
// (injected or generated traffic) are not counted.
func (s *Store) Observe(evs []catalog.Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.w.tally
	for i := range evs {
		e := &evs[i]
		if e.EventName == catalog.EventEmailLinkClicked {
			s.w.recordClick(e)
			continue
		}
		action := ActionOf(e.EventName)
		if action == "" {
			continue
		}
		if _, known := s.w.messages[e.MessageCode]; !known {
			continue
		}
		m := t.messages[e.MessageCode]
		if m == nil {
			m = map[TallyKey]int{}
			t.messages[e.MessageCode] = m
		}
		m[TallyKey{Platform: e.Platform, Action: action, Minute: e.Timestamp - e.Timestamp%60}]++
		if action == ActionOpened {
			o := t.openers[e.MessageCode]
			if o == nil {
				o = map[string]struct{}{}
				t.openers[e.MessageCode] = o
			}
			o[e.HWID] = struct{}{}
		}
		entry := LogEntry{MessageCode: e.MessageCode, CampaignID: e.CampaignID, Application: e.ApplicationCode,
			HWID: e.HWID, UserID: e.UserID, Platform: e.Platform, Action: action, Timestamp: e.Timestamp}
		if len(t.log) < MaxLogEntries {
			t.log = append(t.log, entry)
		} else {
			t.log[t.logNext] = entry
			t.logFull = true
		}
		t.logNext = (t.logNext + 1) % MaxLogEntries
	}
}

// Record counts an application-level action (open, install, register, unregister,
// "event:<name>") at time at.
func (s *Store) Record(application, action string, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.w.tally.apps[application]
	if m == nil {
		m = map[TallyKey]int{}
		s.w.tally.apps[application] = m
	}
	sec := at.Unix()
	m[TallyKey{Action: action, Minute: sec - sec%60}]++
}

func sortedCounts(m map[TallyKey]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{TallyKey: k, N: n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		return cmp.Or(cmp.Compare(a.Minute, b.Minute), cmp.Compare(a.Action, b.Action), cmp.Compare(a.Platform, b.Platform))
	})
	return out
}

// MessageCounts lists the counters of a message by minute, action and platform.
func (s *Store) MessageCounts(code string) []Count {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedCounts(s.w.tally.messages[code])
}

// UniqueOpens is how many devices opened a message.
func (s *Store) UniqueOpens(code string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.w.tally.openers[code])
}

// AppCounts lists the application-level counters of an application by minute and
// action.
func (s *Store) AppCounts(application string) []Count {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return sortedCounts(s.w.tally.apps[application])
}

// MessageLog lists the logged device events that keep says yes to, oldest first.
func (s *Store) MessageLog(keep func(*LogEntry) bool) []LogEntry {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t := &s.w.tally
	var out []LogEntry
	start := 0
	if t.logFull {
		start = t.logNext
	}
	for i := range t.log {
		e := &t.log[(start+i)%len(t.log)]
		if keep(e) {
			out = append(out, *e)
		}
	}
	return out
}
