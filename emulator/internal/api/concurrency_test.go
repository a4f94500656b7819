package api

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
)

// Calls in parallel share the store, the journal and the pooled scratch space: run
// with -race.
func TestConcurrentCalls(t *testing.T) {
	accounts := testAccounts()
	accounts[0].CreateMessageRate = 1 << 40
	f := newFixture(t, accounts)
	const workers, rounds = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				hwid := fmt.Sprintf("w%d-%d", w, i)
				calls := []struct{ method, body string }{
					{"registerDevice", req(`"application":"APPCODE-12345","hwid":"` + hwid + `","push_token":"t-` + hwid + `","device_type":3`)},
					{"setTags", req(`"application":"APPCODE-12345","hwid":"` + hwid + `","tags":{"round":` + fmt.Sprint(i) + `}`)},
					{"createMessage", req(`"auth":"TESTAUTHTOKEN","application":"APPCODE-12345","notifications":[{"content":"` + hwid + `","devices":["t-` + hwid + `"]}]`)},
				}
				for _, c := range calls {
					status, e := f.call(t, c.method, c.body)
					if status != 200 || e.StatusCode != 200 {
						errs <- fmt.Errorf("%s %s: %d %d %q", c.method, hwid, status, e.StatusCode, e.StatusMessage)
						return
					}
				}
				_, e := f.call(t, "getTags", req(`"application":"APPCODE-12345","hwid":"`+hwid+`"`))
				var got struct{ Result map[string]any }
				if json.Unmarshal(e.Response, &got) != nil || got.Result["round"] != float64(i) {
					errs <- fmt.Errorf("getTags %s: %s", hwid, e.Response)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	sent := f.messages()
	if len(sent) != workers*rounds {
		t.Fatalf("%d messages passed on, want %d", len(sent), workers*rounds)
	}
	for _, m := range sent {
		if len(m.Targets) != 1 || m.Targets[0].HWID != m.Content {
			t.Fatalf("message %q went to %+v: a call saw another's data", m.Content, m.Targets)
		}
	}
	if got := f.jr.Total(); got != workers*rounds*4 {
		t.Fatalf("journal counted %d calls, want %d", got, workers*rounds*4)
	}
}
