package stream

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Reasons a filtered ledger record carries.
const (
	ReasonEvent         = "event not subscribed"
	ReasonPlatform      = "platform not subscribed"
	ReasonLiveActivity  = "live activity not opted in"
	ReasonCampaign      = "campaign filter"
	ReasonMessage       = "message filter"
	ReasonNoIntegration = "no integration"
)

// Filter decides which events an integration takes: an event is sent only if its name,
// platform and the optional campaign and message filters all match (event streaming docs). Names and platforms
// match case-insensitively and are kept in the docs' spelling.
type Filter struct {
	events       map[string]struct{}
	platforms    map[string]struct{} // nil: every platform (webhooks)
	campaigns    map[uint64]struct{} // nil: no campaign filter
	messages     map[string]struct{} // nil: no message filter
	liveActivity bool
}

// FilterConfig is what a Filter is built from.
type FilterConfig struct {
	Events       []string // required
	Platforms    []string // nil: every platform
	Campaigns    []string // campaign ids, decimal
	Messages     []string // message codes
	LiveActivity bool
}

// NewFilter checks a filter configuration and compiles it.
func NewFilter(c FilterConfig) (*Filter, error) {
	f := &Filter{events: map[string]struct{}{}, liveActivity: c.LiveActivity}
	if len(c.Events) == 0 {
		return nil, fmt.Errorf("events: at least one event is required (seed rule), e.g. [Push Sent, Email Opened]")
	}
	for i, e := range c.Events {
		e = strings.TrimSpace(e)
		if e == "" {
			return nil, fmt.Errorf("events[%d]: an event name cannot be empty", i)
		}
		f.events[e] = struct{}{}
	}
	if c.Platforms != nil {
		if len(c.Platforms) == 0 {
			return nil, fmt.Errorf("platforms: at least one platform is required, one of %s", strings.Join(catalog.Platforms, ", "))
		}
		f.platforms = map[string]struct{}{}
		for i, p := range c.Platforms {
			canon, ok := canonicalPlatform(p)
			if !ok {
				return nil, fmt.Errorf("platforms[%d]: %q is not a Pushwoosh platform (want one of %s)", i, p, strings.Join(catalog.Platforms, ", "))
			}
			f.platforms[canon] = struct{}{}
		}
	}
	if len(c.Campaigns) > 0 {
		f.campaigns = map[uint64]struct{}{}
		for i, s := range c.Campaigns {
			id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
			if err != nil || id == 0 {
				return nil, fmt.Errorf("filters.campaigns[%d]: %q is not a campaign id: the filter lists campaign ids as decimal numbers (e.g. \"961048\"), matched against the events' campaign_id", i, s)
			}
			f.campaigns[id] = struct{}{}
		}
	}
	if len(c.Messages) > 0 {
		f.messages = map[string]struct{}{}
		for i, s := range c.Messages {
			s = strings.TrimSpace(s)
			if s == "" {
				return nil, fmt.Errorf("filters.messages[%d]: a message code cannot be empty", i)
			}
			f.messages[s] = struct{}{}
		}
	}
	return f, nil
}

func canonicalPlatform(p string) (string, bool) {
	p = strings.TrimSpace(p)
	for _, c := range catalog.Platforms {
		if strings.EqualFold(p, c) {
			return c, true
		}
	}
	return "", false
}

// Reason says why the filter keeps e out, or "" when it takes e.
func (f *Filter) Reason(e *catalog.Event) string {
	if !has(f.events, e.EventName) {
		return ReasonEvent
	}
	if f.platforms != nil && !has(f.platforms, e.Platform) {
		return ReasonPlatform
	}
	if e.LiveActivityID != "" && !f.liveActivity {
		return ReasonLiveActivity
	}
	if f.campaigns != nil {
		if _, ok := f.campaigns[e.CampaignID]; !ok {
			return ReasonCampaign
		}
	}
	if f.messages != nil {
		if _, ok := f.messages[e.MessageCode]; !ok {
			return ReasonMessage
		}
	}
	return ""
}

// has looks s up as spelt, then compares it case-insensitively with each name (the
// sets are small): an event that the filter keeps out costs no allocation.
func has(m map[string]struct{}, s string) bool {
	if _, ok := m[s]; ok {
		return true
	}
	for name := range m {
		if strings.EqualFold(name, s) {
			return true
		}
	}
	return false
}
