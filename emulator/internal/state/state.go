// Package state is the in-memory Pushwoosh world the fake API works on: accounts with
// their tokens, applications and groups (from the scenario), and what API calls
// create — devices and their tags, messages, tag definitions, filters, events and
// asynchronous statistics requests.
//
// A Store is safe for concurrent use. It hands out copies, never its own records, so
// callers may keep what they get. Each run builds its own Store from the scenario's
// accounts.
package state

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/pwemu/pwemu/scenarios"
)

// Errors the Store returns; the API maps them to Pushwoosh's answers.
var (
	ErrNotFound = errors.New("not found")
	ErrExists   = errors.New("already exists")
	// ErrDuplicate: a message with this transactionId was accepted in the last day.
	ErrDuplicate = errors.New("duplicate transaction")
)

// Account is a Pushwoosh account as the API sees it.
type Account struct {
	ID        string
	Name      string
	Suspended bool
	// Plan limits (0: none). Once the account has this many subscribed devices,
	// createMessage answers Pushwoosh's warning — and, at the subscriber limit, sends
	// each message to one random device only.
	SubscriberLimit    int
	ActiveDevicesLimit int
	CreateMessageRate  int // createMessage calls allowed per minute
}

// Token is an API access token of an account.
type Token struct {
	Value        string
	Kind         string // scenarios.TokenServer or scenarios.TokenDevice
	AccountID    string
	Allow        []string // when set, the only methods the token may call
	Applications []string // when set, the only applications the token may touch
}

// Allows reports whether the token may call method.
func (t Token) Allows(method string) bool {
	return len(t.Allow) == 0 || slices.Contains(t.Allow, method)
}

// Covers reports whether the token may touch application code.
func (t Token) Covers(code string) bool {
	return len(t.Applications) == 0 || slices.Contains(t.Applications, code)
}

// Application is a Pushwoosh application.
type Application struct {
	Code                string
	Name                string
	AccountID           string
	Suspended           bool
	DeviceTokenRequired bool
	InApps              []scenarios.InAppPlan // what getInApps lists
	Created             time.Time             // zero for applications of the scenario
}

// Group is an application group, the target of createMessage's applications_group.
type Group struct {
	Code         string
	Name         string
	AccountID    string
	Applications []string
}

// Store is the in-memory world. The zero value is not usable; call New.
type Store struct {
	mu     sync.RWMutex
	w      *world
	limits Limits
}

// world is what the store's lock guards.
type world struct {
	accounts map[string]*account
	tokens   map[string]Token
	apps     map[string]*app
	groups   map[string]Group
	messages map[string]*Message
	msgOrder []string // codes of messages, oldest first (some perhaps deleted)
	stats    map[string]StatsRequest
	admin    admin // presets, campaigns, geozones, test devices, journeys, bulk jobs
	tally    tally // what happened to messages, for the statistics
	pushes   *pushLog
	inbox    *inboxLog
	txns     map[string]txn // by account and transactionId
	txnOrder []string       // keys of txns, oldest first
	journeys journeys
	geo      geoDevices // where devices stand relative to the geozones
	lastID   uint64     // message IDs
	seq      uint64     // NextSeq
}

type account struct {
	Account
	limiter *rate.Limiter
	tags    map[string]TagDef
	filters map[string]Filter
	events  map[string]EventDef
	devices int // subscribed devices over all its applications
}

type app struct {
	Application
	devices     map[string]*Device // by hwid
	byToken     map[string]string  // push token → hwid
	counters    map[string]int     // Count
	testDevices []TestDevice
}

// New builds a store holding the scenario's accounts, checked (scenarios.Plan).
func New(accounts []scenarios.AccountPlan) *Store {
	return &Store{w: build(accounts), limits: Limits{}.withDefaults()}
}

// NextSeq returns 1, 2, 3, …: a source for identifiers that
// must be deterministic, such as statistics request ids.
func (s *Store) NextSeq() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.w.seq++
	return s.w.seq
}

func build(accounts []scenarios.AccountPlan) *world {
	w := &world{accounts: map[string]*account{}, tokens: map[string]Token{},
		apps: map[string]*app{}, groups: map[string]Group{}, messages: map[string]*Message{},
		stats: map[string]StatsRequest{}, admin: newAdmin(), tally: newTally(), pushes: newPushLog(), inbox: newInboxLog(), txns: map[string]txn{}}
	for _, a := range accounts {
		w.accounts[a.ID] = &account{
			Account: Account{ID: a.ID, Name: a.Name, Suspended: a.Suspended, SubscriberLimit: a.SubscriberLimit,
				ActiveDevicesLimit: a.ActiveDevicesLimit, CreateMessageRate: a.CreateMessageRate},
			limiter: newMinuteLimiter(a.CreateMessageRate),
			tags:    defaultTags(),
			filters: map[string]Filter{},
			events:  map[string]EventDef{},
		}
		for _, ap := range a.Applications {
			w.apps[ap.Code] = newApp(Application{Code: ap.Code, Name: ap.Name, AccountID: a.ID,
				Suspended: ap.Suspended, DeviceTokenRequired: ap.DeviceTokenRequired, InApps: slices.Clone(ap.InApps)})
		}
		for _, t := range a.Tokens {
			w.tokens[t.Value] = Token{Value: t.Value, Kind: t.Kind, AccountID: a.ID,
				Allow: slices.Clone(t.Allow), Applications: slices.Clone(t.Applications)}
		}
		for _, g := range a.Groups {
			w.groups[g.Code] = Group{Code: g.Code, Name: g.Name, AccountID: a.ID, Applications: slices.Clone(g.Applications)}
		}
	}
	return w
}

func newApp(a Application) *app {
	return &app{Application: a, devices: map[string]*Device{}, byToken: map[string]string{}, counters: map[string]int{}}
}

// newMinuteLimiter allows perMinute calls at once and refills at perMinute a minute.
func newMinuteLimiter(perMinute int) *rate.Limiter {
	if perMinute >= math.MaxInt32 {
		return rate.NewLimiter(rate.Inf, 0)
	}
	return rate.NewLimiter(rate.Limit(float64(perMinute)/60), perMinute)
}

// Account returns the account with id.
func (s *Store) Account(id string) (Account, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.accounts[id]
	if !ok {
		return Account{}, false
	}
	return a.Account, true
}

// Token returns the token whose value is v.
func (s *Store) Token(v string) (Token, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.w.tokens[v]
	return t, ok
}

// Application returns the application with code.
func (s *Store) Application(code string) (Application, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[code]
	if !ok {
		return Application{}, false
	}
	return a.Application, true
}

// Applications lists the applications of an account, by code.
func (s *Store) Applications(accountID string) []Application {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Application
	for _, a := range s.w.apps {
		if a.AccountID == accountID {
			out = append(out, a.Application)
		}
	}
	slices.SortFunc(out, func(a, b Application) int { return cmp.Compare(a.Code, b.Code) })
	return out
}

// CreateApplication adds an application to an account; ErrExists when the code is
// taken, ErrNotFound when the account is unknown.
func (s *Store) CreateApplication(a Application) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.w.accounts[a.AccountID]; !ok {
		return fmt.Errorf("account %q: %w", a.AccountID, ErrNotFound)
	}
	if _, ok := s.w.apps[a.Code]; ok {
		return fmt.Errorf("application %q: %w", a.Code, ErrExists)
	}
	if _, ok := s.w.groups[a.Code]; ok {
		return fmt.Errorf("application %q: %w", a.Code, ErrExists)
	}
	s.w.apps[a.Code] = newApp(a)
	return nil
}

// DeleteApplication removes an application of an account with its devices.
func (s *Store) DeleteApplication(accountID, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.w.apps[code]
	if !ok || a.AccountID != accountID {
		return fmt.Errorf("application %q: %w", code, ErrNotFound)
	}
	if acc := s.w.accounts[accountID]; acc != nil {
		for _, d := range a.devices {
			if d.Subscribed {
				acc.devices--
			}
		}
	}
	delete(s.w.apps, code)
	delete(s.w.admin.settings, code)
	return nil
}

// Group returns the application group with code.
func (s *Store) Group(code string) (Group, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	g, ok := s.w.groups[code]
	if !ok {
		return Group{}, false
	}
	g.Applications = slices.Clone(g.Applications)
	return g, true
}

// AllowCreateMessage takes one createMessage call from the account's per-minute
// budget at emulator time now; false means the call is over the limit.
func (s *Store) AllowCreateMessage(accountID string, now time.Time) bool {
	s.mu.RLock()
	a, ok := s.w.accounts[accountID]
	s.mu.RUnlock()
	if !ok {
		return false
	}
	return a.limiter.AllowN(now, 1)
}
