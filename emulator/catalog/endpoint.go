package catalog

import (
	"net/http"
	"slices"
	"strings"
)

// Auth is the kind of token an endpoint takes.
type Auth string

const (
	// AuthServer: a server (API access) token, in request.auth or, on the newer
	// APIs, in an "Authorization: Token …" header.
	AuthServer Auth = "server"
	// AuthDevice: an optional device token in an "Authorization: Token …" header;
	// the request names the application.
	AuthDevice Auth = "device"
	// AuthNone: no token.
	AuthNone Auth = "none"
)

// Family groups endpoints as Pushwoosh's documentation does.
type Family string

// Families, in the order of the endpoint inventory.
const (
	FamilyDevice         Family = "Device (SDK)"
	FamilyUsers          Family = "User / events"
	FamilyEmailSMS       Family = "Email / SMS"
	FamilyMessages       Family = "Messages v1.3"
	FamilyMessagingV2    Family = "Messaging API v2"
	FamilyLiveActivities Family = "Live Activities"
	FamilyPresets        Family = "Presets"
	FamilyTags           Family = "Tags admin"
	FamilyAudience       Family = "Audience / bulk v2"
	FamilySegments       Family = "Segments / filters"
	FamilyApplications   Family = "Applications"
	FamilyCampaigns      Family = "Campaigns"
	FamilyEvents         Family = "Events admin"
	FamilyGeozones       Family = "Geozones"
	FamilyTestDevices    Family = "Test devices"
	FamilyInbox          Family = "Inbox"
	FamilyStatsV1        Family = "Statistics v1 (scheduled)"
	FamilyStatsV2        Family = "Statistics v2"
	FamilyJourneys       Family = "Customer Journey"
	FamilyDeviceV2       Family = "Device API v2 / gRPC"
)

// Path prefixes of the API families that share a route shape.
const (
	PrefixV13         = "/json/1.3/"     // + method name
	PrefixMessagingV2 = "/messaging/v2/" // + action
	PrefixAPI         = "/api/"          // the newer APIs: one path template per endpoint
	PrefixDeviceAPI   = "/api/v2/device-api/"
)

// Request fields that endpoints require and that the API itself checks before a
// handler runs.
const (
	FieldAuth               = "auth"
	FieldApplication        = "application"
	FieldApplicationOrGroup = "application|applications_group" // one of the two
)

// AnyMethod is the API rule method that matches every call.
const AnyMethod = "*"

// Endpoint is one emulated Pushwoosh endpoint.
type Endpoint struct {
	// Method is the endpoint's name: what API rules and token allow lists name and
	// the journal records ("createMessage", "notify").
	Method string
	HTTP   string // HTTP method; POST when empty
	// Path is a gorilla/mux path template; PrefixV13+Method when empty.
	Path   string
	Family Family
	Auth   Auth
	// Requires are the request fields without which pwemu refuses the call; "a|b"
	// means one of a and b.
	Requires []string
	Answer   string // the documented answer: the shape of "response" or of the body
	Doc      string // the documentation page the behaviour comes from
}

// V13 reports whether e is a v1.3 method, served at POST /json/1.3/<method> with the
// {"request": …} body and the status envelope answer.
func (e *Endpoint) V13() bool { return e.Path == PrefixV13+e.Method }

// MessagingV2 reports whether e is an action of the messaging API v2.
func (e *Endpoint) MessagingV2() bool { return strings.HasPrefix(e.Path, PrefixMessagingV2) }

// Needs reports whether the endpoint requires field.
func (e *Endpoint) Needs(field string) bool { return slices.Contains(e.Requires, field) }

// endpoints are the entries, in declaration order.
var endpoints []*Endpoint

// add records an entry, filling in the v1.3 defaults.
func add(e *Endpoint) *Endpoint {
	if e.HTTP == "" {
		e.HTTP = http.MethodPost
	}
	if e.Path == "" {
		e.Path = PrefixV13 + e.Method
	}
	endpoints = append(endpoints, e)
	return e
}

// Endpoints lists the emulated endpoints, by family then as declared. The entries
// are shared: read only.
func Endpoints() []*Endpoint {
	out := slices.Clone(endpoints)
	order := map[Family]int{}
	for i, f := range families {
		order[f] = i
	}
	slices.SortStableFunc(out, func(a, b *Endpoint) int { return order[a.Family] - order[b.Family] })
	return out
}

var families = []Family{FamilyDevice, FamilyUsers, FamilyEmailSMS, FamilyMessages, FamilyMessagingV2,
	FamilyLiveActivities, FamilyPresets, FamilyTags, FamilyAudience, FamilySegments, FamilyApplications,
	FamilyCampaigns, FamilyEvents, FamilyGeozones, FamilyTestDevices, FamilyInbox, FamilyStatsV1,
	FamilyStatsV2, FamilyJourneys, FamilyDeviceV2}

// Lookup finds an endpoint by its method name.
func Lookup(method string) (*Endpoint, bool) {
	for _, e := range endpoints {
		if e.Method == method {
			return e, true
		}
	}
	return nil, false
}

// MethodNames lists the endpoints' method names, in Endpoints order: the names an
// API rule and a token's allow list may use (besides AnyMethod).
func MethodNames() []string {
	var out []string
	for _, e := range Endpoints() {
		out = append(out, e.Method)
	}
	return out
}

// Listing is an endpoint as GET /_pwemu/methods and `pwemu methods --json` show it.
type Listing struct {
	Method string `json:"method"`
	Path   string `json:"path"`
	Family Family `json:"family"`
	Auth   Auth   `json:"auth"`
}

// Listings lists the emulated endpoints, in Endpoints order.
func Listings() []Listing {
	eps := Endpoints()
	out := make([]Listing, len(eps))
	for i, e := range eps {
		out[i] = Listing{Method: e.Method, Path: e.Path, Family: e.Family, Auth: e.Auth}
	}
	return out
}
