package state

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Filter is a saved segment of an account (createFilter, listFilters).
type Filter struct {
	Code             string          `json:"code"`
	Name             string          `json:"name"`
	FilterExpression string          `json:"filter_expression,omitempty"` // segmentation language
	Application      string          `json:"application,omitempty"`
	ExpirationDate   string          `json:"expiration_date,omitempty"`
	Conditions       json.RawMessage `json:"conditions,omitempty"` // the older form: tag conditions and operator
	Operator         string          `json:"operator,omitempty"`
	Created          time.Time       `json:"-"`
}

// EventDef is an event defined in an account (createEvent).
type EventDef struct {
	Name        string          `json:"name"`
	Application string          `json:"application,omitempty"`
	Description string          `json:"description,omitempty"`
	Attributes  json.RawMessage `json:"attributes,omitempty"`
	Created     time.Time       `json:"-"`
}

// addNamed adds one of an account's named definitions (filters, events, tags) under
// its name; ErrExists when the name is taken. s.mu must be held for writing.
func addNamed[T any](s *Store, accountID, kind, name string, pick func(*account) map[string]T, v T) error {
	acc, ok := s.w.accounts[accountID]
	if !ok {
		return fmt.Errorf("account %q: %w", accountID, ErrNotFound)
	}
	m := pick(acc)
	if _, ok := m[name]; ok {
		return fmt.Errorf("%s %q: %w", kind, name, ErrExists)
	}
	m[name] = v
	return nil
}

// deleteNamed removes one of an account's named definitions; ErrNotFound when the
// account or the name is unknown. s.mu must be held for writing.
func deleteNamed[T any](s *Store, accountID, kind, name string, pick func(*account) map[string]T) error {
	acc, ok := s.w.accounts[accountID]
	if !ok {
		return fmt.Errorf("account %q: %w", accountID, ErrNotFound)
	}
	m := pick(acc)
	if _, ok := m[name]; !ok {
		return fmt.Errorf("%s %q: %w", kind, name, ErrNotFound)
	}
	delete(m, name)
	return nil
}

// listNamed lists one of an account's named definitions, sorted by name; nil for an
// unknown account. s.mu must be held.
func listNamed[T any](s *Store, accountID string, pick func(*account) map[string]T, name func(T) string) []T {
	acc, ok := s.w.accounts[accountID]
	if !ok {
		return nil
	}
	out := slices.Collect(maps.Values(pick(acc)))
	slices.SortFunc(out, func(a, b T) int { return strings.Compare(name(a), name(b)) })
	return out
}

// CreateFilter saves a filter; ErrExists when the name is taken.
func (s *Store) CreateFilter(accountID string, f Filter) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return addNamed(s, accountID, "filter", f.Name, func(a *account) map[string]Filter { return a.filters }, f)
}

// Filters lists the filters of an account, by name.
func (s *Store) Filters(accountID string) []Filter {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return listNamed(s, accountID, func(a *account) map[string]Filter { return a.filters }, func(f Filter) string { return f.Name })
}

// DeleteFilter removes a filter; ErrNotFound when there is none of that name.
func (s *Store) DeleteFilter(accountID, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return deleteNamed(s, accountID, "filter", name, func(a *account) map[string]Filter { return a.filters })
}

// CreateEvent defines an event; ErrExists when the name is taken.
func (s *Store) CreateEvent(accountID string, e EventDef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return addNamed(s, accountID, "event", e.Name, func(a *account) map[string]EventDef { return a.events }, e)
}

// Events lists the events an account defines, by name.
func (s *Store) Events(accountID string) []EventDef {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return listNamed(s, accountID, func(a *account) map[string]EventDef { return a.events }, func(e EventDef) string { return e.Name })
}

// Count adds one to a named counter of an application: device calls that leave no
// other trace (applicationOpen, pushStat, messageDeliveryEvent, postEvent) count
// themselves here, for getAppStats.
func (s *Store) Count(application, what string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, err := s.appLocked(application)
	if err != nil {
		return err
	}
	a.counters[what]++
	return nil
}

// Counters returns the counters of an application.
func (s *Store) Counters(application string) map[string]int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[application]
	if !ok {
		return nil
	}
	return maps.Clone(a.counters)
}
