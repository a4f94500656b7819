package state

import "slices"

// LiveActivityTargets finds the subscribed devices of an application that hold live
// activity id: those a startLiveActivity reached (remembered pushes), those whose
// SDK reported a token for it (setActivityToken), and those holding one of tokens.
// It also answers the activity id a token names when id is empty. Sorted by hwid.
func (s *Store) LiveActivityTargets(application, id string, tokens []string) ([]Target, string) {
	held := map[string]bool{}
	l := s.pushLog()
	l.mu.Lock()
	if id != "" {
		for _, p := range l.ring[l.head:] {
			if p != nil && p.Application == application && p.LiveActivityID == id {
				held[p.HWID] = true
			}
		}
	}
	l.mu.Unlock()
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[application]
	if !ok {
		return nil, id
	}
	for _, d := range a.devices {
		for activity, token := range d.ActivityTokens {
			if (id != "" && activity == id) || slices.Contains(tokens, token) {
				held[d.HWID] = true
				if id == "" {
					id = activity
				}
			}
		}
	}
	var out []Target
	for hwid := range held {
		if d, ok := a.devices[hwid]; ok && d.Subscribed {
			out = append(out, d.Target())
		}
	}
	slices.SortFunc(out, func(x, y Target) int { return cmpString(x.HWID, y.HWID) })
	return out, id
}
