package state

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Message statuses.
const (
	MessageScheduled = "scheduled" // send_date in the future
	MessageSent      = "sent"
	MessageCancelled = "cancelled"
)

// Message is a message the API accepted: one notification of createMessage, a
// createTargetedMessage, or a messaging v2 notify.
type Message struct {
	ID           uint64
	Code         string
	AccountID    string
	Applications []string // the application, or the applications of the group
	Group        string   // applications_group, when sent to a group
	Status       string
	Created      time.Time
	SendDate     time.Time
	Content      string          // the default-language text
	ContentRaw   json.RawMessage // the content as received: a string or per-language object
	Data         json.RawMessage // custom data as received
	Platforms    []int           // device types; nil for all
	Targets      int             // devices it went (or goes) to
	Campaign     string
	Preset       string
	Source       string // how it was made, in the statistics' spelling (catalog.MessageSources); "" is API
	// TransactionID de-duplicates: another message with it within a day is not sent.
	TransactionID  string
	LiveActivityID string
	// Inbox, when set, keeps the message in the inbox of the users it reaches; it is
	// not changed once the message is stored.
	Inbox *InboxOptions
}

// TransactionTTL is how long a transactionId is remembered (Pushwoosh: one day).
const TransactionTTL = 24 * time.Hour

type txn struct {
	code string
	at   time.Time
}

func (m *Message) clone() Message {
	c := *m
	c.Applications = slices.Clone(m.Applications)
	c.Platforms = slices.Clone(m.Platforms)
	c.ContentRaw = bytes.Clone(m.ContentRaw)
	c.Data = bytes.Clone(m.Data)
	return c
}

// AddMessage stores a message with the next message id (1, 2, …, restarting after
// Reset) and the code codeFor derives from that id, and returns it so completed. The
// store keeps m's slices: the caller must not change them afterwards. ErrExists
// when the code is taken.
func (s *Store) AddMessage(m Message, codeFor func(id uint64) string) (Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var key string
	if m.TransactionID != "" {
		s.expireTxnsLocked(m.Created)
		key = m.AccountID + "\x00" + m.TransactionID
		if t, ok := s.w.txns[key]; ok {
			if old, ok := s.w.messages[t.code]; ok {
				return old.clone(), ErrDuplicate
			}
		}
	}
	if err := s.makeRoomForMessageLocked(); err != nil {
		return Message{}, fmt.Errorf("%d stored messages, none sent yet: %w", len(s.w.messages), err)
	}
	m.ID = s.w.lastID + 1
	m.Code = codeFor(m.ID)
	if _, ok := s.w.messages[m.Code]; ok {
		return Message{}, fmt.Errorf("message %q: %w", m.Code, ErrExists)
	}
	s.w.lastID = m.ID
	if key != "" {
		if _, ok := s.w.txns[key]; !ok {
			s.w.txnOrder = append(s.w.txnOrder, key)
		}
		s.w.txns[key] = txn{code: m.Code, at: m.Created}
	}
	stored := m
	s.w.messages[m.Code] = &stored
	s.w.msgOrder = append(s.w.msgOrder, m.Code)
	return m, nil
}

// Message returns a message of an account by code.
func (s *Store) Message(accountID, code string) (Message, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.w.messages[code]
	if !ok || m.AccountID != accountID {
		return Message{}, false
	}
	return m.clone(), true
}

// DeleteMessage forgets a message of an account; a scheduled one will not be sent.
func (s *Store) DeleteMessage(accountID, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.w.messages[code]
	if !ok || m.AccountID != accountID {
		return fmt.Errorf("message %q: %w", code, ErrNotFound)
	}
	delete(s.w.messages, code)
	return nil
}

// CancelMessage cancels a scheduled message of an account. It reports the status the
// message had: only a scheduled message is cancelled.
func (s *Store) CancelMessage(accountID, code string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.w.messages[code]
	if !ok || m.AccountID != accountID {
		return "", fmt.Errorf("message %q: %w", code, ErrNotFound)
	}
	was := m.Status
	if was == MessageScheduled {
		m.Status = MessageCancelled
	}
	return was, nil
}

// TakeScheduled marks a scheduled message sent, with its final target count, and
// reports whether it was still scheduled (not cancelled or deleted since).
func (s *Store) TakeScheduled(code string, targets int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.w.messages[code]
	if !ok || m.Status != MessageScheduled {
		return false
	}
	m.Status = MessageSent
	m.Targets = targets
	return true
}

// SetTargets records how many devices a sent message went to, once its fan-out has
// resolved them after the answer.
func (s *Store) SetTargets(code string, targets int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m, ok := s.w.messages[code]; ok {
		m.Targets = targets
	}
}

// MessagesOf lists the messages that went (or go) to an application, by id.
func (s *Store) MessagesOf(application string) []Message {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Message
	for _, m := range s.w.messages {
		if slices.Contains(m.Applications, application) {
			out = append(out, m.clone())
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// expireTxnsLocked forgets transactionIds older than TransactionTTL at now; s.mu
// must be held for writing.
func (s *Store) expireTxnsLocked(now time.Time) {
	n := 0
	for _, k := range s.w.txnOrder {
		if t, ok := s.w.txns[k]; ok && now.Sub(t.at) < TransactionTTL {
			break
		}
		delete(s.w.txns, k)
		n++
	}
	s.w.txnOrder = s.w.txnOrder[n:]
}

// Sendable reports whether a message of an account is still there to be sent (not
// deleted, not cancelled): later waves of a throttled message check it.
func (s *Store) Sendable(accountID, code string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.w.messages[code]
	return ok && m.AccountID == accountID && m.Status != MessageCancelled
}

// MessageOwner is the account of a message, whoever asks: the v2 cancel tells a
// message of another account (403) from none (404).
func (s *Store) MessageOwner(code string) (string, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	m, ok := s.w.messages[code]
	if !ok {
		return "", false
	}
	return m.AccountID, true
}
