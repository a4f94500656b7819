package state

import (
	"encoding/json"
	"errors"
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

// EventDef is an event defined for an application (createEvent).
type EventDef struct {
	ID           uint64           `json:"id"`
	Name         string           `json:"name"`
	Application  string           `json:"application,omitempty"`
	Description  string           `json:"description,omitempty"`
	Attributes   []EventAttribute `json:"eventAttributes,omitempty"`
	TrackRevenue bool             `json:"trackRevenue,omitempty"`
	Created      time.Time        `json:"-"`
}

// EventAttribute is an attribute of a defined event: its name and type.
type EventAttribute struct {
	Type int    `json:"type"` // AttrInteger … AttrPrice
	Name string `json:"name"`
}

// Event attribute types, as createEvent numbers them
// (https://docs.pushwoosh.com/developer/api-reference/events).
const (
	AttrInteger = 1
	AttrString  = 2
	AttrList    = 3
	AttrDate    = 4
	AttrBoolean = 5
	AttrPrice   = 6
)

// MaxEvents bounds the events an account may define; createEvent past it answers
// Pushwoosh's "events limit" permissions error.
const MaxEvents = 1000

// ErrLimit: a definition, device or message would pass a limit (MaxEvents, Limits).
var ErrLimit = errors.New("limit reached")

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

// eventKey keys an event definition by application and name: names are unique per
// application.
func eventKey(application, name string) string { return application + "\x00" + name }

// CreateEvent defines an event of an application; ErrExists when the application
// has an event of that name, ErrLimit past MaxEvents.
func (s *Store) CreateEvent(accountID string, e EventDef) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if acc, ok := s.w.accounts[accountID]; ok && len(acc.events) >= MaxEvents {
		return fmt.Errorf("events of %q: %w", accountID, ErrLimit)
	}
	return addNamed(s, accountID, "event", eventKey(e.Application, e.Name), func(a *account) map[string]EventDef { return a.events }, e)
}

// Event finds the event an application defines under name (case-sensitive, as
// Pushwoosh matches event names).
func (s *Store) Event(accountID, application, name string) (EventDef, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	acc, ok := s.w.accounts[accountID]
	if !ok {
		return EventDef{}, false
	}
	e, ok := acc.events[eventKey(application, name)]
	if !ok {
		return EventDef{}, false
	}
	e.Attributes = slices.Clone(e.Attributes)
	return e, true
}

// Events lists the events an account defines for an application ("": for every
// application), by name.
func (s *Store) Events(accountID, application string) []EventDef {
	s.mu.RLock()
	defer s.mu.RUnlock()
	all := listNamed(s, accountID, func(a *account) map[string]EventDef { return a.events }, func(e EventDef) string { return e.Name })
	if application == "" {
		return all
	}
	return slices.DeleteFunc(all, func(e EventDef) bool { return e.Application != application })
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
