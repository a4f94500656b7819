package state

import (
	"slices"
	"strings"
)

// DeleteUser forgets a user of an application and every device (push, email, SMS)
// tied to it (the v2 device API's deleteUser). It returns how many devices went.
func (s *Store) DeleteUser(application, userID string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, acc, err := s.appLocked(application)
	if err != nil {
		return 0, err
	}
	gone := 0
	for hwid, d := range a.devices {
		if userID == "" || d.UserID != userID {
			continue
		}
		if d.PushToken != "" {
			delete(a.byToken, d.PushToken)
		}
		if d.Subscribed {
			acc.devices--
		}
		delete(a.devices, hwid)
		gone++
	}
	return gone, nil
}

// UnregisterUser unties devices of an application from their user: the device
// hwid, or (hwid empty) every device of userID. Unknown devices are not an error.
func (s *Store) UnregisterUser(application, hwid, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, err := s.appLocked(application)
	if err != nil {
		return err
	}
	for _, d := range a.devices {
		if (hwid != "" && d.HWID == hwid) || (hwid == "" && userID != "" && d.UserID == userID) {
			d.UserID = ""
		}
	}
	return nil
}

// User is a user of an application with its devices, as getUsersDetails reports it.
type User struct {
	UserID  string
	Devices []Device // by hwid
}

// Users lists the users of an application (only those named when users is not
// empty), by user id, each with its devices.
func (s *Store) Users(application string, users []string) []User {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[application]
	if !ok {
		return nil
	}
	by := map[string][]Device{}
	for _, d := range a.devices {
		if d.UserID == "" || (len(users) > 0 && !slices.Contains(users, d.UserID)) {
			continue
		}
		by[d.UserID] = append(by[d.UserID], d.clone())
	}
	out := make([]User, 0, len(by))
	for id, ds := range by {
		slices.SortFunc(ds, func(x, y Device) int { return cmpString(x.HWID, y.HWID) })
		out = append(out, User{UserID: id, Devices: ds})
	}
	slices.SortFunc(out, func(x, y User) int { return cmpString(x.UserID, y.UserID) })
	return out
}

func cmpString(a, b string) int { return strings.Compare(a, b) }
