package api

import (
	"net/http"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// Users (https://docs.pushwoosh.com/developer/api-reference/user-centric-api):
// unregisterUser unties a device from its user, getUsersDetails reports an
// application's users and their devices through getResults, and the v2 device API's
// deleteUser forgets a user with every device tied to it.

// unregisterUser unties the device hwid (or every device of userId) from its user
// id; the devices stay registered.
func (s *Server) unregisterUser(c *call) reply {
	if c.req.HWID == "" && c.req.UserID == "" {
		return refused(catalog.MsgNoUnregisterTarget)
	}
	if err := s.st.UnregisterUser(c.app().Code, string(c.req.HWID), string(c.req.UserID)); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

type usersDetailsRequest struct {
	Users  []flexString `json:"users"`
	UserID flexString   `json:"userId"`
}

// userView is a user as getUsersDetails' result lists it.
type userView struct {
	UserID  string       `json:"userId"`
	Devices []deviceView `json:"devices"`
}

type deviceView struct {
	HWID       string         `json:"hwid"`
	Platform   string         `json:"platform"`
	DeviceType int            `json:"device_type"`
	PushToken  string         `json:"push_token"`
	Language   string         `json:"language,omitempty"`
	Timezone   int64          `json:"timezone"`
	Subscribed bool           `json:"subscribed"`
	Tags       map[string]any `json:"tags"`
}

// getUsersDetails answers a request_id whose getResults result lists the users of
// the application (those of users or userId when given) with their devices.
func (s *Server) getUsersDetails(c *call) reply {
	var r usersDetailsRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	want := strs(r.Users)
	if r.UserID != "" {
		want = append(want, string(r.UserID))
	}
	users := []userView{}
	for _, u := range s.st.Users(c.app().Code, want) {
		v := userView{UserID: u.UserID, Devices: make([]deviceView, 0, len(u.Devices))}
		for _, d := range u.Devices {
			tags := d.Tags
			if tags == nil {
				tags = map[string]any{}
			}
			v.Devices = append(v.Devices, deviceView{HWID: d.HWID, Platform: catalog.PlatformName(d.Type), DeviceType: d.Type,
				PushToken: d.PushToken, Language: d.Language, Timezone: d.Timezone, Subscribed: d.Subscribed, Tags: tags})
		}
		users = append(users, v)
	}
	return s.statsRequest(c, map[string]any{"users": users})
}

type deleteUserRequest struct {
	Application string     `json:"application"`
	UserID      flexString `json:"user_id"`
	UserIDCamel flexString `json:"userId"` // the gateway takes lowerCamelCase names too
}

// deleteUser is POST /api/v2/device-api/deleteUser: it forgets the user and its
// devices at once (Pushwoosh does it in the background after answering 200) and
// answers the empty DeleteUserResponse.
func (s *Server) deleteUser(c *call) reply {
	var r deleteUserRequest
	if decodeRequestInto(c.in.body, &r) != nil {
		return badRequest(catalog.MsgBadJSON)
	}
	user := string(r.UserID)
	if user == "" {
		user = string(r.UserIDCamel)
	}
	switch {
	case r.Application == "":
		return badRequest(catalog.MsgNoDeleteUserApp)
	case user == "":
		return badRequest(catalog.MsgNoDeleteUserID)
	}
	if _, err := s.st.DeleteUser(c.app().Code, user); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}
