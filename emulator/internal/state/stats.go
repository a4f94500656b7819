package state

import (
	"encoding/json"
	"fmt"
	"time"
)

// StatsRequest is an asynchronous statistics request (getMsgStats, getAppStats, …)
// whose result getResults collects.
type StatsRequest struct {
	ID        string
	AccountID string
	Method    string
	Created   time.Time
	Result    json.RawMessage
}

// AddStatsRequest stores a statistics request; ErrExists when its id is taken.
func (s *Store) AddStatsRequest(r StatsRequest) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.w.stats[r.ID]; ok {
		return fmt.Errorf("request %q: %w", r.ID, ErrExists)
	}
	s.w.stats[r.ID] = r
	return nil
}

// StatsResult returns a statistics request of an account by id.
func (s *Store) StatsResult(accountID, id string) (StatsRequest, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.w.stats[id]
	if !ok || r.AccountID != accountID {
		return StatsRequest{}, false
	}
	return r, true
}
