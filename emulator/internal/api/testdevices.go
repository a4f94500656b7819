package api

import "github.com/pwemu/pwemu/emulator/internal/state"

// Test devices (https://docs.pushwoosh.com/developer/api-reference/test-devices):
// createTestDevice is a device method (sdk.go); listTestDevices is the backend's.

// listTestDevices lists the application's test devices (createTestDevice) as
// {"TestDevices":[{name, type, pushtoken, description}]}.
func (s *Server) listTestDevices(c *call) reply {
	ds := s.st.TestDevices(c.app().Code)
	if ds == nil {
		ds = []state.TestDevice{}
	}
	return ok(map[string][]state.TestDevice{"TestDevices": ds})
}
