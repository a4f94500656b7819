package stream

import (
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
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

// NewFilter compiles a checked filter (scenarios.Plan).
func NewFilter(c scenarios.FilterPlan) *Filter {
	f := &Filter{events: set(c.Events), liveActivity: c.LiveActivity}
	if c.Platforms != nil {
		f.platforms = set(c.Platforms)
	}
	if len(c.Campaigns) > 0 {
		f.campaigns = make(map[uint64]struct{}, len(c.Campaigns))
		for _, id := range c.Campaigns {
			f.campaigns[id] = struct{}{}
		}
	}
	if len(c.Messages) > 0 {
		f.messages = set(c.Messages)
	}
	return f
}

func set(l []string) map[string]struct{} {
	m := make(map[string]struct{}, len(l))
	for _, s := range l {
		m[s] = struct{}{}
	}
	return m
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
