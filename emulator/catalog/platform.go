package catalog

import (
	"slices"
	"strings"
)

// Platform is a platform Pushwoosh sends to.
type Platform struct {
	Name       string // as events carry it ("iOS", "Internet Explorer")
	DeviceType int    // the device_type of the API; 0 when pwemu's API has none for it
	// Aliases are the other names the API's filters and the messaging API v2 take,
	// upper case without spaces ("OSX"); the name itself so written is always one.
	Aliases []string
}

// Device types, as registerDevice's device_type gives them
// (https://docs.pushwoosh.com/developer/api-reference/device-api).
const (
	DeviceIOS              = 1
	DeviceAndroid          = 3
	DeviceMacOS            = 7
	DeviceWindows          = 8
	DeviceAmazon           = 9
	DeviceSafari           = 10
	DeviceChrome           = 11
	DeviceFirefox          = 12
	DeviceInternetExplorer = 13
	DeviceEmail            = 14
	DeviceHuawei           = 17
	DeviceSMS              = 18
	DeviceXiaomi           = 19
	DeviceWhatsApp         = 21
)

// PlatformTable lists the platforms in the documentation's order.
var PlatformTable = []Platform{
	{"iOS", DeviceIOS, nil},
	{"Android", DeviceAndroid, nil},
	{"macOS", DeviceMacOS, []string{"OSX"}},
	{"Windows", DeviceWindows, nil},
	{"Amazon", DeviceAmazon, nil},
	{"Safari", DeviceSafari, nil},
	{"Chrome", DeviceChrome, nil},
	{"Firefox", DeviceFirefox, nil},
	{"Internet Explorer", DeviceInternetExplorer, []string{"IE"}},
	{"Baidu", 0, nil},
	{"Huawei", DeviceHuawei, nil},
	{"Email", DeviceEmail, nil},
	{"SMS", DeviceSMS, nil},
	{"Line", 0, nil},
	{"Xiaomi", DeviceXiaomi, nil},
	{"WhatsApp", DeviceWhatsApp, nil},
}

// Platforms are the platform names, in PlatformTable order: what streams, events and
// scenarios use.
var Platforms = func() []string {
	out := make([]string, len(PlatformTable))
	for i, p := range PlatformTable {
		out[i] = p.Name
	}
	return out
}()

// PlatformName is the name of a device type, "" when the API knows no such type.
func PlatformName(deviceType int) string {
	for _, p := range PlatformTable {
		if p.DeviceType == deviceType && deviceType != 0 {
			return p.Name
		}
	}
	return ""
}

// DeviceTypes lists the API's device types, ascending.
func DeviceTypes() []int {
	var out []int
	for _, p := range PlatformTable {
		if p.DeviceType != 0 {
			out = append(out, p.DeviceType)
		}
	}
	slices.Sort(out)
	return out
}

// DeviceTypeNamed reads a platform name as the API's filters and the messaging API v2
// write it — any case, spaces ignored ("IOS", "internet explorer", "OSX") — and gives
// its device type; false for names without one.
func DeviceTypeNamed(name string) (int, bool) {
	key := strings.ToUpper(strings.ReplaceAll(name, " ", ""))
	for _, p := range PlatformTable {
		if p.DeviceType == 0 {
			continue
		}
		if strings.ToUpper(strings.ReplaceAll(p.Name, " ", "")) == key {
			return p.DeviceType, true
		}
		for _, a := range p.Aliases {
			if a == key {
				return p.DeviceType, true
			}
		}
	}
	return 0, false
}
