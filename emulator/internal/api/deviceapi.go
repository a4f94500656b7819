package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
)

// The HTTP gateway of Pushwoosh's v2 device service (pushwoosh.device_api.v2,
// POST /api/v2/device-api/<rpc>, the iOS SDK's PushwooshGRPC module and the Android
// SDK's tracking host): bodies are the requests' protobuf JSON, not wrapped in
// "request", with snake_case or lowerCamelCase names. Each RPC with a v1.3 twin runs
// the v1.3 handler (its API rules and token allow lists use the v1.3 name) on the
// body renamed to the v1.3 fields; answers are the response message ({} when the
// v1.3 answer is null) and errors the gateway's {"code","message","details"}.

// PrefixDeviceAPI is where the v2 device service's gateway paths live.
const PrefixDeviceAPI = "/api/v2/device-api/"

// deviceRPCs maps the gateway's paths to the methods that answer them. The *Sync
// variants do synchronously what the others queue: pwemu does everything at once.
var deviceRPCs = map[string]string{
	"applicationOpen":             "applicationOpen",
	"setBadge":                    "setBadge",
	"pushStat":                    "pushStat",
	"messageDeliveryEvent":        "messageDeliveryEvent",
	"setTags":                     "setTags",
	"getTags":                     "getTags",
	"multiRegisterDevice":         "multiRegisterDevice",
	"multiRegisterDeviceSync":     "multiRegisterDevice",
	"registerDevice":              "registerDevice",
	"registerDeviceSync":          "registerDevice",
	"unregisterDevice":            "unregisterDevice",
	"unregisterDeviceSync":        "unregisterDevice",
	"deleteDevice":                "deleteDevice",
	"deleteDeviceSync":            "deleteDevice",
	"checkDevice":                 "checkDevice",
	"registerUser":                "registerUser",
	"getInApps":                   "getInApps",
	"richMediaAction":             "richMediaAction",
	"setActivityToken":            "setActivityToken",
	"setActivityPushToStartToken": "setActivityPushToStartToken",
	"setMADID":                    "setMADID",
	"deleteUser":                  methodDeleteUser,
	"deleteUserSync":              methodDeleteUser,
}

// methodDeleteUser has no v1.3 twin.
const methodDeleteUser = "deleteUser"

// v2FieldNames renames the v2 requests' fields to the v1.3 names the handlers read;
// the original field stays too.
var v2FieldNames = map[string]string{
	"user_id":                  "userId",
	"platform":                 "device_type",
	"pushToken":                "push_token",
	"activityToken":            "activity_token",
	"activityId":               "activity_id",
	"activityPushToStartToken": "activity_push_to_start_token",
	"rich_media_code":          "richMediaCode",
	"inapp_code":               "inappCode",
	"inappCode":                "inappCode",
	"message_hash":             "messageHash",
	"actionType":               "action_type",
	"pushDevices":              "push_devices",
	"smsPhoneNumber":           "sms_phone_number",
	"whatsappPhoneNumber":      "whatsapp_phone_number",
}

// v13Body wraps a v2 device request as a v1.3 body with the v1.3 field names.
func v13Body(body []byte) ([]byte, bool) {
	var fields map[string]json.RawMessage
	if len(bytes.TrimSpace(body)) == 0 {
		fields = map[string]json.RawMessage{}
	} else if json.Unmarshal(body, &fields) != nil || fields == nil {
		return nil, false
	}
	for from, to := range v2FieldNames {
		if v, set := fields[from]; set {
			if _, taken := fields[to]; !taken {
				fields[to] = v
			}
		}
	}
	if _, set := fields["userId"]; !set {
		if v, set := fields["user_id"]; set {
			fields["userId"] = v
		}
	}
	b, err := json.Marshal(map[string]any{"request": fields})
	return b, err == nil
}

// callDeviceV2 answers one call of the v2 device gateway: in.method is the method
// that answers it.
func (s *Server) callDeviceV2(ctx context.Context, in *incoming) reply {
	orig := in.body
	wrapped, good := v13Body(orig)
	if !good {
		return badRequest(msgBadJSON)
	}
	in.body = wrapped
	defer func() { in.body = orig }()
	if in.method != methodDeleteUser {
		return s.callV13(ctx, in)
	}
	if err := decodeRequest(in.body, &in.req); err != nil {
		return httpError(http.StatusBadRequest)
	}
	c := &in.call
	*c = call{in: in, req: &in.req}
	if in.req.Application == "" {
		return badRequest(msgNoDeleteUserApp)
	}
	if r, good := s.authorizeDevice(c, in.method); !good {
		return r
	}
	return s.deleteUser(c)
}
