package state

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// admin holds what a backend administers through the API besides devices and
// messages: presets, campaigns, geozones and their clusters, test devices. Every
// record belongs to one account and is found by its code.
type admin struct {
	order       uint64 // creation counter
	presets     map[string]*Preset
	campaigns   map[string]*Campaign
	settings    map[string]*AppSettings // by application code
	geozones    map[uint64]*GeoZone     // by id
	clusters    map[string]*GeoCluster  // by code
	zoneID      uint64                  // the last geozone id
	bulk        map[string]*BulkJob     // by request id
	bulkOrder   []string                // ids of bulk, oldest first
	exports     map[string]*Export      // by task id
	exportOrder []string                // ids of exports, oldest first
}

func newAdmin() admin {
	return admin{presets: map[string]*Preset{}, campaigns: map[string]*Campaign{},
		settings: map[string]*AppSettings{}, geozones: map[uint64]*GeoZone{}, clusters: map[string]*GeoCluster{},
		bulk: map[string]*BulkJob{}, exports: map[string]*Export{}}
}

// Preset is a saved message template (createPreset): a message naming it takes its
// content and options.
type Preset struct {
	Code        string
	Name        string
	AccountID   string
	Application string // applicationCode, or "" when made for a group
	Group       string // applicationGroupCode
	Campaign    string
	Content     json.RawMessage // the "content" object as received
	Scheduling  json.RawMessage // the "scheduling" object as received
	Filter      string          // segmentation.filter
	Platforms   []int           // segmentation.platforms
	Created     time.Time
	order       uint64 // creation order, set by the store
}

func (p *Preset) clone() Preset {
	c := *p
	c.Content = bytes.Clone(p.Content)
	c.Scheduling = bytes.Clone(p.Scheduling)
	c.Platforms = slices.Clone(p.Platforms)
	return c
}

// Campaign groups messages (createCampaign); its ID is the campaign_id their events
// carry.
type Campaign struct {
	Code        string
	ID          uint64
	Name        string
	Description string
	AccountID   string
	Application string
	Created     time.Time
	order       uint64
}

// AddPreset stores a preset; ErrExists when its code is taken.
func (s *Store) AddPreset(p Preset) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.w.admin.presets[p.Code]; ok {
		return fmt.Errorf("preset %q: %w", p.Code, ErrExists)
	}
	stored := p.clone()
	s.w.admin.order++
	stored.order = s.w.admin.order
	s.w.admin.presets[p.Code] = &stored
	return nil
}

// Preset returns a preset of an account by code.
func (s *Store) Preset(accountID, code string) (Preset, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.w.admin.presets[code]
	if !ok || p.AccountID != accountID {
		return Preset{}, false
	}
	return p.clone(), true
}

// Presets lists the presets of an application, in creation order.
func (s *Store) Presets(accountID, application string) []Preset {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Preset
	for _, p := range s.w.admin.presets {
		if p.AccountID == accountID && p.Application == application {
			out = append(out, p.clone())
		}
	}
	slices.SortFunc(out, func(a, b Preset) int { return cmp.Compare(a.order, b.order) })
	return out
}

// DeletePreset removes a preset of an account; ErrNotFound when there is none.
func (s *Store) DeletePreset(accountID, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.w.admin.presets[code]
	if !ok || p.AccountID != accountID {
		return fmt.Errorf("preset %q: %w", code, ErrNotFound)
	}
	delete(s.w.admin.presets, code)
	return nil
}

// AddCampaign stores a campaign; ErrExists when its code is taken.
func (s *Store) AddCampaign(c Campaign) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.w.admin.campaigns[c.Code]; ok {
		return fmt.Errorf("campaign %q: %w", c.Code, ErrExists)
	}
	stored := c
	s.w.admin.order++
	stored.order = s.w.admin.order
	s.w.admin.campaigns[c.Code] = &stored
	return nil
}

// Campaign returns a campaign of an account by code.
func (s *Store) Campaign(accountID, code string) (Campaign, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.w.admin.campaigns[code]
	if !ok || c.AccountID != accountID {
		return Campaign{}, false
	}
	return *c, true
}

// Campaigns lists the campaigns of an application, in creation order.
func (s *Store) Campaigns(accountID, application string) []Campaign {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Campaign
	for _, c := range s.w.admin.campaigns {
		if c.AccountID == accountID && c.Application == application {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b Campaign) int { return cmp.Compare(a.order, b.order) })
	return out
}

// DeleteCampaign removes a campaign of an account; ErrNotFound when there is none.
// Messages of the campaign keep its code and id.
func (s *Store) DeleteCampaign(accountID, code string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.w.admin.campaigns[code]
	if !ok || c.AccountID != accountID {
		return fmt.Errorf("campaign %q: %w", code, ErrNotFound)
	}
	delete(s.w.admin.campaigns, code)
	return nil
}

// MessagesOfAccount lists the messages of an account, by id.
func (s *Store) MessagesOfAccount(accountID string) []Message {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Message
	for _, m := range s.w.messages {
		if m.AccountID == accountID {
			out = append(out, m.clone())
		}
	}
	slices.SortFunc(out, func(a, b Message) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
