package api

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/mux"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/emulator/internal/targeting"
)

// The audience API (https://docs.pushwoosh.com/developer/api-reference/audience-api/):
// POST /api/v2/audience/bulkSetTags and /bulkRegisterDevice accept a list of devices
// and answer a request_id at once; the job runs on the emulator clock bulkDelay
// later, row by row — a bad row is reported with its errors and the others are
// applied — and GET …/{request_id}?detailed=true tells its status (Pending, then
// Completed) with the per-row results. POST /api/v2/audience/exportSegment selects
// the devices of a segment (filterExpression or a saved filter's filterCode) with the
// targeting evaluator and /exportSegment/result answers the URL of a ZIP holding them
// as CSV or JSON; the v1.3 exportSegment does the same through getResults.

// bulkDelay is how long after acceptance (emulator time) a bulk job runs.
const bulkDelay = time.Second

// PrefixExportFiles is where the ZIP files of segment exports are downloaded.
const PrefixExportFiles = "/api/v2/audience/exportSegment/file/"

const (
	rowOneID       = "exactly one of hwid, user_id or push_token is required"
	rowBadOperator = "list_operator must be set, append or remove"
	rowNoTags      = "tags must be a non-empty object"
	rowNoDevice    = "no such device"
	rowNoHWID      = "hwid is required"
	rowNoPushToken = "push_token is required"
	rowBadPlatform = "platform must be a device type"
)

// maxBulkRows bounds the rows of one bulk request.
const maxBulkRows = 10_000

const saltExport = 0x6578706f7274 // "export"

// bulkRequest is the body of a bulk job.
type bulkRequest struct {
	Auth              string            `json:"auth"`
	Application       string            `json:"application"`
	CreateMissingTags bool              `json:"create_missing_tags"`
	Devices           []json.RawMessage `json:"devices"`
}

// bulkDevice is one row of a bulk job.
type bulkDevice struct {
	HWID         flexString      `json:"hwid"`
	UserID       flexString      `json:"user_id"`
	PushToken    string          `json:"push_token"`
	Platform     json.RawMessage `json:"platform"`
	ListOperator string          `json:"list_operator"`
	Tags         json.RawMessage `json:"tags"`
}

// bodyApp checks the body's application against the call's token: 404 when there is
// no such application, 403 when it is not the token's.
func (s *Server) bodyApp(c *call, code string) (state.Application, reply, bool) {
	if strings.TrimSpace(code) == "" {
		return state.Application{}, badRequest(catalog.MsgInvalidRequest + ": application is required"), false
	}
	app, rep, good := s.ownApp(c, code)
	if !good {
		if rep.message == catalog.MsgAppNotFound {
			return app, v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgAppNotFound), false
		}
		return app, v2Error(http.StatusForbidden, grpcPermissionDenied, rep.message), false
	}
	return app, reply{}, true
}

func (s *Server) bulkSetTags(c *call, _ map[string]string) reply {
	return s.startBulk(c, catalog.BulkSetTags.Method, s.bulkSetTagsRow)
}

func (s *Server) bulkRegisterDevice(c *call, _ map[string]string) reply {
	return s.startBulk(c, catalog.BulkRegisterDevice.Method, s.bulkRegisterRow)
}

// startBulk checks a bulk request as a whole and schedules its rows.
func (s *Server) startBulk(c *call, kind string, row func(app state.Application, r *bulkRequest, i int, raw json.RawMessage, at time.Time) state.BulkRow) reply {
	var r bulkRequest
	if json.Unmarshal(c.in.body, &r) != nil {
		return badRequest(catalog.MsgInvalidRequest)
	}
	app, rep, good := s.bodyApp(c, r.Application)
	if !good {
		return rep
	}
	switch {
	case len(r.Devices) == 0:
		return badRequest(catalog.MsgInvalidRequest + ": " + catalog.MsgNoDevices)
	case len(r.Devices) > maxBulkRows:
		return badRequest(catalog.MsgInvalidRequest + ": " + catalog.MsgTooManyRows)
	}
	job := state.BulkJob{Kind: kind, AccountID: c.account.ID, Application: app.Code, Created: c.in.arrive,
		Due: c.in.arrive.Add(bulkDelay)}
	for range 16 {
		job.ID = requestUUID(s.seed^saltExport, s.st.NextSeq())
		if s.st.AddBulkJob(job) == nil {
			break
		}
	}
	s.clk.AfterFunc(bulkDelay, func() {
		select {
		case <-s.closed:
			return
		default:
		}
		at := s.clk.Now()
		rows := make([]state.BulkRow, len(r.Devices))
		for i, raw := range r.Devices {
			rows[i] = row(app, &r, i, raw, at)
		}
		s.st.CompleteBulkJob(job.ID, rows)
	})
	return jsonOK(map[string]string{"request_id": job.ID, "status": state.BulkPending})
}

// rowTags reads a row's tags for a list operator: append and remove become the
// tag operations setTags knows, for list values.
func rowTags(d *bulkDevice) (map[string]any, string) {
	tags, err := decodeObject(d.Tags)
	if err != nil || len(tags) == 0 {
		return nil, rowNoTags
	}
	switch d.ListOperator {
	case "", "set":
	case "append", "remove":
		for k, v := range tags {
			if _, list := v.([]any); list {
				tags[k] = map[string]any{"operation": d.ListOperator, "value": v}
			}
		}
	default:
		return nil, rowBadOperator
	}
	return tags, ""
}

func (s *Server) bulkSetTagsRow(app state.Application, r *bulkRequest, i int, raw json.RawMessage, at time.Time) state.BulkRow {
	row := state.BulkRow{Row: i, Status: state.RowFailed}
	var d bulkDevice
	if json.Unmarshal(raw, &d) != nil {
		row.Errors = []string{catalog.MsgInvalidRequest}
		return row
	}
	row.HWID, row.UserID, row.PushToken = string(d.HWID), string(d.UserID), d.PushToken
	ids := 0
	for _, v := range []string{row.HWID, row.UserID, row.PushToken} {
		if v != "" {
			ids++
		}
	}
	if ids != 1 {
		row.Errors = []string{rowOneID}
		return row
	}
	tags, bad := rowTags(&d)
	if bad != "" {
		row.Errors = []string{bad}
		return row
	}
	if !r.CreateMissingTags {
		known := targeting.KnownTag(s.st, app.AccountID)
		for _, name := range sortedKeys(tags) {
			if !known(name) {
				row.Errors = append(row.Errors, "tag "+strconv.Quote(name)+" does not exist")
			}
		}
		if len(row.Errors) > 0 {
			return row
		}
	}
	var hwids []string
	switch {
	case row.HWID != "":
		if _, found := s.st.Device(app.Code, row.HWID); found {
			hwids = []string{row.HWID}
		}
	case row.PushToken != "":
		found, _ := s.st.ResolveDevices(app.Code, []string{row.PushToken}, nil)
		for _, t := range found {
			hwids = append(hwids, t.HWID)
		}
	default:
		hwids = s.st.UserDevices(app.Code, row.UserID)
	}
	if len(hwids) == 0 {
		row.Status, row.Errors = state.RowNotFound, []string{rowNoDevice}
		return row
	}
	applied := false
	for _, h := range hwids {
		skipped, err := s.st.SetTags(app.Code, h, tags, at)
		if err != nil {
			continue
		}
		applied = applied || len(skipped) < len(tags)
		for _, sk := range skipped {
			row.Errors = append(row.Errors, fmt.Sprintf("%s: tag %q: %s", h, sk.Tag, sk.Reason))
		}
	}
	if applied {
		row.Status = state.RowSuccess
	}
	return row
}

func (s *Server) bulkRegisterRow(app state.Application, _ *bulkRequest, i int, raw json.RawMessage, at time.Time) state.BulkRow {
	row := state.BulkRow{Row: i, Status: state.RowFailed}
	var d bulkDevice
	if json.Unmarshal(raw, &d) != nil {
		row.Errors = []string{catalog.MsgInvalidRequest}
		return row
	}
	row.HWID, row.PushToken = string(d.HWID), d.PushToken
	switch {
	case row.HWID == "":
		row.Errors = append(row.Errors, rowNoHWID)
	case row.PushToken == "":
		row.Errors = append(row.Errors, rowNoPushToken)
	}
	typ := devicePlatform(d.Platform)
	if typ == 0 {
		row.Errors = append(row.Errors, rowBadPlatform)
	}
	var tags map[string]any
	if !isNull(d.Tags) {
		var bad string
		if tags, bad = rowTags(&d); bad != "" {
			row.Errors = append(row.Errors, bad)
		}
	}
	if len(row.Errors) > 0 {
		return row
	}
	_, skipped, err := s.st.RegisterDevice(state.Registration{Application: app.Code, HWID: row.HWID,
		PushToken: row.PushToken, Type: typ, Tags: tags}, at)
	if err != nil {
		row.Errors = []string{deviceRefusal(err).message}
		return row
	}
	for _, sk := range skipped {
		row.Errors = append(row.Errors, fmt.Sprintf("tag %q: %s", sk.Tag, sk.Reason))
	}
	row.Status = state.RowSuccess
	return row
}

// devicePlatform reads a platform as a device type number or a platform name; 0 when
// it is neither.
func devicePlatform(raw json.RawMessage) int {
	var n flexInt
	if n.UnmarshalJSON(raw) == nil && n.Set {
		if catalog.PlatformName(int(n.V)) != "" {
			return int(n.V)
		}
		return 0
	}
	if t, found := catalog.DeviceTypeNamed(rawString(raw)); found {
		return t
	}
	return 0
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// bulkStatus is a job's status answer.
type bulkStatus struct {
	RequestID       string          `json:"request_id"`
	Status          string          `json:"status"`
	Progress        int             `json:"progress"` // per cent
	DevicesSuccess  int             `json:"devices_success"`
	DevicesNotFound int             `json:"devices_not_found"`
	DevicesFailed   int             `json:"devices_failed"`
	Devices         []state.BulkRow `json:"devices,omitempty"` // with detailed=true
}

func (s *Server) bulkJobStatus(c *call, vars map[string]string) reply {
	kind := strings.TrimSuffix(c.in.method, "/status")
	j, found := s.st.BulkJob(c.account.ID, kind, vars["request_id"])
	if !found {
		return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgJobNotFound)
	}
	st := bulkStatus{RequestID: j.ID, Status: j.Status}
	if j.Status == state.BulkCompleted {
		st.Progress = 100
	}
	for _, r := range j.Rows {
		switch r.Status {
		case state.RowSuccess:
			st.DevicesSuccess++
		case state.RowNotFound:
			st.DevicesNotFound++
		default:
			st.DevicesFailed++
		}
	}
	q, _ := url.ParseQuery(c.in.query)
	if detailed, _ := strconv.ParseBool(q.Get("detailed")); detailed {
		st.Devices = j.Rows
		if st.Devices == nil {
			st.Devices = []state.BulkRow{}
		}
	}
	return jsonOK(st)
}

// exportRequest is exportSegment's body (v2) or request (v1.3).
type exportRequest struct {
	Application      string   `json:"application"`
	FilterExpression string   `json:"filterExpression"`
	FilterCode       string   `json:"filterCode"`
	DevicesFilter    string   `json:"devices_filter"`
	ExportData       []string `json:"exportData"`
	Format           string   `json:"format"`
}

// exportColumns are what exportData may ask for, in file order.
var exportColumns = []string{"hwids", "push_tokens", "users", "tags"}

// export selects a segment's devices and stores them as a ZIP; it answers the
// export or an error message.
func (s *Server) export(c *call, r exportRequest) (state.Export, string) {
	expr := strings.TrimSpace(r.FilterExpression)
	if expr == "" {
		expr = strings.TrimSpace(r.DevicesFilter)
	}
	var node *targeting.Expr
	switch {
	case expr != "":
		n, err := targeting.Parse(expr)
		if err != nil {
			return state.Export{}, catalog.MsgBadFilter + ": " + err.Error()
		}
		node = n
	case r.FilterCode != "":
		name := ""
		for _, f := range s.st.Filters(c.account.ID) {
			if f.Code == r.FilterCode {
				name = f.Name
			}
		}
		if name == "" {
			return state.Export{}, catalog.MsgFilterCodeAbsent
		}
		n, err := targeting.Named(s.st, c.account.ID, name)
		if err != nil {
			return state.Export{}, err.Error()
		}
		node = n
	default:
		return state.Export{}, catalog.MsgNoSegment
	}
	format := strings.ToLower(strings.TrimSpace(r.Format))
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "json" {
		return state.Export{}, catalog.MsgBadExportFormat
	}
	cols := r.ExportData
	if len(cols) == 0 {
		cols = exportColumns
	}
	for _, col := range cols {
		if !slices.Contains(exportColumns, col) {
			return state.Export{}, catalog.MsgBadExportData
		}
	}
	var apps []string
	if r.Application != "" {
		apps = []string{r.Application}
	} else {
		for _, a := range s.st.Applications(c.account.ID) {
			if c.token.Covers(a.Code) {
				apps = append(apps, a.Code)
			}
		}
	}
	aud := targeting.Select(s.st, c.account.ID, targeting.Query{Apps: apps, Expr: node})
	var devices []state.Device
	for i, ts := range aud.Targets {
		for _, t := range ts {
			if d, found := s.st.Device(aud.Apps[i], t.HWID); found {
				devices = append(devices, d)
			}
		}
	}
	file, err := segmentFile(devices, cols, format)
	if err != nil {
		return state.Export{}, catalog.MsgInternal
	}
	e := state.Export{AccountID: c.account.ID, Devices: len(devices), Created: c.in.arrive}
	for range 16 {
		e.ID = requestUUID(s.seed^saltExport^1, s.st.NextSeq())
		e.Filename = e.ID + ".zip"
		var zipped bytes.Buffer
		zw := zip.NewWriter(&zipped)
		w, _ := zw.CreateHeader(&zip.FileHeader{Name: "segment." + format, Method: zip.Deflate, Modified: c.in.arrive.UTC()})
		w.Write(file) //nolint:errcheck // a bytes.Buffer does not fail
		zw.Close()    //nolint:errcheck // nor here
		e.Zip = zipped.Bytes()
		if s.st.AddExport(e) == nil {
			return e, ""
		}
	}
	return state.Export{}, catalog.MsgCodeExhausted
}

// segmentFile writes devices as CSV (a header row, tags as a JSON object) or as a
// JSON list of objects, with the columns asked for.
func segmentFile(devices []state.Device, cols []string, format string) ([]byte, error) {
	header := map[string]string{"hwids": "hwid", "push_tokens": "push_token", "users": "user_id", "tags": "tags"}
	value := func(d *state.Device, col string) any {
		switch col {
		case "hwids":
			return d.HWID
		case "push_tokens":
			return d.PushToken
		case "users":
			return d.UserID
		}
		if d.Tags == nil {
			return map[string]any{}
		}
		return d.Tags
	}
	if format == "json" {
		rows := make([]map[string]any, len(devices))
		for i := range devices {
			rows[i] = map[string]any{}
			for _, col := range cols {
				rows[i][header[col]] = value(&devices[i], col)
			}
		}
		return json.Marshal(rows)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	line := make([]string, len(cols))
	for i, col := range cols {
		line[i] = header[col]
	}
	w.Write(line) //nolint:errcheck // checked by Flush
	for i := range devices {
		for j, col := range cols {
			switch v := value(&devices[i], col).(type) {
			case string:
				line[j] = v
			default:
				t, _ := json.Marshal(v)
				line[j] = string(t)
			}
		}
		w.Write(line) //nolint:errcheck // checked by Flush
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

// exportURL is where an export's ZIP is downloaded from, on the host the call came to.
func exportURL(in *incoming, e state.Export) string {
	scheme := "http://"
	if in.tls {
		scheme = "https://"
	}
	return scheme + in.host + PrefixExportFiles + e.Filename
}

func (s *Server) exportSegmentV2(c *call, _ map[string]string) reply {
	var r exportRequest
	if json.Unmarshal(c.in.body, &r) != nil {
		return badRequest(catalog.MsgInvalidRequest)
	}
	if r.Application != "" {
		if _, rep, good := s.bodyApp(c, r.Application); !good {
			return rep
		}
	}
	e, bad := s.export(c, r)
	if bad != "" {
		return badRequest(bad)
	}
	return jsonOK(map[string]string{"task_id": e.ID})
}

func (s *Server) exportSegmentResult(c *call, _ map[string]string) reply {
	var r struct {
		TaskID string `json:"task_id"`
	}
	if json.Unmarshal(c.in.body, &r) != nil {
		return badRequest(catalog.MsgInvalidRequest)
	}
	if strings.TrimSpace(r.TaskID) == "" {
		return badRequest(catalog.MsgNoTaskID)
	}
	e, found := s.st.Export(strings.TrimSpace(r.TaskID))
	if !found || e.AccountID != c.account.ID {
		return v2Error(http.StatusNotFound, grpcNotFound, catalog.MsgTaskNotFound)
	}
	return jsonOK(map[string]any{"filename": exportURL(c.in, e), "devices": e.Devices})
}

// exportSegmentV13 is the scheduled v1.3 exportSegment: devices_filter in, a
// request_id out; getResults answers the file's URL.
func (s *Server) exportSegmentV13(c *call) reply {
	var r exportRequest
	if !c.decodeInto(&r) {
		return httpError(http.StatusBadRequest)
	}
	if r.Application != "" {
		if _, rep, good := s.ownApp(c, r.Application); !good {
			return rep
		}
	}
	e, bad := s.export(c, r)
	if bad != "" {
		return refused(bad)
	}
	return s.statsRequest(c, map[string]any{"filename": exportURL(c.in, e), "devices": e.Devices})
}

// serveExportFile serves GET /api/v2/audience/exportSegment/file/<task_id>.zip: the
// URL stands for the file, as a pre-signed link does.
func (s *Server) serveExportFile(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["file"]
	e, found := s.st.Export(strings.TrimSuffix(name, ".zip"))
	if !found || e.Filename != name {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Length", strconv.Itoa(len(e.Zip)))
	w.Write(e.Zip) //nolint:errcheck // the client went away
}
