package api

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
)

func TestJournalRecordsEveryCall(t *testing.T) {
	f := newFixture(t, testAccounts())
	f.clk.Advance(time.Minute)
	f.call(t, "listTags", req(`"auth":"TESTAUTHTOKEN"`))
	f.call(t, "createMessage", "not json at all")
	f.call(t, "nosuchMethod", "")
	got := f.jr.Entries()
	if len(got) != 3 {
		t.Fatalf("journal has %d entries, want 3", len(got))
	}
	first := got[0]
	if !first.Time.Equal(clock.Epoch.Add(time.Minute)) || first.Method != "listTags" || first.Path != "/json/1.3/listTags" ||
		first.HTTPStatus != 200 || string(first.Request) != `{"request":{"auth":"TESTAUTHTOKEN"}}` {
		t.Fatalf("first entry: %+v", first)
	}
	var e envelope
	if json.Unmarshal(first.Response, &e) != nil || e.StatusCode != 200 {
		t.Fatalf("first entry's response: %s", first.Response)
	}
	if string(got[1].Request) != `"not json at all"` || got[1].HTTPStatus != 400 {
		t.Fatalf("a non-JSON body is kept as a string: %+v", got[1])
	}
	if string(got[2].Request) != "null" || got[2].HTTPStatus != 404 || got[2].Method != "nosuchMethod" {
		t.Fatalf("unknown method entry: %+v", got[2])
	}
	if _, err := json.Marshal(got); err != nil {
		t.Fatalf("journal does not encode: %v", err)
	}
}
