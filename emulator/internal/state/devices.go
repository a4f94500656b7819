package state

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Device is one device (or email address, or phone number) of an application.
type Device struct {
	Application string
	HWID        string
	PushToken   string
	Subscribed  bool // registered and not unregistered since: messages go to it
	Type        int  // catalog.DeviceIOS, …; 0 when never registered
	Language    string
	Timezone    int64
	UserID      string
	Badge       int
	Tags        map[string]any
	Registered  time.Time // last registerDevice; zero when only touched by other calls
	LastOpen    time.Time
	MADID       string // advertising id (setMADID)
	// Live activities: activity id → its push token (setActivityToken), and the
	// push-to-start token (setActivityPushToStartToken).
	ActivityTokens   map[string]string
	PushToStartToken string
	Purchases        []Purchase // setPurchase, oldest first, the last MaxPurchases
}

// Target is a device a message can go to.
type Target struct {
	HWID     string
	UserID   string
	Type     int
	Platform string
	Timezone int64 // offset from UTC in seconds, as the device reported it
}

// Target is the device as a message target.
func (d *Device) Target() Target {
	return Target{HWID: d.HWID, UserID: d.UserID, Type: d.Type, Platform: catalog.PlatformName(d.Type), Timezone: d.Timezone}
}

func (d *Device) clone() Device {
	c := *d
	c.Tags = maps.Clone(d.Tags)
	c.ActivityTokens = maps.Clone(d.ActivityTokens)
	c.Purchases = slices.Clone(d.Purchases)
	return c
}

// Registration is what registerDevice (or registerEmail) says about a device; empty
// fields leave what is known unchanged.
type Registration struct {
	Application string
	HWID        string
	PushToken   string
	Type        int
	Language    string
	Timezone    *int64
	UserID      string
	Tags        map[string]any
}

// RegisterDevice creates or updates a device and subscribes it. It
// reports whether the device is new and the tags it could not set.
func (s *Store) RegisterDevice(r Registration, now time.Time) (created bool, skipped []Skipped, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, acc, err := s.appLocked(r.Application)
	if err != nil {
		return false, nil, err
	}
	d, ok := a.devices[r.HWID]
	if !ok {
		if len(a.devices) >= s.limits.DevicesPerApp {
			return false, nil, fmt.Errorf("application %q has %d devices: %w", r.Application, len(a.devices), ErrLimit)
		}
		d = &Device{Application: r.Application, HWID: r.HWID}
		a.devices[r.HWID] = d
	}
	if r.PushToken != "" && r.PushToken != d.PushToken {
		if d.PushToken != "" {
			delete(a.byToken, d.PushToken)
		}
		// A push token belongs to one device: a reinstall gets a new hwid, and the
		// old record loses the token.
		if other, taken := a.byToken[r.PushToken]; taken && other != r.HWID {
			if od := a.devices[other]; od != nil {
				od.PushToken = ""
				if od.Subscribed {
					od.Subscribed = false
					acc.devices--
				}
			}
		}
		d.PushToken = r.PushToken
		a.byToken[r.PushToken] = r.HWID
	}
	if !d.Subscribed {
		d.Subscribed = true
		acc.devices++
	}
	if r.Type != 0 {
		d.Type = r.Type
	}
	if r.Language != "" {
		d.Language = r.Language
	}
	if r.Timezone != nil {
		d.Timezone = *r.Timezone
	}
	if r.UserID != "" {
		d.UserID = r.UserID
	}
	d.Registered = now
	if len(r.Tags) > 0 {
		skipped = setTagsLocked(acc, d, r.Tags, now, s.limits.TagsPerAccount)
	}
	return !ok, skipped, nil
}

// UnregisterDevice unsubscribes a device: it stays known (tags and all) but gets no
// messages. Unknown devices are not an error (Pushwoosh answers OK).
func (s *Store) UnregisterDevice(application, hwid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, acc, err := s.appLocked(application)
	if err != nil {
		return err
	}
	if d, ok := a.devices[hwid]; ok && d.Subscribed {
		d.Subscribed = false
		acc.devices--
	}
	return nil
}

// DeleteDevice forgets a device and everything about it. Unknown devices are not an
// error.
func (s *Store) DeleteDevice(application, hwid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, acc, err := s.appLocked(application)
	if err != nil {
		return err
	}
	if d, ok := a.devices[hwid]; ok {
		if d.PushToken != "" {
			delete(a.byToken, d.PushToken)
		}
		if d.Subscribed {
			acc.devices--
		}
		delete(a.devices, hwid)
	}
	return nil
}

// Device returns a device of an application.
func (s *Store) Device(application, hwid string) (Device, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[application]
	if !ok {
		return Device{}, false
	}
	d, ok := a.devices[hwid]
	if !ok {
		return Device{}, false
	}
	return d.clone(), true
}

// Touch applies f to a device of an application, creating the device record (not
// subscribed) when it is unknown: setBadge, applicationOpen, registerUser and the
// like may come before registerDevice.
func (s *Store) Touch(application, hwid string, f func(d *Device)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, _, err := s.appLocked(application)
	if err != nil {
		return err
	}
	d, ok := a.devices[hwid]
	if !ok {
		d = &Device{Application: application, HWID: hwid}
		a.devices[hwid] = d
	}
	token, subscribed, tags := d.PushToken, d.Subscribed, d.Tags
	f(d)
	// f may not move what the indexes and counts rely on.
	d.Application, d.HWID, d.PushToken, d.Subscribed, d.Tags = application, hwid, token, subscribed, tags
	return nil
}

// RegisteredDevices counts the subscribed devices of an account over all its
// applications: what the subscriber and active-device limits compare with.
func (s *Store) RegisteredDevices(accountID string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if a, ok := s.w.accounts[accountID]; ok {
		return a.devices
	}
	return 0
}

// ResolveDevices finds the subscribed devices of an application named by hwid or
// push token, in the order given; ids that match none are returned as unknown.
// Devices whose type keep rejects are left out (but are not unknown).
func (s *Store) ResolveDevices(application string, ids []string, keep func(deviceType int) bool) (found []Target, unknown []string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[application]
	if !ok {
		return nil, slices.Clone(ids)
	}
	for _, id := range ids {
		d, ok := a.devices[id]
		if !ok || !d.Subscribed {
			d = nil
			if hwid, byToken := a.byToken[id]; byToken {
				d = a.devices[hwid]
			}
		}
		if d == nil || !d.Subscribed {
			unknown = append(unknown, id)
			continue
		}
		if (keep != nil && !keep(d.Type)) || slices.ContainsFunc(found, func(t Target) bool { return t.HWID == d.HWID }) {
			continue // lists of devices are short: a scan beats a map
		}
		found = append(found, d.Target())
	}
	return found, unknown
}

// DevicesOfUsers finds the subscribed devices of an application whose user id is one
// of users, ordered by hwid.
func (s *Store) DevicesOfUsers(application string, users []string, keep func(deviceType int) bool) []Target {
	want := make(map[string]bool, len(users))
	for _, u := range users {
		want[u] = true
	}
	return s.devices(application, func(d *Device) bool {
		return want[d.UserID] && (keep == nil || keep(d.Type))
	})
}

// SubscribedDevices lists the subscribed devices of an application whose type keep
// accepts (all when keep is nil), ordered by hwid.
func (s *Store) SubscribedDevices(application string, keep func(deviceType int) bool) []Target {
	return s.devices(application, func(d *Device) bool { return keep == nil || keep(d.Type) })
}

// devices lists the subscribed devices of an application that match, ordered by hwid.
func (s *Store) devices(application string, match func(d *Device) bool) []Target {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[application]
	if !ok {
		return nil
	}
	var out []Target
	for _, d := range a.devices {
		if d.Subscribed && match(d) {
			out = append(out, d.Target())
		}
	}
	slices.SortFunc(out, func(x, y Target) int { return strings.Compare(x.HWID, y.HWID) })
	return out
}

// appLocked finds an application and its account; s.mu must be held.
func (s *Store) appLocked(code string) (*app, *account, error) {
	a, ok := s.w.apps[code]
	if !ok {
		return nil, nil, fmt.Errorf("application %q: %w", code, ErrNotFound)
	}
	return a, s.w.accounts[a.AccountID], nil
}

// AccountDevices lists the subscribed devices of all applications of an account,
// tags included, ordered by application and hwid: what devices filters select from.
func (s *Store) AccountDevices(accountID string) []Device {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Device
	for _, a := range s.w.apps {
		if a.AccountID != accountID {
			continue
		}
		for _, d := range a.devices {
			if d.Subscribed {
				out = append(out, d.clone())
			}
		}
	}
	slices.SortFunc(out, func(x, y Device) int {
		if c := strings.Compare(x.Application, y.Application); c != 0 {
			return c
		}
		return strings.Compare(x.HWID, y.HWID)
	})
	return out
}
