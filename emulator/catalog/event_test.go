package catalog_test

import (
	"encoding/json"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// docsExample is the event object of the Pushwoosh event-streaming docs (seed 000).
const docsExample = `{"event_name":"Email Opened","message_code":"E682-E6D92B9A-53E24868","campaign_id":961048,
 "platform":"Email","payload":"Welcome to Headway! 👋","application_code":"32E5A-9B411",
 "hwid":"irun4716@gmail.com","user_id":"1894410","timestamp":1723799271,
 "journey_title":"","journey_point_title":"5_Welcome_ID_new"}`

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	var docs catalog.Event
	if err := json.Unmarshal([]byte(docsExample), &docs); err != nil {
		t.Fatal(err)
	}
	docs.UUID = "0b8f6a8e-8d7e-4a59-9c1f-3f0b2d6e9a11"
	odd := catalog.Event{UUID: "u\"1", EventName: "<b>&</b>", Payload: "line\nbreak\ttab\x01\u2028 bad:\xff",
		MessageID: 7, LiveActivityID: "la-1", Timestamp: -5}
	for _, e := range []catalog.Event{docs, odd, {}} {
		want, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		if got := e.AppendJSON(nil); string(got) != string(want) {
			t.Errorf("AppendJSON\n got %s\nwant %s", got, want)
		}
	}
	arr := catalog.AppendJSONArray(nil, []catalog.Event{docs, odd})
	var back []catalog.Event
	if err := json.Unmarshal(arr, &back); err != nil || len(back) != 2 || back[0] != docs {
		t.Fatalf("array round trip: %v %+v", err, back)
	}
}

// Every byte, alone and between plain text, is written as encoding/json writes it.
func TestAppendJSONEveryByte(t *testing.T) {
	for c := range 256 {
		for _, s := range []string{string(rune(c)), string([]byte{byte(c)}), "ab" + string([]byte{byte(c)}) + "cd"} {
			e := catalog.Event{Payload: s}
			want, _ := json.Marshal(e)
			if got := e.AppendJSON(nil); string(got) != string(want) {
				t.Fatalf("byte %#x: got %s, want %s", c, got, want)
			}
		}
	}
}

// Writing an event into a buffer with room allocates nothing: the sender's per-event
// encoding cost must not grow back.
func TestAppendJSONAllocatesNothing(t *testing.T) {
	e := catalog.Event{UUID: "0b8f6a8e-8d7e-4a59-9c1f-3f0b2d6e9a11", EventName: "Push Sent", MessageCode: "E682-E6D92B9A-53E24868",
		MessageID: 12, CampaignID: 961048, Platform: "iOS", Payload: "Hello <you> & \"friends\" 👋", ApplicationCode: "32E5A-9B411",
		HWID: "hw", UserID: "1894410", Timestamp: 1723799271, LiveActivityID: "la"}
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { buf = e.AppendJSON(buf[:0]) }); n != 0 {
		t.Fatalf("AppendJSON: %.0f allocations per event, want 0", n)
	}
}
