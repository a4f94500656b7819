package api

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

// nearest calls getNearestZone for a device at lat, lng.
func nearest(t *testing.T, f *fixture, app, hwid string, lat, lng float64) envelope {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"request": map[string]any{"application": app, "hwid": hwid, "lat": lat, "lng": lng}})
	_, e := f.call(t, "getNearestZone", string(b))
	return e
}

func TestGeozones(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	app := `"application":"APPCODE-12345"`
	camp := createCampaign(t, f, "Geo")
	preset := field[string](t, admin(t, f, "createPreset", `"name":"Geo","applicationCode":"APPCODE-12345","campaignCode":"`+camp+`","content":{"message":"From the preset"}`), "preset_code")
	cluster := field[string](t, admin(t, f, "addGeoZoneCluster", app+`,"name":"Downtown","cooldown":3600`), "GeoZoneCluster")
	if !shortCodeRE.MatchString(cluster) {
		t.Fatalf("cluster code %q", cluster)
	}
	// Zone 1 on the equator at 0°E with its own content; zone 2 one degree east, with
	// the preset, in the cluster. One degree of the equator is EarthRadius·π/180 m.
	e := admin(t, f, "addGeoZone", app+`,"geozones":[
		{"name":"Origin","lat":"0","lng":"0","cooldown":60,"range":50,"content":"Near the origin"},
		{"name":"East","lat":0,"lng":1,"cooldown":0,"range":1000,"presetCode":"`+preset+`","cluster":"Downtown"}]`)
	if e.StatusCode != 200 || string(e.Response) != `{"GeoZones":[1,2]}` {
		t.Fatalf("addGeoZone: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
	}
	zones := field[[]geozoneView](t, admin(t, f, "listGeoZones", app), "geoZones")
	if len(zones) != 2 || zones[0].ID != 1 || zones[0].Name != "Origin" || zones[0].Range != 50 || zones[0].Cooldown != 60 ||
		zones[0].Status != 1 || string(zones[0].Content) != `"Near the origin"` || zones[1].ID != 2 ||
		zones[1].Cluster != cluster || zones[1].PresetCode != preset || zones[1].Lng != 1 || zones[1].Status != 1 {
		t.Fatalf("listGeoZones: %+v", zones)
	}

	type zoneAnswer struct {
		Name     string
		Lat, Lng float64
		Range    int
		Distance int64
	}
	answer := func(e envelope) zoneAnswer {
		var z zoneAnswer
		if e.StatusCode != 200 || json.Unmarshal(e.Response, &z) != nil {
			t.Fatalf("getNearestZone: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
		}
		return z
	}
	degree := int64(math.Round(state.EarthRadius * math.Pi / 180)) // 111195 m
	// 0.4° east of the origin: the origin is nearer, 0.4 degree away, and nobody
	// entered anything.
	if z := answer(nearest(t, f, appCode, "ios-1", 0, 0.4)); z.Name != "Origin" || z.Distance != int64(math.Round(0.4*float64(degree))) || z.Range != 50 {
		t.Errorf("nearest at 0.4°: %+v", z)
	}
	if z := answer(nearest(t, f, appCode, "ios-1", 0, 0.6)); z.Name != "East" || z.Lng != 1 || z.Distance != int64(math.Round(0.4*float64(degree))) {
		t.Errorf("nearest at 0.6°: %+v", z)
	}
	if n := len(f.messages()); n != 0 {
		t.Fatalf("%d messages sent before entering a zone", n)
	}
	// Entering the origin sends its content to that device, once.
	if z := answer(nearest(t, f, appCode, "ios-1", 0, 0)); z.Distance != 0 {
		t.Errorf("at the origin: %+v", z)
	}
	nearest(t, f, appCode, "ios-1", 0, 0.0001) // 11 m: still inside
	sent := f.messages()
	if len(sent) != 1 || sent[0].Content != "Near the origin" || len(sent[0].Targets) != 1 || sent[0].Targets[0].HWID != "ios-1" {
		t.Fatalf("entering the origin sent %+v", sent)
	}
	// Out and in again within the 60 s cooldown: nothing; after it: again.
	nearest(t, f, appCode, "ios-1", 0, 0.01)
	f.clk.Advance(59 * time.Second)
	nearest(t, f, appCode, "ios-1", 0, 0)
	if n := len(f.messages()); n != 1 {
		t.Fatalf("re-entering within the cooldown sent: %d messages", n)
	}
	nearest(t, f, appCode, "ios-1", 0, 0.01)
	f.clk.Advance(time.Second)
	nearest(t, f, appCode, "ios-1", 0, 0)
	if n := len(f.messages()); n != 2 {
		t.Fatalf("re-entering after the cooldown: %d messages, want 2", n)
	}
	// The east zone sends its preset's content with the preset's campaign; its
	// cluster's hour of cooldown holds back a second entry although the zone has none.
	nearest(t, f, appCode, "and-1", 0, 1)
	nearest(t, f, appCode, "and-1", 0, 0.5)
	f.clk.Advance(10 * time.Minute)
	nearest(t, f, appCode, "and-1", 0, 1)
	sent = f.messages()
	if len(sent) != 3 || sent[2].Content != "From the preset" || sent[2].CampaignID != campaignID(camp) || sent[2].Targets[0].HWID != "and-1" {
		t.Fatalf("entering the east zone: %+v", sent)
	}
	// An unknown device gets the answer but no message.
	nearest(t, f, appCode, "stranger", 0, 1)
	if n := len(f.messages()); n != 3 {
		t.Fatalf("a device pwemu does not know got a message")
	}

	// updateGeoZone: a deactivated zone neither answers nor sends.
	if e := admin(t, f, "updateGeoZone", `"geoZoneId":1,"status":0,"name":"Origin (off)","range":100`); e.StatusCode != 200 || string(e.Response) != "null" {
		t.Fatalf("updateGeoZone: %d %q %s", e.StatusCode, e.StatusMessage, e.Response)
	}
	if z := answer(nearest(t, f, appCode, "ios-2", 0, 0)); z.Name != "East" || z.Distance != degree {
		t.Errorf("nearest with the origin off: %+v", z)
	}
	if n := len(f.messages()); n != 3 {
		t.Fatalf("an inactive zone sent")
	}
	zones = field[[]geozoneView](t, admin(t, f, "listGeoZones", app), "geoZones")
	if zones[0].Status != 0 || zones[0].Name != "Origin (off)" || zones[0].Range != 100 {
		t.Errorf("after updateGeoZone: %+v", zones[0])
	}
	// Clusters: list, then delete unbinds the zone.
	clusters := admin(t, f, "listGeoZoneClusters", app)
	if string(clusters.Response) != `{"clusters":[{"code":"`+cluster+`","name":"Downtown","cooldown":3600}],"total":1}` {
		t.Errorf("listGeoZoneClusters: %s", clusters.Response)
	}
	if e := admin(t, f, "deleteGeoZoneCluster", app+`,"name":"Downtown"`); e.StatusCode != 200 {
		t.Fatalf("deleteGeoZoneCluster: %q", e.StatusMessage)
	}
	if zones = field[[]geozoneView](t, admin(t, f, "listGeoZones", app), "geoZones"); zones[1].Cluster != "" {
		t.Errorf("zone still in a deleted cluster: %+v", zones[1])
	}
	if e := admin(t, f, "deleteGeoZone", `"geoZoneId":[1,2]`); e.StatusCode != 200 {
		t.Fatalf("deleteGeoZone: %q", e.StatusMessage)
	}
	if zones = field[[]geozoneView](t, admin(t, f, "listGeoZones", app), "geoZones"); len(zones) != 0 {
		t.Errorf("after deleteGeoZone: %+v", zones)
	}
	if e := nearest(t, f, appCode, "ios-1", 0, 0); e.StatusCode != 200 || string(e.Response) != "null" {
		t.Errorf("getNearestZone without zones: %s", e.Response)
	}

	// Each refusal with its exact answer.
	zone := `"name":"Z","lat":1,"lng":1,"cooldown":0,"range":50,"content":"x"`
	for _, tc := range []struct{ method, fields, want string }{
		{"addGeoZone", app, catalog.MsgNoGeozones},
		{"addGeoZone", app + `,"geozones":[{` + zone + `},{"lat":1,"lng":1,"cooldown":0,"range":50,"content":"x"}]`, "geozones[1]: name is not set"},
		{"addGeoZone", app + `,"geozones":[{"name":"Z","cooldown":0,"range":50,"content":"x"}]`, "geozones[0]: lat and lng are not set"},
		{"addGeoZone", app + `,"geozones":[{"name":"Z","lat":91,"lng":1,"cooldown":0,"range":50,"content":"x"}]`, "geozones[0]: lat must be from -90 to 90"},
		{"addGeoZone", app + `,"geozones":[{"name":"Z","lat":1,"lng":1,"range":50,"content":"x"}]`, "geozones[0]: cooldown is not set"},
		{"addGeoZone", app + `,"geozones":[{"name":"Z","lat":1,"lng":1,"cooldown":0,"range":49,"content":"x"}]`, "geozones[0]: range must be from 50 to 1000 metres"},
		{"addGeoZone", app + `,"geozones":[{"name":"Z","lat":1,"lng":1,"cooldown":0,"range":1001,"content":"x"}]`, "geozones[0]: range must be from 50 to 1000 metres"},
		{"addGeoZone", app + `,"geozones":[{"name":"Z","lat":1,"lng":1,"cooldown":0,"range":50}]`, "geozones[0]: content or presetCode is required"},
		{"addGeoZone", app + `,"geozones":[{` + zone + `,"presetCode":"NOPE0-00000"}]`, "geozones[0]: " + catalog.MsgPresetNotFound},
		{"addGeoZone", app + `,"geozones":[{` + zone + `,"cluster":"Uptown"}]`, "geozones[0]: " + catalog.MsgClusterNotFound},
		{"addGeoZone", app + `,"geozones":[{` + zone + `,"campaign":"NOPE0-00000"}]`, "geozones[0]: " + catalog.MsgCampaignNotFound},
		{"addGeoZone", app + `,"geozones":[{` + zone + `,"cooldown":-1}]`, "geozones[0]: " + catalog.MsgBadCooldown},
		{"addGeoZone", `"geozones":[{` + zone + `}]`, catalog.MsgTokenOrAppNotSet},
		{"updateGeoZone", `"name":"x"`, catalog.MsgNoGeozoneID},
		{"updateGeoZone", `"geoZoneId":99`, catalog.MsgGeozoneNotFound},
		{"deleteGeoZone", ``, catalog.MsgNoGeozoneID},
		{"deleteGeoZone", `"geoZoneId":[99]`, catalog.MsgGeozoneNotFound},
		{"addGeoZoneCluster", app, catalog.MsgNoClusterName},
		{"deleteGeoZoneCluster", app + `,"name":"Nowhere"`, catalog.MsgClusterNotFound},
		{"deleteGeoZoneCluster", app, catalog.MsgNoClusterName},
	} {
		if e := admin(t, f, tc.method, tc.fields); e.StatusCode != 210 || e.StatusMessage != tc.want {
			t.Errorf("%s %s: %d %q, want 210 %q", tc.method, tc.fields, e.StatusCode, e.StatusMessage, tc.want)
		}
	}
	admin(t, f, "addGeoZoneCluster", app+`,"name":"Twice"`)
	if e := admin(t, f, "addGeoZoneCluster", app+`,"name":"Twice"`); e.StatusMessage != catalog.MsgClusterExists {
		t.Errorf("second cluster of a name: %q", e.StatusMessage)
	}
	for _, tc := range []struct{ body, want string }{
		{req(`"application":"APPCODE-12345","lat":1,"lng":1`), catalog.MsgNoHWID},
		{req(`"application":"APPCODE-12345","hwid":"ios-1"`), catalog.MsgNoCoordinates},
		{req(`"application":"APPCODE-12345","hwid":"ios-1","lat":1,"lng":181`), catalog.MsgBadCoordinates},
	} {
		if _, e := f.call(t, "getNearestZone", tc.body); e.StatusCode != 210 || e.StatusMessage != tc.want {
			t.Errorf("getNearestZone %s: %d %q, want 210 %q", tc.body, e.StatusCode, e.StatusMessage, tc.want)
		}
	}
}

func TestListTestDevices(t *testing.T) {
	f := newFixture(t, testAccounts())
	if e := admin(t, f, "listTestDevices", `"application":"APPCODE-12345"`); e.StatusCode != 200 || string(e.Response) != `{"TestDevices":[]}` {
		t.Fatalf("no test devices: %s", e.Response)
	}
	for _, d := range []string{
		`"push_token":"tok-a","device_type":1,"name":"QA iPhone","description":"the lab's"`,
		`"push_token":"tok-b","device_type":3,"name":"QA Pixel"`,
	} {
		if _, e := f.call(t, "createTestDevice", req(`"application":"APPCODE-12345",`+d)); e.StatusCode != 200 {
			t.Fatalf("createTestDevice: %d %q", e.StatusCode, e.StatusMessage)
		}
	}
	want := `{"TestDevices":[{"name":"QA iPhone","type":1,"pushtoken":"tok-a","description":"the lab's"},{"name":"QA Pixel","type":3,"pushtoken":"tok-b","description":""}]}`
	if e := admin(t, f, "listTestDevices", `"application":"APPCODE-12345"`); string(e.Response) != want {
		t.Errorf("listTestDevices: %s, want %s", e.Response, want)
	}
	if e := admin(t, f, "listTestDevices", `"application":"0THER-00003"`); string(e.Response) != `{"TestDevices":[]}` {
		t.Errorf("another application's test devices: %s", e.Response)
	}
	if e := admin(t, f, "listTestDevices", ``); e.StatusCode != 210 || e.StatusMessage != catalog.MsgTokenOrAppNotSet {
		t.Errorf("listTestDevices without application: %d %q", e.StatusCode, e.StatusMessage)
	}
}
