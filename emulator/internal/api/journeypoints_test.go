package api

import (
	"encoding/json"
	"testing"
	"time"
)

func TestGatewayPointsRefused(t *testing.T) {
	f := journeyFixture(t)
	const entry = `{"uuid":"s","point_type":"POINT_TYPE_START_BY_API","outputs":[{"key":"default","info":{"next_point_uuid":"p"}}]}`
	for _, tc := range []struct{ name, points, want string }{
		{"not a list", `{}`, `points: the body is not a JSON object of the documented shape`},
		{"no uuid", `[{"point_type":"POINT_TYPE_EXIT"}]`, `points[0]: uuid is required`},
		{"duplicate uuid", `[{"uuid":"a","point_type":"POINT_TYPE_EXIT"},{"uuid":"a","point_type":"POINT_TYPE_EXIT"}]`, `points[1]: uuid \"a\" is used by another point`},
		{"no type", `[{"uuid":"a"}]`, `point \"a\": point_type is required`},
		{"unknown next", `[{"uuid":"a","point_type":"POINT_TYPE_EXIT","outputs":[{"key":"default","info":{"next_point_uuid":"zz"}}]}]`,
			`point \"a\": output \"default\" names next_point_uuid \"zz\", which is no point of the journey`},
		{"two API entries", `[{"uuid":"a","point_type":"POINT_TYPE_START_BY_API"},{"uuid":"b","point_type":"POINT_TYPE_START_BY_API"}]`, `a journey takes one Start by API point, this one has 2`},
		{"push without message", `[` + entry + `,{"uuid":"p","point_type":"POINT_TYPE_SEND_PUSH","point_data":{"send_push":{}}}]`, `point \"p\": send_push needs a preset_code or a content`},
		{"unknown preset", `[` + entry + `,{"uuid":"p","point_type":"POINT_TYPE_SEND_PUSH","point_data":{"send_push":{"preset_code":"NOPE"}}}]`, `point \"p\": preset \"NOPE\" not found`},
		{"wrong data key", `[` + entry + `,{"uuid":"p","point_type":"POINT_TYPE_SEND_PUSH","point_data":{"wait":{}}}]`, `point \"p\": point_data must hold \"send_push\" for POINT_TYPE_SEND_PUSH`},
		{"bad delay", `[` + entry + `,{"uuid":"p","point_type":"POINT_TYPE_WAIT","point_data":{"wait":{"delay":"a day"}}}]`, `point \"p\": wait.delay must be a positive duration such as \"86400s\"`},
		{"loop", `[` + entry + `,{"uuid":"p","point_type":"POINT_TYPE_WAIT","point_data":{"wait":{"delay":"60s"}},"outputs":[{"key":"default","info":{"next_point_uuid":"s"}}]}]`,
			`point \"s\": the path of default outputs from the Start by API point comes back to it`},
	} {
		code, body := f.raw(t, "/api/v3/journeygateway", `{"title":"T","params":{"application_code":"APPCODE-12345"},"points":`+tc.points+`}`, apiAuth)
		if want := `{"code":3,"message":"` + tc.want + `","details":[]}`; code != 400 || body != want {
			t.Errorf("%s: %d %s\nwant 400 %s", tc.name, code, body, want)
		}
	}
}

func TestGatewayPointsRun(t *testing.T) {
	f := journeyFixture(t)
	create := func(points string) string {
		t.Helper()
		code, body := f.raw(t, "/api/v3/journeygateway", `{"title":"Flow","params":{"application_code":"APPCODE-12345"},"points":`+points+`}`, apiAuth)
		var j gatewayJourney
		if code != 200 || json.Unmarshal([]byte(body), &j) != nil {
			t.Fatalf("create: %d %s", code, body)
		}
		if code, body := f.raw(t, "/api/v3/journeygateway/start", `{"uuid":"`+j.Info.UUID+`"}`, apiAuth); code != 200 {
			t.Fatalf("lifecycle start: %d %s", code, body)
		}
		return j.Info.UUID
	}
	// Without a Start by API point (a segment entry only), users cannot be entered by API.
	id := create(`[{"uuid":"seg","point_type":"POINT_TYPE_START_BY_SEGMENT","point_data":{"start_by_segment":{"filter_code":"X"}}}]`)
	if code, body := f.raw(t, "/api/journey/"+id+"/start/external", `{"payload":{"users":["alice"]}}`, apiAuth); code != 400 ||
		body != `{"code":9,"message":"the journey has no active Start by API point","details":[]}` {
		t.Errorf("no API entry: %d %s", code, body)
	}
	// A deactivated entry point refuses the same way.
	id = create(`[{"uuid":"s","point_type":"POINT_TYPE_START_BY_API","point_data":{"start_by_api":{"is_deactivated":true}}}]`)
	if code, _ := f.raw(t, "/api/journey/"+id+"/start/external", `{"payload":{"users":["alice"]}}`, apiAuth); code != 400 {
		t.Errorf("deactivated API entry: %d", code)
	}
	// Two waits add up; a point of another type passes users on by its default output;
	// an exit point ends the path (the push after it never goes).
	out := func(next string) string {
		return `"outputs":[{"key":"default","info":{"next_point_uuid":"` + next + `"}}]`
	}
	id = create(`[` +
		`{"uuid":"s","point_type":"POINT_TYPE_START_BY_API",` + out("w1") + `},` +
		`{"uuid":"w1","point_type":"POINT_TYPE_WAIT","point_data":{"wait":{"delay":"3600s"}},` + out("split") + `},` +
		`{"uuid":"split","point_type":"POINT_TYPE_BOOLEAN_SPLITTER","outputs":[{"key":"output1","info":{"next_point_uuid":"never"}},{"key":"default","info":{"next_point_uuid":"w2"}}]},` +
		`{"uuid":"w2","point_type":"POINT_TYPE_WAIT","point_data":{"wait":{"delay":"1800s"}},` + out("p1") + `},` +
		`{"uuid":"p1","title":"Hello","point_type":"POINT_TYPE_SEND_PUSH","point_data":{"send_push":{"content":{"en":"Hello there"}}},` + out("x") + `},` +
		`{"uuid":"x","point_type":"POINT_TYPE_EXIT",` + out("never") + `},` +
		`{"uuid":"never","title":"Never","point_type":"POINT_TYPE_SEND_PUSH","point_data":{"send_push":{"content":"never"}}}]`)
	if code, body := f.raw(t, "/api/journey/"+id+"/start/external", `{"payload":{"hwids":["ios-1"]}}`, apiAuth); code != 200 {
		t.Fatalf("start/external: %d %s", code, body)
	}
	f.clk.Advance(90*time.Minute - time.Second)
	if n := len(f.messages()); n != 0 {
		t.Fatalf("%d messages before the waits ended", n)
	}
	f.clk.Advance(time.Second)
	f.clk.Advance(48 * time.Hour)
	sent := f.messages()
	if len(sent) != 1 || sent[0].JourneyTitle != "Flow" || sent[0].JourneyPointTitle != "Hello" || sent[0].Content != "Hello there" {
		t.Fatalf("sent: %+v", sent)
	}
}
