package api

import (
	"archive/zip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// v2 posts a body to an /api/ path and decodes the answer.
func v2call[T any](t *testing.T, f *fixture, method, path, body string, headers ...string) (int, T) {
	t.Helper()
	code, out := f.do(t, method, path, body, headers...)
	var v T
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%s %s: %d %s: %v", method, path, code, out, err)
	}
	return code, v
}

type v2err struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Details []any  `json:"details"`
}

func TestBulkSetTags(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	admin(t, f, "addTag", `"tag":{"name":"Level","type":1}`)
	admin(t, f, "addTag", `"tag":{"name":"Topics","type":3}`)
	f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"ios-2","tags":{"Topics":["news","sport"]}`))
	body := `{"application":"APPCODE-12345","auth":"TESTAUTHTOKEN","devices":[
		{"hwid":"ios-1","tags":{"Level":5}},
		{"user_id":"alice","tags":{"Level":7}},
		{"hwid":"ios-2","list_operator":"append","tags":{"Topics":["music"]}},
		{"push_token":"tok-and-1","list_operator":"remove","tags":{"Topics":["none"]}},
		{"hwid":"ghost","tags":{"Level":1}},
		{"hwid":"ios-1","user_id":"alice","tags":{"Level":1}},
		{"hwid":"ios-1","list_operator":"toggle","tags":{"Level":1}},
		{"hwid":"ios-1","tags":{"Unknown":1}},
		{"hwid":"ios-1"}]}`
	code, accepted := v2call[map[string]string](t, f, http.MethodPost, "/api/v2/audience/bulkSetTags", body)
	id := accepted["request_id"]
	if code != 200 || id == "" || accepted["status"] != "Pending" || len(accepted) != 2 {
		t.Fatalf("bulkSetTags: %d %v", code, accepted)
	}
	// Pending until the emulator clock reaches the job, and nothing applied yet.
	_, st := v2call[bulkStatus](t, f, http.MethodGet, "/api/v2/audience/bulkSetTags/"+id+"?detailed=true", "", "Authorization: Api TESTAUTHTOKEN")
	if st.Status != "Pending" || st.Progress != 0 || len(st.Devices) != 0 {
		t.Fatalf("before the clock moves: %+v", st)
	}
	if tags, _ := f.st.DeviceTags(appCode, "ios-1"); tags["Level"] != nil {
		t.Fatalf("applied before its time: %v", tags)
	}
	f.clk.Advance(time.Second)
	_, st = v2call[bulkStatus](t, f, http.MethodGet, "/api/v2/audience/bulkSetTags/"+id, "", "Authorization: Api TESTAUTHTOKEN")
	if st.Status != "Completed" || st.Progress != 100 || st.DevicesSuccess != 4 || st.DevicesNotFound != 1 || st.DevicesFailed != 4 || st.Devices != nil {
		t.Fatalf("after: %+v", st)
	}
	_, st = v2call[bulkStatus](t, f, http.MethodGet, "/api/v2/audience/bulkSetTags/"+id+"?detailed=true", "", "Authorization: Api TESTAUTHTOKEN")
	want := []struct {
		status, err string
	}{
		{"success", ""}, {"success", ""}, {"success", ""}, {"success", ""},
		{"not_found", rowNoDevice}, {"failed", rowOneID}, {"failed", rowBadOperator},
		{"failed", `tag "Unknown" does not exist`}, {"failed", rowNoTags},
	}
	if len(st.Devices) != len(want) {
		t.Fatalf("detailed: %+v", st.Devices)
	}
	for i, w := range want {
		r := st.Devices[i]
		if r.Row != i || r.Status != w.status || (w.err == "") != (len(r.Errors) == 0) || (w.err != "" && r.Errors[0] != w.err) {
			t.Errorf("row %d: %+v, want %s %q", i, r, w.status, w.err)
		}
	}
	// The valid rows were applied, the others not.
	for _, tc := range []struct {
		hwid, tag string
		want      string
	}{
		{"ios-1", "Level", "7"}, // by hwid, then by alice's user id
		{"and-1", "Level", "7"},
		{"ios-2", "Topics", `["news","sport","music"]`},
	} {
		tags, _ := f.st.DeviceTags(appCode, tc.hwid)
		if got, _ := json.Marshal(tags[tc.tag]); string(got) != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.hwid, tc.tag, got, tc.want)
		}
	}
	// create_missing_tags lets a row define its tag.
	_, accepted = v2call[map[string]string](t, f, http.MethodPost, "/api/v2/audience/bulkSetTags",
		`{"application":"APPCODE-12345","auth":"TESTAUTHTOKEN","create_missing_tags":true,"devices":[{"hwid":"ios-1","tags":{"Fresh":"yes"}}]}`)
	if accepted["request_id"] == "" {
		t.Fatalf("create_missing_tags: no request_id in %v", accepted)
	}
	f.clk.Advance(time.Second)
	if tags, _ := f.st.DeviceTags(appCode, "ios-1"); tags["Fresh"] != "yes" {
		t.Errorf("create_missing_tags: %v", tags)
	}
	// Refusals of the whole request, with their HTTP status, code and message.
	for _, tc := range []struct {
		method, path, body string
		headers            []string
		status             int
		want               v2err
	}{
		{"POST", "/api/v2/audience/bulkSetTags", `{"application":"APPCODE-12345","devices":[{"hwid":"a","tags":{"x":1}}]}`, nil, 401, v2err{16, catalog.MsgUnauthorized, []any{}}},
		{"POST", "/api/v2/audience/bulkSetTags", `not json`, []string{"Authorization: Api TESTAUTHTOKEN"}, 400, v2err{3, catalog.MsgInvalidRequest, []any{}}},
		{"POST", "/api/v2/audience/bulkSetTags", `{"auth":"TESTAUTHTOKEN","devices":[{"hwid":"a"}]}`, nil, 400, v2err{3, catalog.MsgInvalidRequest + ": application is required", []any{}}},
		{"POST", "/api/v2/audience/bulkSetTags", `{"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","devices":[]}`, nil, 400, v2err{3, catalog.MsgInvalidRequest + ": " + catalog.MsgNoDevices, []any{}}},
		{"POST", "/api/v2/audience/bulkSetTags", `{"auth":"TESTAUTHTOKEN","application":"NOPE0-00000","devices":[{"hwid":"a"}]}`, nil, 404, v2err{5, catalog.MsgAppNotFound, []any{}}},
		{"POST", "/api/v2/audience/bulkSetTags", `{"auth":"ONLY-OTHER-APP","application":"APPCODE-12345","devices":[{"hwid":"a"}]}`, nil, 403, v2err{7, catalog.MsgAccessDenied, []any{}}},
		{"GET", "/api/v2/audience/bulkSetTags/nope", ``, []string{"Authorization: Api TESTAUTHTOKEN"}, 404, v2err{5, catalog.MsgJobNotFound, []any{}}},
		{"GET", "/api/v2/audience/bulkRegisterDevice/" + id, ``, []string{"Authorization: Api TESTAUTHTOKEN"}, 404, v2err{5, catalog.MsgJobNotFound, []any{}}},
		{"GET", "/api/v2/audience/bulkSetTags/" + id, ``, []string{"Authorization: Api SMALL-TOKEN"}, 404, v2err{5, catalog.MsgJobNotFound, []any{}}},
	} {
		code, got := v2call[v2err](t, f, tc.method, tc.path, tc.body, tc.headers...)
		if code != tc.status || got.Code != tc.want.Code || got.Message != tc.want.Message || got.Details == nil {
			t.Errorf("%s %s %s: %d %+v, want %d %+v", tc.method, tc.path, tc.body, code, got, tc.status, tc.want)
		}
	}
}

func TestBulkRegisterDevice(t *testing.T) {
	f := newFixture(t, testAccounts())
	_, accepted := v2call[map[string]string](t, f, http.MethodPost, "/api/v2/audience/bulkRegisterDevice",
		`{"application":"APPCODE-12345","auth":"TESTAUTHTOKEN","devices":[
		{"hwid":"b1","push_token":"pt-1","platform":1,"tags":{"Language":"fr"}},
		{"hwid":"b2","push_token":"pt-2","platform":"Android"},
		{"hwid":"b3","platform":3},
		{"push_token":"pt-4","platform":99}]}`)
	id := accepted["request_id"]
	if accepted["status"] != "Pending" {
		t.Fatalf("bulkRegisterDevice: %v", accepted)
	}
	if _, found := f.st.Device(appCode, "b1"); found {
		t.Fatal("registered before the job ran")
	}
	f.clk.Advance(time.Second)
	_, st := v2call[bulkStatus](t, f, http.MethodGet, "/api/v2/audience/bulkRegisterDevice/"+id+"?detailed=1", "", "Authorization: Api TESTAUTHTOKEN")
	if st.Status != "Completed" || st.DevicesSuccess != 2 || st.DevicesFailed != 2 || len(st.Devices) != 4 ||
		st.Devices[2].Errors[0] != rowNoPushToken || len(st.Devices[3].Errors) != 2 || st.Devices[3].Errors[0] != rowNoHWID || st.Devices[3].Errors[1] != rowBadPlatform {
		t.Fatalf("status: %+v", st)
	}
	b1, _ := f.st.Device(appCode, "b1")
	b2, _ := f.st.Device(appCode, "b2")
	if !b1.Subscribed || b1.Type != 1 || b1.PushToken != "pt-1" || b1.Tags["Language"] != "fr" || b2.Type != 3 {
		t.Errorf("registered: %+v %+v", b1, b2)
	}
	if _, found := f.st.Device(appCode, "b3"); found {
		t.Error("a failed row was registered")
	}
}

func TestExportSegment(t *testing.T) {
	f := newFixture(t, testAccounts())
	registerFleet(t, f)
	f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"ios-1","tags":{"City":"Paris"}`))
	f.call(t, "setTags", req(`"application":"APPCODE-12345","hwid":"and-1","tags":{"City":"Paris"}`))
	admin(t, f, "createFilter", `"name":"parisians","filter_expression":"T(\"City\", EQ, \"Paris\")"`)
	filterCode := field[[]struct{ Code string }](t, admin(t, f, "listFilters", ``), "filters")[0].Code
	srv := httptest.NewServer(f.srv)
	defer srv.Close()
	post := func(path, body string) (int, map[string]any) {
		r, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var v map[string]any
		json.NewDecoder(r.Body).Decode(&v) //nolint:errcheck // checked by the callers
		return r.StatusCode, v
	}
	download := func(url string) (string, string) {
		r, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		b, _ := io.ReadAll(r.Body)
		zr, err := zip.NewReader(strings.NewReader(string(b)), int64(len(b)))
		if err != nil || len(zr.File) != 1 {
			t.Fatalf("%s is not a ZIP of one file: %v", url, err)
		}
		rc, _ := zr.File[0].Open()
		defer rc.Close()
		content, _ := io.ReadAll(rc)
		return zr.File[0].Name, string(content)
	}
	for _, tc := range []struct {
		body, name, content string
	}{
		{`{"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","filterExpression":"T(\"City\", EQ, \"Paris\")","exportData":["hwids","users","tags"]}`,
			"segment.csv", "hwid,user_id,tags\nand-1,alice,\"{\"\"City\"\":\"\"Paris\"\"}\"\nios-1,alice,\"{\"\"City\"\":\"\"Paris\"\"}\"\n"},
		{`{"auth":"TESTAUTHTOKEN","filterCode":"` + filterCode + `","exportData":["hwids","push_tokens"],"format":"json"}`,
			"segment.json", `[{"hwid":"and-1","push_token":"tok-and-1"},{"hwid":"ios-1","push_token":"tok-ios-1"}]`},
		{`{"auth":"TESTAUTHTOKEN","filterExpression":"A(\"0THER-00003\")","exportData":["hwids"]}`, "segment.csv", "hwid\noth-1\n"},
	} {
		code, task := post("/api/v2/audience/exportSegment", tc.body)
		id, _ := task["task_id"].(string)
		if code != 200 || id == "" {
			t.Fatalf("exportSegment %s: %d %v", tc.body, code, task)
		}
		code, result := post("/api/v2/audience/exportSegment/result", `{"auth":"TESTAUTHTOKEN","task_id":"`+id+`"}`)
		url, _ := result["filename"].(string)
		if code != 200 || !strings.HasPrefix(url, srv.URL+PrefixExportFiles) {
			t.Fatalf("result: %d %v", code, result)
		}
		if name, content := download(url); name != tc.name || content != tc.content {
			t.Errorf("export %s: %s %q, want %s %q", tc.body, name, content, tc.name, tc.content)
		}
	}
	// The v1.3 form: a request_id, then getResults gives the file.
	_, e := f.call(t, "exportSegment", req(`"auth":"TESTAUTHTOKEN","devices_filter":"T(\"City\", EQ, \"Paris\") * A(\"APPCODE-12345\", [\"iOS\"])","exportData":["hwids"]`))
	id := field[string](t, e, "request_id")
	_, e = f.call(t, "getResults", req(`"auth":"TESTAUTHTOKEN","request_id":"`+id+`"`))
	if field[int](t, e, "devices") != 1 || !strings.HasPrefix(field[string](t, e, "filename"), "http://example.com"+PrefixExportFiles) {
		t.Errorf("getResults of exportSegment: %s", e.Response)
	}
	// Refusals.
	for _, tc := range []struct {
		path, body string
		status     int
		want       v2err
	}{
		{"/api/v2/audience/exportSegment", `{"auth":"TESTAUTHTOKEN"}`, 400, v2err{3, catalog.MsgNoSegment, nil}},
		{"/api/v2/audience/exportSegment", `{"auth":"TESTAUTHTOKEN","filterCode":"NOPE0-00000"}`, 400, v2err{3, catalog.MsgFilterCodeAbsent, nil}},
		{"/api/v2/audience/exportSegment", `{"auth":"TESTAUTHTOKEN","filterExpression":"A(\"x\")","format":"xml"}`, 400, v2err{3, catalog.MsgBadExportFormat, nil}},
		{"/api/v2/audience/exportSegment", `{"auth":"TESTAUTHTOKEN","filterExpression":"A(\"x\")","exportData":["emails"]}`, 400, v2err{3, catalog.MsgBadExportData, nil}},
		{"/api/v2/audience/exportSegment/result", `{"auth":"TESTAUTHTOKEN"}`, 400, v2err{3, catalog.MsgNoTaskID, nil}},
		{"/api/v2/audience/exportSegment/result", `{"auth":"TESTAUTHTOKEN","task_id":"nope"}`, 404, v2err{5, catalog.MsgTaskNotFound, nil}},
	} {
		code, got := v2call[v2err](t, f, http.MethodPost, tc.path, tc.body)
		if code != tc.status || got.Code != tc.want.Code || got.Message != tc.want.Message {
			t.Errorf("%s %s: %d %+v, want %d %+v", tc.path, tc.body, code, got, tc.status, tc.want)
		}
	}
	if _, e := f.call(t, "exportSegment", req(`"auth":"TESTAUTHTOKEN"`)); e.StatusCode != 210 || e.StatusMessage != catalog.MsgNoSegment {
		t.Errorf("v1.3 exportSegment without a filter: %d %q", e.StatusCode, e.StatusMessage)
	}
	if code, _ := f.do(t, http.MethodGet, PrefixExportFiles+"nope.zip", ""); code != 404 {
		t.Errorf("unknown export file: %d", code)
	}
}
