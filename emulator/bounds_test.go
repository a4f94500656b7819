package emulator_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/scenarios"
)

func getJSON(t *testing.T, url string, out any) int {
	t.Helper()
	code, body := send(t, "GET", url, "", nil)
	if code == http.StatusOK {
		if err := json.Unmarshal([]byte(body), out); err != nil {
			t.Fatalf("GET %s: %v in %s", url, err, body)
		}
	}
	return code
}

func TestListEndpointsPageAndReportEvictions(t *testing.T) {
	sc, err := scenarios.ParseWith("s.yaml", []byte(oneStream), scenarios.Options{Vars: map[string]string{"RECEIVER_URL": "http://127.0.0.1:9/x"}})
	if err != nil {
		t.Fatal(err)
	}
	emu := startEmu(t, emulator.Config{Scenario: sc, LedgerRecords: 250, JournalBytes: 40 << 10})
	base := emu.URL() + "/_pwemu"
	var evs strings.Builder
	evs.WriteString("[")
	for i := range 300 {
		if i > 0 {
			evs.WriteString(",")
		}
		fmt.Fprintf(&evs, `{"event_name":"Push Sent","platform":"iOS","uuid":"e%d"}`, i)
	}
	evs.WriteString("]")
	if code, body := send(t, "POST", base+"/events", evs.String(), jsonType); code != 200 {
		t.Fatalf("inject: %d %s", code, body)
	}

	var lv emulator.LedgerView
	if code := getJSON(t, base+"/ledger", &lv); code != 200 || len(lv.Events) != 100 || lv.NextOffset != 100 ||
		lv.Evicted != 50 || lv.Totals.Generated != 300 || lv.Totals.Pending != 300 {
		t.Fatalf("default ledger page: %d, %d events, next %d, evicted %d, totals %+v; want 100 events from the 250 kept, next 100, 50 evicted, 300 generated",
			code, len(lv.Events), lv.NextOffset, lv.Evicted, lv.Totals)
	}
	if lv.Events[0].Event.UUID != "e50" {
		t.Fatalf("oldest record kept is %s, want e50", lv.Events[0].Event.UUID)
	}
	lv = emulator.LedgerView{}
	if code := getJSON(t, base+"/ledger?limit=1000&offset=200", &lv); code != 200 || len(lv.Events) != 50 || lv.NextOffset != 0 {
		t.Fatalf("last ledger page: %d, %d events, next %d", code, len(lv.Events), lv.NextOffset)
	}
	if code, body := send(t, "GET", base+"/ledger?limit=1001", "", nil); code != 400 || !strings.Contains(body, "maximum page size 1000") {
		t.Fatalf("ledger limit over the cap: %d %s", code, body)
	}
	// The requests sent to receivers page as the other lists do.
	if code, body := send(t, "GET", base+"/requests?limit=1001", "", nil); code != 400 || !strings.Contains(body, "maximum page size 1000") {
		t.Fatalf("requests limit over the cap: %d %s", code, body)
	}
	if code, body := send(t, "GET", base+"/requests?limit=1000", "", nil); code != 200 {
		t.Fatalf("requests at the cap: %d %s", code, body)
	}

	// 150 API calls of ~1 KiB against a 40 KiB journal: the oldest are forgotten.
	call := `{"request":{"auth":"x","application":"` + strings.Repeat("A", 1000) + `"}}`
	for range 150 {
		send(t, "POST", emu.URL()+"/json/1.3/getApplication", call, jsonType)
	}
	var jv emulator.JournalView
	if code := getJSON(t, base+"/journal?limit=1000", &jv); code != 200 || jv.Evicted == 0 || jv.Total+jv.Evicted != 150 || jv.Total != len(jv.Calls) {
		t.Fatalf("journal under its byte bound: %d, total %d, evicted %d, %d calls", code, jv.Total, jv.Evicted, len(jv.Calls))
	}
	big := startEmu(t, emulator.Config{})
	for range 150 {
		send(t, "POST", big.URL()+"/json/1.3/getApplication", call, jsonType)
	}
	jv = emulator.JournalView{}
	if code := getJSON(t, big.URL()+"/_pwemu/journal", &jv); code != 200 || len(jv.Calls) != 100 || jv.Total != 150 || jv.NextOffset != 100 || jv.Evicted != 0 {
		t.Fatalf("default journal page: %d, %d calls of %d, next %d, evicted %d", code, len(jv.Calls), jv.Total, jv.NextOffset, jv.Evicted)
	}
	if code, _ := send(t, "GET", big.URL()+"/_pwemu/journal?limit=5000", "", nil); code != 400 {
		t.Fatalf("journal limit over the cap: %d, want 400", code)
	}
}
