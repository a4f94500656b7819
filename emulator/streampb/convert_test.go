package streampb_test

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/streampb"
)

// everyField is an event with every field set to a value of its own, so that a field
// the conversions forget shows up as a difference.
func everyField(t *testing.T) catalog.Event {
	t.Helper()
	var e catalog.Event
	v := reflect.ValueOf(&e).Elem()
	for i := range v.NumField() {
		f := v.Field(i)
		if v.Type().Field(i).Tag.Get("json") == "-" {
			continue // not on the wire (HTTP or gRPC): nothing to convert
		}
		switch f.Kind() {
		case reflect.String:
			f.SetString(v.Type().Field(i).Name + "-" + strconv.Itoa(i) + " ✓")
		case reflect.Uint64:
			f.SetUint(uint64(1000 + i))
		case reflect.Int64:
			f.SetInt(int64(1_723_000_000 + i))
		default:
			t.Fatalf("catalog.Event.%s is a %s: teach this test (and convert.go) about it", v.Type().Field(i).Name, f.Kind())
		}
	}
	return e
}

func TestEventRoundTrip(t *testing.T) {
	t.Parallel()
	want := everyField(t)
	var m streampb.Event
	streampb.FromEvent(&m, &want)
	// the message goes over the wire and back
	b, err := proto.Marshal(&m)
	if err != nil {
		t.Fatal(err)
	}
	var back streampb.Event
	if err := proto.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if got := streampb.ToEvent(&back); got != want {
		t.Fatalf("round trip\n got: %+v\nwant: %+v", got, want)
	}
	// a reused message is overwritten whole
	empty := catalog.Event{}
	streampb.FromEvent(&m, &empty)
	if got := streampb.ToEvent(&m); got != empty {
		t.Fatalf("FromEvent of an empty event into a used message left %+v", got)
	}
	if got := streampb.ToEvent(nil); got != empty {
		t.Fatalf("ToEvent(nil) = %+v, want the zero event", got)
	}
}

func TestFromEventReplacesInvalidUTF8AsJSONDoes(t *testing.T) {
	t.Parallel()
	e := catalog.Event{UUID: "u-1", Payload: "a\xff\xfeb", HWID: "h\xc3"}
	var m streampb.Event
	streampb.FromEvent(&m, &e)
	if m.Payload != "a\uFFFD\uFFFDb" || m.Hwid != "h\uFFFD" || m.Uuid != "u-1" {
		t.Fatalf("payload %q, hwid %q, uuid %q; want each invalid byte as U+FFFD", m.Payload, m.Hwid, m.Uuid)
	}
	// the HTTP transport's JSON says the same
	var viaJSON catalog.Event
	b, _ := json.Marshal(e)
	if err := json.Unmarshal(b, &viaJSON); err != nil {
		t.Fatal(err)
	}
	if got := streampb.ToEvent(&m); got != viaJSON {
		t.Fatalf("gRPC carries %+v, JSON %+v", got, viaJSON)
	}
	if _, err := proto.Marshal(&m); err != nil {
		t.Fatalf("the message does not marshal: %v", err)
	}
}
