package targeting

import (
	"errors"
	"fmt"
	"slices"

	"github.com/pwemu/pwemu/emulator/internal/state"
)

// MaxListed is how many devices or users one message may list (Pushwoosh: "not more
// than 1000").
const MaxListed = 1000

// ErrUnknownFilter is what Named returns for a filter name the account does not have.
var ErrUnknownFilter = errors.New("filter not found")

// Query says whom a message is for. Devices, when set, are the audience and the
// rest but Platforms is ignored, as Pushwoosh documents; otherwise the audience is
// every subscribed device of Apps, narrowed by Users and by Expr.
type Query struct {
	Apps      []string
	Platforms []int    // device types; nil for all
	Devices   []string // hwids or push tokens
	Users     []string // user ids
	Expr      *Expr    // devices filter, named filter or tag conditions, combined with And
}

// Audience is where a message goes: per application of the query, its devices.
type Audience struct {
	Apps    []string
	Targets [][]state.Target
	// Unknown lists the devices named but not known: for several applications, a
	// device counts as unknown only when none knows it, under the first application.
	Unknown map[string][]string
}

// Count is the number of devices of the audience.
func (a *Audience) Count() int {
	n := 0
	for _, t := range a.Targets {
		n += len(t)
	}
	return n
}

// HWIDs lists the hwids of the audience, application after application.
func (a *Audience) HWIDs() []string {
	var out []string
	for _, ts := range a.Targets {
		for _, t := range ts {
			out = append(out, t.HWID)
		}
	}
	return out
}

// Named is the expression of an account's saved filter: its filter_expression, or
// its older conditions and operator.
func Named(st *state.Store, accountID, name string) (*Expr, error) {
	for _, f := range st.Filters(accountID) {
		if f.Name != name {
			continue
		}
		if f.FilterExpression != "" {
			e, err := Parse(f.FilterExpression)
			if err != nil {
				return nil, fmt.Errorf("filter %q: %w", name, err)
			}
			return e, nil
		}
		e, err := Conditions(f.Conditions, f.Operator, nil)
		if err != nil {
			return nil, fmt.Errorf("filter %q: %w", name, err)
		}
		if e == nil {
			return everything, nil
		}
		return e, nil
	}
	return nil, fmt.Errorf("%q: %w", name, ErrUnknownFilter)
}

// everything is a filter without conditions: it keeps every device.
var everything = &Expr{kind: 'T', op: "ALL"}

// KnownTag reports, for an account, whether a tag is defined (by addTag, by setTags
// or as one of Pushwoosh's default tags).
func KnownTag(st *state.Store, accountID string) func(string) bool {
	return func(name string) bool { return st.HasTag(accountID, name) }
}

// Select finds the audience of a query among an account's devices.
func Select(st *state.Store, accountID string, q Query) Audience {
	keep := func(t int) bool { return q.Platforms == nil || slices.Contains(q.Platforms, t) }
	aud := Audience{Apps: q.Apps, Targets: make([][]state.Target, len(q.Apps))}
	switch {
	case len(q.Devices) > 0:
		missing := map[string]int{} // how many applications do not know each device id
		for i, app := range q.Apps {
			found, unknown := st.ResolveDevices(app, q.Devices, keep)
			aud.Targets[i] = found
			seen := make(map[string]bool, len(unknown)) // an id listed twice counts once
			for _, id := range unknown {
				if !seen[id] {
					seen[id] = true
					missing[id]++
				}
			}
		}
		for _, id := range q.Devices {
			if len(q.Apps) > 0 && missing[id] == len(q.Apps) {
				if aud.Unknown == nil {
					aud.Unknown = map[string][]string{}
				}
				aud.Unknown[q.Apps[0]] = append(aud.Unknown[q.Apps[0]], id)
				delete(missing, id) // listed once
			}
		}
	case q.Expr != nil:
		var universe []state.Device
		for _, d := range st.AccountDevices(accountID) {
			if slices.Contains(q.Apps, d.Application) && keep(d.Type) &&
				(len(q.Users) == 0 || slices.Contains(q.Users, d.UserID)) {
				universe = append(universe, d)
			}
		}
		groups := func(code string) []string {
			g, _ := st.Group(code)
			return g.Applications
		}
		selected := eval(q.Expr, universe, groups)
		for i := range universe { // in application and hwid order
			d := &universe[i]
			if selected[deviceKey{d.Application, d.HWID}] {
				a := slices.Index(q.Apps, d.Application)
				aud.Targets[a] = append(aud.Targets[a], d.Target())
			}
		}
	case len(q.Users) > 0:
		for i, app := range q.Apps {
			aud.Targets[i] = st.DevicesOfUsers(app, q.Users, keep)
		}
	default:
		for i, app := range q.Apps {
			aud.Targets[i] = st.SubscribedDevices(app, keep)
		}
	}
	return aud
}
