package api

import (
	"encoding/json"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Device methods: what SDKs and client libraries call about one device.

func (s *Server) registerDevice(c *call) reply {
	r := c.req
	if r.HWID == "" && r.Email != "" {
		// The docs allow an email in place of hwid and push token.
		r.HWID, r.PushToken = flexString(r.Email), r.Email
		if !r.DeviceType.Set {
			r.DeviceType = flexInt{V: catalog.DeviceEmail, Set: true}
		}
	}
	if r.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	if catalog.PlatformName(int(r.DeviceType.V)) == "" {
		return refused(catalog.MsgBadDeviceType)
	}
	tags, err := decodeObject(r.Tags)
	if err != nil {
		return refused(catalog.MsgBadTags)
	}
	reg := state.Registration{Application: c.app().Code, HWID: string(r.HWID), PushToken: r.PushToken,
		Type: int(r.DeviceType.V), Language: r.Language, UserID: string(r.UserID), Tags: tags}
	if tz, ok := seconds(r.Timezone); ok {
		reg.Timezone = &tz
	}
	if reg.Language != "" {
		if reg.Tags == nil {
			reg.Tags = map[string]any{}
		}
		if _, set := reg.Tags["Language"]; !set {
			reg.Tags["Language"] = reg.Language
		}
	}
	created, _, err := s.st.RegisterDevice(reg, c.in.arrive)
	if err != nil {
		return deviceRefusal(err)
	}
	if created {
		s.st.Record(reg.Application, appActionInstall, c.in.arrive)
	}
	s.st.Record(reg.Application, appActionRegister, c.in.arrive)
	return ok(nil)
}

// seconds reads a timezone offset in seconds (a number or a numeric string).
func seconds(raw json.RawMessage) (int64, bool) {
	if isNull(raw) {
		return 0, false
	}
	var f flexInt
	if f.UnmarshalJSON(raw) != nil || !f.Set {
		return 0, false
	}
	return f.V, true
}

func (s *Server) unregisterDevice(c *call) reply {
	if c.req.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	if err := s.st.UnregisterDevice(c.app().Code, string(c.req.HWID)); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	s.st.Record(c.app().Code, appActionUnregister, c.in.arrive)
	return ok(nil)
}

func (s *Server) deleteDevice(c *call) reply {
	if c.req.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	if err := s.st.DeleteDevice(c.app().Code, string(c.req.HWID)); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

func (s *Server) checkDevice(c *call) reply {
	if c.req.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	d, found := s.st.Device(c.app().Code, string(c.req.HWID))
	return ok(struct {
		Exist          bool `json:"exist"`
		PushTokenExist bool `json:"push_token_exist"`
	}{found, found && d.Subscribed && d.PushToken != ""})
}

// setTags sets tags of a device, or (userId instead of hwid, as documented) of every
// device of a user.
func (s *Server) setTags(c *call) reply {
	if c.req.HWID != "" {
		return s.setDeviceTags(c, string(c.req.HWID))
	}
	if c.req.UserID == "" {
		return refused(catalog.MsgNoHWID)
	}
	hwids := s.st.UserDevices(c.app().Code, string(c.req.UserID))
	if len(hwids) == 0 {
		hwids = []string{string(c.req.UserID)} // a user without a device yet is keyed by its id
	}
	var last reply
	for _, h := range hwids {
		if last = s.setDeviceTags(c, h); last.code != 200 {
			return last
		}
	}
	return last
}

func (s *Server) setDeviceTags(c *call, hwid string) reply {
	tags, err := decodeObject(c.req.Tags)
	if err != nil {
		return refused(catalog.MsgBadTags)
	}
	skipped, err := s.st.SetTags(c.app().Code, hwid, tags, c.in.arrive)
	if err != nil {
		return deviceRefusal(err)
	}
	if len(skipped) == 0 {
		return ok(nil)
	}
	return ok(map[string][]state.Skipped{"skipped": skipped})
}

// getTags reads the tags of a device, or (userId instead of hwid) of the user's
// first device.
func (s *Server) getTags(c *call) reply {
	hwid := string(c.req.HWID)
	if hwid == "" && c.req.UserID != "" {
		hwid = string(c.req.UserID)
		if hwids := s.st.UserDevices(c.app().Code, string(c.req.UserID)); len(hwids) > 0 {
			hwid = hwids[0]
		}
	}
	if hwid == "" {
		return refused(catalog.MsgNoHWID)
	}
	tags, err := s.st.DeviceTags(c.app().Code, hwid)
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(map[string]map[string]any{"result": tags})
}

func (s *Server) setBadge(c *call) reply {
	r := c.req
	if r.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	badge := r.Badge
	if !badge.Set {
		badge = r.Badges
	}
	if !badge.Set {
		return refused(catalog.MsgNoBadge)
	}
	err := s.st.Touch(c.app().Code, string(r.HWID), func(d *state.Device) { d.Badge = int(badge.V) })
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

func (s *Server) applicationOpen(c *call) reply {
	r := c.req
	if r.HWID == "" {
		return refused(catalog.MsgNoHWID)
	}
	err := s.st.Touch(c.app().Code, string(r.HWID), func(d *state.Device) {
		d.LastOpen = c.in.arrive
		if d.Type == 0 && catalog.PlatformName(int(r.DeviceType.V)) != "" {
			d.Type = int(r.DeviceType.V)
		}
		if r.UserID != "" {
			d.UserID = string(r.UserID)
		}
	})
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	s.st.Count(c.app().Code, "open") //nolint:errcheck // the application was just found
	s.st.Record(c.app().Code, appActionOpen, c.in.arrive)
	return ok(nil)
}

// registerUser ties a user id to a device; without userId the hwid is the user id,
// as documented.
func (s *Server) registerUser(c *call) reply {
	r := c.req
	if r.UserID == "" {
		if r.HWID == "" {
			return refused(catalog.MsgNoHWID)
		}
		r.UserID = r.HWID
	}
	hwid := string(r.HWID)
	if hwid == "" {
		hwid = string(r.UserID) // Pushwoosh keys a user without a device by its id
	}
	err := s.st.Touch(c.app().Code, hwid, func(d *state.Device) { d.UserID = string(r.UserID) })
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

func (s *Server) registerEmail(c *call) reply {
	r := c.req
	if r.Email == "" {
		return refused(catalog.MsgNoEmail)
	}
	tags, err := decodeObject(r.Tags)
	if err != nil {
		return refused(catalog.MsgBadTags)
	}
	reg := state.Registration{Application: c.app().Code, HWID: r.Email, PushToken: r.Email,
		Type: catalog.DeviceEmail, Language: r.Language, UserID: string(r.UserID), Tags: tags}
	if r.TZOffset.Set {
		reg.Timezone = &r.TZOffset.V
	}
	if _, _, err := s.st.RegisterDevice(reg, c.in.arrive); err != nil {
		return deviceRefusal(err)
	}
	return ok(nil)
}

func (s *Server) registerEmailUser(c *call) reply {
	r := c.req
	if r.Email == "" {
		return refused(catalog.MsgNoEmail)
	}
	if r.UserID == "" {
		return refused(catalog.MsgNoUserID)
	}
	err := s.st.Touch(c.app().Code, r.Email, func(d *state.Device) { d.UserID = string(r.UserID) })
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

func (s *Server) setEmailTags(c *call) reply {
	if c.req.Email == "" {
		return refused(catalog.MsgNoEmail)
	}
	return s.setDeviceTags(c, c.req.Email)
}

func (s *Server) getPopupForms(*call) reply {
	return okRaw([]byte(`{"popup_forms":[]}`))
}

// nothing answers OK to calls that leave no trace in pwemu (page visits).
func (s *Server) nothing(*call) reply { return ok(nil) }
