package state

import "slices"

// TestDevice is a device registered as a test device of an application
// (createTestDevice), for sending test messages.
type TestDevice struct {
	Name        string `json:"name"`
	Type        int    `json:"type"`
	PushToken   string `json:"pushtoken"`
	Description string `json:"description"`
}

// AddTestDevice registers a test device of an application, replacing one of the
// same name.
func (s *Store) AddTestDevice(application string, d TestDevice) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, err := s.appLocked(application)
	if err != nil {
		return err
	}
	a.testDevices = slices.DeleteFunc(a.testDevices, func(t TestDevice) bool { return t.Name == d.Name })
	a.testDevices = append(a.testDevices, d)
	return nil
}

// TestDevices lists the test devices of an application, in the order added.
func (s *Store) TestDevices(application string) []TestDevice {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[application]
	if !ok {
		return nil
	}
	return slices.Clone(a.testDevices)
}

// UserDevices lists the hwids of an application's devices (subscribed or not) that
// belong to a user, sorted.
func (s *Store) UserDevices(application, userID string) []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[application]
	if !ok || userID == "" {
		return nil
	}
	var out []string
	for _, d := range a.devices {
		if d.UserID == userID {
			out = append(out, d.HWID)
		}
	}
	slices.Sort(out)
	return out
}

// MergeUser moves the devices of user from to user to, over the applications of an
// application's account (mergeUser); Pushwoosh's merge flag only decides what
// happens to the old user's event history, which pwemu does not keep. It returns
// how many devices moved.
func (s *Store) MergeUser(application, from, to string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, err := s.appLocked(application)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, other := range s.w.apps {
		if other.AccountID != a.AccountID {
			continue
		}
		for _, d := range other.devices {
			if d.UserID == from {
				d.UserID = to
				moved++
			}
		}
	}
	return moved, nil
}
