package api

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// Applications (https://docs.pushwoosh.com/developer/api-reference/applications and
// …/app-configuration): createApplication, updateApplication, getApplication,
// getApplications, deleteApplication, configureApplication, and two methods that
// client libraries list without a documented shape, setApplicationPlatformStatus
// and getApplicationFile.

// pngSignature starts every PNG file.
var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// appRequest is what createApplication and updateApplication read.
type appRequest struct {
	Title      string `json:"title"`
	Icon       string `json:"icon"`
	SDKIOS     string `json:"sdk_ios"`
	SDKAndroid string `json:"sdk_android"`
}

// settingsFrom checks an application request's icon and SDK kinds and returns the
// change they make to the settings.
func settingsFrom(r appRequest) (func(*state.AppSettings), reply, bool) {
	var icon []byte
	if r.Icon != "" {
		b, err := base64.StdEncoding.DecodeString(r.Icon)
		if err != nil || len(b) < len(pngSignature) || string(b[:len(pngSignature)]) != string(pngSignature) {
			return nil, refused(catalog.MsgBadIcon), false
		}
		icon = b
	}
	if r.SDKIOS != "" && r.SDKIOS != "pw" && r.SDKIOS != "corona" {
		return nil, refused(catalog.MsgBadSDKIOS), false
	}
	if r.SDKAndroid != "" && r.SDKAndroid != "pw" && r.SDKAndroid != "corona" && r.SDKAndroid != "phonegap" {
		return nil, refused(catalog.MsgBadSDKAndroid), false
	}
	return func(a *state.AppSettings) {
		if icon != nil {
			a.Icon = icon
		}
		if r.SDKIOS != "" {
			a.SDKIOS = r.SDKIOS
		}
		if r.SDKAndroid != "" {
			a.SDKAndroid = r.SDKAndroid
		}
	}, reply{}, true
}

func (s *Server) createApplication(c *call) reply {
	var r appRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	title := strings.TrimSpace(r.Title)
	if title == "" {
		title = strings.TrimSpace(string(c.req.Name))
	}
	if title == "" {
		return refused(catalog.MsgNoAppTitle)
	}
	change, rep, good := settingsFrom(r)
	if !good {
		return rep
	}
	// Codes derive from the seed; a clash with an existing code takes the next one.
	for range 16 {
		code := applicationCode(s.seed, s.st.NextSeq())
		err := s.st.CreateApplication(state.Application{Code: code, Name: title, AccountID: c.account.ID, Created: c.in.arrive})
		if err == nil {
			s.st.UpdateApplication(c.account.ID, code, "", change) //nolint:errcheck // just created
			return ok(map[string]string{"application": code})
		}
	}
	return refused(catalog.MsgAppCodeExhausted)
}

// updateApplication changes the title, icon and SDK kinds it is given; the others
// stay.
func (s *Server) updateApplication(c *call) reply {
	var r appRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	change, rep, good := settingsFrom(r)
	if !good {
		return rep
	}
	if err := s.st.UpdateApplication(c.account.ID, c.app().Code, strings.TrimSpace(r.Title), change); err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(nil)
}

// providerKeys name the platforms in configureApplication's "providers", by device
// type, as the App Configuration API answers them.
var providerKeys = map[int]string{
	catalog.DeviceIOS: "ios", catalog.DeviceAndroid: "android", catalog.DeviceMacOS: "osx", catalog.DeviceWindows: "windows",
	catalog.DeviceAmazon: "amazon", catalog.DeviceSafari: "safari", catalog.DeviceChrome: "chrome", catalog.DeviceFirefox: "firefox",
	catalog.DeviceInternetExplorer: "internet_explorer", catalog.DeviceEmail: "email", catalog.DeviceHuawei: "huawei_android",
	catalog.DeviceSMS: "sms", catalog.DeviceWhatsApp: "whats_app",
}

// providers is the documented "providers" object: every platform, true when it is
// configured and enabled. "web" is any browser platform; pwemu has no Baidu.
func providers(set state.AppSettings) map[string]bool {
	out := map[string]bool{"baidu_android": false, "web": false}
	for t, key := range providerKeys {
		p, found := set.Platforms[t]
		out[key] = found && p.Enabled
	}
	out["web"] = out["safari"] || out["chrome"] || out["firefox"] || out["internet_explorer"]
	return out
}

// requiredConfig are the fields the App Configuration API marks required, by
// platform; platforms not listed take any fields.
var requiredConfig = map[int][]string{
	catalog.DeviceIOS: {"ios_key_management_type", "ios_key_file", "ios_key_password", "ios_gateway", "ios_framework"},
}

// configureApplication configures (and enables) one platform of an application:
// device_type and the platform's fields, kept as sent.
func (s *Server) configureApplication(c *call) reply {
	var fields map[string]json.RawMessage
	if !c.decodeInto(&fields) {
		return httpError(http.StatusBadRequest)
	}
	typ := int(c.req.DeviceType.V)
	if _, known := providerKeys[typ]; !known {
		return refused(catalog.MsgBadDeviceType)
	}
	settings := map[string]string{}
	for k, v := range fields {
		if k == "auth" || k == "application" || k == "device_type" || isNull(v) {
			continue
		}
		if text := rawString(v); text != "" {
			settings[k] = text
		} else {
			settings[k] = string(v)
		}
	}
	for _, k := range requiredConfig[typ] {
		if settings[k] == "" {
			return refused(catalog.MsgMissingConfigField + k)
		}
	}
	var after state.AppSettings
	err := s.st.UpdateApplication(c.account.ID, c.app().Code, "", func(a *state.AppSettings) {
		a.Platforms[typ] = state.PlatformConfig{Enabled: true, Settings: settings}
		after = *a
	})
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	return ok(map[string]any{"providers": providers(after)})
}

// platformStatusRequest is setApplicationPlatformStatus' request. Its shape is not
// documented: pwemu takes the platform as device_type (or platform) and status as a
// boolean, 0/1 or "enabled"/"disabled".
type platformStatusRequest struct {
	Platform flexInt         `json:"platform"`
	Status   json.RawMessage `json:"status"`
}

func platformStatus(raw json.RawMessage) (enabled, set bool) {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(string(raw)), `"`)) {
	case "true", "1", "enabled", "enable", "on", "active":
		return true, true
	case "false", "0", "disabled", "disable", "off", "inactive":
		return false, true
	}
	return false, false
}

// setApplicationPlatformStatus enables or disables a configured platform.
func (s *Server) setApplicationPlatformStatus(c *call) reply {
	var r platformStatusRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	typ := int(c.req.DeviceType.V)
	if !c.req.DeviceType.Set {
		typ = int(r.Platform.V)
	}
	if _, known := providerKeys[typ]; !known {
		return refused(catalog.MsgBadDeviceType)
	}
	enabled, set := platformStatus(r.Status)
	if !set {
		return refused(catalog.MsgNoPlatformStatus)
	}
	var after state.AppSettings
	configured := false
	err := s.st.UpdateApplication(c.account.ID, c.app().Code, "", func(a *state.AppSettings) {
		if p, found := a.Platforms[typ]; found {
			configured = true
			p.Enabled = enabled
			a.Platforms[typ] = p
		}
		after = *a
	})
	switch {
	case err != nil:
		return refused(catalog.MsgAppNotFound)
	case !configured:
		return refused(catalog.MsgPlatformNotSet)
	}
	return ok(map[string]any{"providers": providers(after)})
}

// getApplicationFile answers a file the application holds, base64-encoded: its icon
// ("icon", the default) or a file field a platform was configured with (such as
// "ios_key_file"). The shape is not documented; pwemu answers {filename, content}.
func (s *Server) getApplicationFile(c *call) reply {
	var r struct {
		File string `json:"file"`
	}
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	set, err := s.st.AppSettings(c.account.ID, c.app().Code)
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	name := strings.TrimSpace(r.File)
	if name == "" || name == "icon" {
		if len(set.Icon) == 0 {
			return refused(catalog.MsgFileNotFound)
		}
		return ok(map[string]string{"filename": "icon.png", "content": base64.StdEncoding.EncodeToString(set.Icon)})
	}
	for _, t := range slices.Sorted(maps.Keys(set.Platforms)) {
		if v, found := set.Platforms[t].Settings[name]; found && strings.HasSuffix(name, "_file") {
			return ok(map[string]string{"filename": name, "content": v})
		}
	}
	return refused(catalog.MsgFileNotFound)
}

// applicationDetails is getApplication's "application": the documented fields
// (credentials pwemu does not hold are empty) with the title, code, SDK kinds and
// the configured platforms.
type applicationDetails struct {
	Code             string          `json:"code"`
	Title            string          `json:"title"`
	IconURL          *string         `json:"icon_url"`
	ADMCID           string          `json:"adm_cid"`
	ADMSecret        string          `json:"adm_secret"`
	AndroidAPIType   string          `json:"android_api_type"`
	AndroidGCMAPIKey string          `json:"android_gcm_api_key"`
	AndroidSDK       string          `json:"android_sdk"`
	IOSAppleAppID    string          `json:"ios_apple_appid"`
	IOSSDK           string          `json:"ios_sdk"`
	IOSGateway       string          `json:"ios_gateway"`
	Providers        map[string]bool `json:"providers"`
}

func (s *Server) getApplication(c *call) reply {
	app := c.app()
	set, err := s.st.AppSettings(c.account.ID, app.Code)
	if err != nil {
		return refused(catalog.MsgAppNotFound)
	}
	d := applicationDetails{Code: app.Code, Title: app.Name, AndroidSDK: orDefault(set.SDKAndroid, "pw"),
		IOSSDK: orDefault(set.SDKIOS, "pw"), Providers: providers(set)}
	if len(set.Icon) > 0 {
		u := "data:image/png;base64," + base64.StdEncoding.EncodeToString(set.Icon)
		d.IconURL = &u
	}
	if p, found := set.Platforms[catalog.DeviceIOS]; found {
		d.IOSGateway = p.Settings["ios_gateway"]
		d.IOSAppleAppID = p.Settings["ios_apple_appid"]
	}
	if p, found := set.Platforms[catalog.DeviceAndroid]; found {
		d.AndroidGCMAPIKey = p.Settings["android_gcm_api_key"]
		d.AndroidAPIType = p.Settings["android_api_type"]
	}
	if p, found := set.Platforms[catalog.DeviceAmazon]; found {
		d.ADMCID, d.ADMSecret = p.Settings["adm_cid"], p.Settings["adm_secret"]
	}
	return ok(map[string]applicationDetails{"application": d})
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// applicationsPage is how many applications getApplications answers a page.
const applicationsPage = 100

// getApplications answers the applications the token covers, a hundred a page
// (page counts from 1), as {code: title} in "applications" — the shape client
// libraries read — with the total over all pages.
func (s *Server) getApplications(c *call) reply {
	var r struct {
		Page flexInt `json:"page"`
	}
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	page := max(int(r.Page.V), 1)
	var all []state.Application
	for _, a := range s.st.Applications(c.account.ID) {
		if c.token.Covers(a.Code) {
			all = append(all, a)
		}
	}
	apps := map[string]string{}
	start := min((page-1)*applicationsPage, len(all))
	for _, a := range all[start:min(start+applicationsPage, len(all))] {
		apps[a.Code] = a.Name
	}
	return ok(struct {
		Applications map[string]string `json:"applications"`
		Page         int               `json:"page"`
		Total        int               `json:"total"`
	}{apps, page, len(all)})
}
