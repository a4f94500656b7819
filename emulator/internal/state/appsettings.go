package state

import (
	"bytes"
	"fmt"
	"maps"
)

// AppSettings are what a backend sets on an application besides its title
// (createApplication, updateApplication, configureApplication,
// setApplicationPlatformStatus): the icon, the SDK kinds and the platforms
// configured, each enabled or not.
type AppSettings struct {
	Icon       []byte // the PNG as sent (decoded from base64)
	SDKIOS     string // "pw" or "corona"
	SDKAndroid string // "pw", "corona" or "phonegap"
	// Platforms are the configured platforms by device type.
	Platforms map[int]PlatformConfig
}

// PlatformConfig is one configured platform of an application.
type PlatformConfig struct {
	Enabled bool
	// Settings are the platform's configuration fields as configureApplication
	// received them (credentials included: the emulator holds no real ones).
	Settings map[string]string
}

func (a *AppSettings) clone() AppSettings {
	c := *a
	c.Icon = bytes.Clone(a.Icon)
	c.Platforms = make(map[int]PlatformConfig, len(a.Platforms))
	for t, p := range a.Platforms {
		p.Settings = maps.Clone(p.Settings)
		c.Platforms[t] = p
	}
	return c
}

// AppSettings returns the settings of an application of an account.
func (s *Store) AppSettings(accountID, code string) (AppSettings, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.w.apps[code]
	if !ok || a.AccountID != accountID {
		return AppSettings{}, fmt.Errorf("application %q: %w", code, ErrNotFound)
	}
	set := s.w.admin.settings[code]
	if set == nil {
		return AppSettings{Platforms: map[int]PlatformConfig{}}, nil
	}
	return set.clone(), nil
}

// UpdateApplication changes an application of an account: its title when title is
// not empty, and its settings through change.
func (s *Store) UpdateApplication(accountID, code, title string, change func(*AppSettings)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.w.apps[code]
	if !ok || a.AccountID != accountID {
		return fmt.Errorf("application %q: %w", code, ErrNotFound)
	}
	if title != "" {
		a.Name = title
	}
	set := s.w.admin.settings[code]
	if set == nil {
		set = &AppSettings{Platforms: map[int]PlatformConfig{}}
		s.w.admin.settings[code] = set
	}
	if change != nil {
		change(set)
	}
	return nil
}
