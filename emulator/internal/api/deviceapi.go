package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"
	"github.com/pwemu/pwemu/emulator/catalog"
)

// The HTTP gateway of Pushwoosh's v2 device service (pushwoosh.device_api.v2,
// POST /api/v2/device-api/<rpc>, the iOS SDK's PushwooshGRPC module and the Android
// SDK's tracking host): bodies are the requests' protobuf JSON, not wrapped in
// "request", with snake_case or lowerCamelCase names. Each RPC with a v1.3 twin runs
// the v1.3 handler (its API rules and token allow lists use the v1.3 name) on the
// body renamed to the v1.3 fields; answers are the response message ({} when the
// v1.3 answer is null) and errors the gateway's {"code","message","details"}.

// PrefixDeviceAPI is where the v2 device service's gateway paths live.
const PrefixDeviceAPI = catalog.PrefixDeviceAPI

// deviceTwins are the v1.3 methods whose RPC the gateway serves under the same name;
// syncTwins also have a *Sync variant, which does synchronously what the other
// queues: pwemu does everything at once.
var (
	deviceTwins = []*catalog.Endpoint{catalog.ApplicationOpen, catalog.SetBadge, catalog.PushStat,
		catalog.MessageDeliveryEvent, catalog.SetTags, catalog.GetTags, catalog.CheckDevice, catalog.RegisterUser,
		catalog.GetInApps, catalog.RichMediaAction, catalog.SetActivityToken, catalog.SetActivityPushToStartToken,
		catalog.SetMADID}
	syncTwins = []*catalog.Endpoint{catalog.MultiRegisterDevice, catalog.RegisterDevice, catalog.UnregisterDevice,
		catalog.DeleteDevice}
)

// deviceRPCs maps the gateway's RPC names to the v1.3 methods that answer them.
var deviceRPCs = func() map[string]string {
	m := map[string]string{}
	for _, t := range deviceTwins {
		m[t.Method] = t.Method
	}
	for _, t := range syncTwins {
		m[t.Method], m[t.Method+"Sync"] = t.Method, t.Method
	}
	return m
}()

// deviceGateway are the endpoints serveDeviceAPI serves.
var deviceGateway = map[*catalog.Endpoint]bool{catalog.DeleteUser: true, catalog.DeviceAPI: true}

// serveDeviceAPI serves the gateway: deleteUser, and the RPCs with a v1.3 twin.
func (s *Server) serveDeviceAPI(ep *catalog.Endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		method, found := ep.Method, true
		if ep != catalog.DeleteUser {
			method, found = deviceRPCs[mux.Vars(r)["rpc"]]
		}
		s.serve(w, r, method, true, func(ctx context.Context, in *incoming) reply {
			in.jsonKnown, in.isJSON = true, len(in.body) == 0 || json.Valid(in.body)
			if !found {
				return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgUnknownAPIPath+" "+in.path)
			}
			return s.callDeviceV2(ctx, in)
		})
	}
}

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
		return badRequest(catalog.MsgBadJSON)
	}
	in.body = wrapped
	defer func() { in.body = orig }()
	if in.method != catalog.DeleteUser.Method {
		return s.callV13(ctx, in)
	}
	if err := decodeRequest(in.body, &in.req); err != nil {
		return httpError(http.StatusBadRequest)
	}
	c := &in.call
	*c = call{in: in, req: &in.req}
	if in.req.Application == "" {
		return badRequest(catalog.MsgNoDeleteUserApp)
	}
	if r, good := s.authorizeDevice(c, in.method); !good {
		return r
	}
	return s.deleteUser(c)
}
