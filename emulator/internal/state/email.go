package state

import "github.com/pwemu/pwemu/emulator/catalog"

// DeleteEmail forgets an email subscription of an application (deleteEmail): the
// email "device" only; the user and its other devices stay. It reports whether
// there was one.
func (s *Store) DeleteEmail(application, email string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, acc, err := s.appLocked(application)
	if err != nil {
		return false, err
	}
	d, ok := a.devices[email]
	if !ok || d.Type != catalog.DeviceEmail {
		return false, nil
	}
	if d.PushToken != "" {
		delete(a.byToken, d.PushToken)
	}
	if d.Subscribed {
		acc.devices--
	}
	delete(a.devices, email)
	return true, nil
}
