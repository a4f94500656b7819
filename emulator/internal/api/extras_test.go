package api

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// extras skips decoding a body that holds none of its keys: it must answer what
// decoding answers, for every body the client libraries send and for keys spelt in
// the other ways encoding/json matches.
func TestExtrasSkipsOnlyWhatDecodingWouldNotSet(t *testing.T) {
	bodies := []string{
		`{"request":{"notifications":[{"content":"x","send_rate":5}]}}`,
		`{"request":{"notifications":[{"content":"x","Send_Rate":5}]}}`,
		`{"request":{"notifications":[{"content":"x","send\u005frate":5}]}}`,
		`{"request":{"notifications":[{"content":"x","ſubject":"a"}]}}`,
		`{"request":{"notifications":[{"content":"x","TRANSACTIONID":"t1"}]}}`,
		`{"request":{"notifications":[{"content":"send_rate","data":{"devices":["a"]}}]}}`,
		`{"request":{"notifications":[{"content":"x","platforms":[1,3]}]}}`,
		`{"request":{"notifications":[{"content":"x"},{"preset":"P"}]}}`,
		`not json`, ``, `{"request":null}`,
	}
	f, err := os.Open(filepath.Join("testdata", "client-requests.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var w struct{ Body string }
		if err := json.Unmarshal(sc.Bytes(), &w); err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, w.Body)
	}
	accepted, _ := filepath.Glob(filepath.Join("testdata", "decoder-accepted", "*.json"))
	for _, name := range accepted {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	for _, body := range bodies {
		var b struct {
			Request struct {
				Notifications []notificationExtras `json:"notifications"`
			} `json:"request"`
		}
		json.Unmarshal([]byte(body), &b) //nolint:errcheck // as extras does
		want := b.Request.Notifications
		got := extras([]byte(body))
		if got == nil {
			for i, x := range want {
				if !reflect.ValueOf(x).IsZero() {
					t.Fatalf("%s: skipped, but notification %d has %+v", body, i, x)
				}
			}
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: %+v, want %+v", body, got, want)
		}
	}
}
