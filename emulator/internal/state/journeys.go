package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// Customer Journey statuses, as the journey gateway writes them.
const (
	JourneyDraft    = "STATUS_DRAFT"
	JourneyRunning  = "STATUS_RUNNING"
	JourneyPaused   = "STATUS_PAUSED"
	JourneyFinished = "STATUS_FINISHED"
	JourneyArchived = "STATUS_ARCHIVED"
)

// Journey is a Customer Journey: a scenario's (running from the start) or one made
// through the journey gateway (a draft until started).
type Journey struct {
	UUID        string
	Title       string
	AccountID   string
	Application string
	Status      string
	Points      []JourneyPoint
	Raw         json.RawMessage // the gateway's points and comments as received, echoed back
	// NoAPIEntry marks a gateway journey without an active Start by API point:
	// POST /api/journey/{id}/start/external cannot enter users into it.
	NoAPIEntry bool
	Updated    time.Time
}

// JourneyPoint is one message point of a journey.
type JourneyPoint struct {
	Title    string
	After    time.Duration // after the previous point
	Content  string
	Preset   string   // a preset code supplying the content when Content is empty (gateway send_push points)
	Messages []string // codes of the messages this point sent
}

func (j *Journey) clone() Journey {
	c := *j
	c.Points = slices.Clone(j.Points)
	for i := range c.Points {
		c.Points[i].Messages = slices.Clone(j.Points[i].Messages)
	}
	c.Raw = bytes.Clone(j.Raw)
	return c
}

// journeys are an account's journeys and who is in them: dropped users leave every
// point still to come.
type journeys struct {
	byUUID  map[string]*Journey
	dropped map[string]map[string]bool // journey uuid → user id → dropped
}

func (s *Store) journeysLocked() *journeys {
	if s.w.journeys.byUUID == nil {
		s.w.journeys = journeys{byUUID: map[string]*Journey{}, dropped: map[string]map[string]bool{}}
	}
	return &s.w.journeys
}

// PutJourney stores a journey, replacing one of the same uuid of the same account;
// ErrExists when the uuid belongs to another account.
func (s *Store) PutJourney(j Journey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	js := s.journeysLocked()
	if old, ok := js.byUUID[j.UUID]; ok && old.AccountID != j.AccountID {
		return fmt.Errorf("journey %q: %w", j.UUID, ErrExists)
	}
	c := j.clone()
	js.byUUID[j.UUID] = &c
	return nil
}

// Journey returns a journey by uuid.
func (s *Store) Journey(uuid string) (Journey, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	j, ok := s.w.journeys.byUUID[uuid]
	if !ok {
		return Journey{}, false
	}
	return j.clone(), true
}

// SetJourneyStatus moves a journey of an account to a status.
func (s *Store) SetJourneyStatus(accountID, uuid, status string, at time.Time) (Journey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j, ok := s.w.journeys.byUUID[uuid]
	if !ok || j.AccountID != accountID {
		return Journey{}, fmt.Errorf("journey %q: %w", uuid, ErrNotFound)
	}
	j.Status = status
	j.Updated = at
	return j.clone(), nil
}

// JourneyPointSent records a message a journey point sent.
func (s *Store) JourneyPointSent(uuid string, point int, code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.w.journeys.byUUID[uuid]; ok && point < len(j.Points) {
		j.Points[point].Messages = append(j.Points[point].Messages, code)
	}
}

// DropJourneyUsers takes users out of journeys: the points still to come skip them.
func (s *Store) DropJourneyUsers(uuids, users []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	js := s.journeysLocked()
	for _, id := range uuids {
		d := js.dropped[id]
		if d == nil {
			d = map[string]bool{}
			js.dropped[id] = d
		}
		for _, u := range users {
			d[u] = true
		}
	}
}

// JourneyDropped reports whether a user was dropped from a journey.
func (s *Store) JourneyDropped(uuid, user string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.w.journeys.dropped[uuid][user]
}

// Journeys lists an account's journey uuids.
func (s *Store) Journeys(accountID string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for id, j := range s.w.journeys.byUUID {
		if j.AccountID == accountID {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
