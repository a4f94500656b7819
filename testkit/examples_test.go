package testkit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/testkit"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// A receiver under test gets pwemu's event stream: full batches of 100 at once, the
// rest when the hourly timer fires — an hour that passes in a millisecond on the
// manual clock. In a test, use testkit.Start(t, …) and receiver.StartHTTP(t).
func Example_receiver() {
	rec, _ := receiver.NewHTTP()
	defer rec.Close()
	emu, err := testkit.New(testkit.ManualClock(), testkit.Env("RECEIVER_URL", rec.URL()), testkit.ScenarioYAML(`
name: example
streams:
  - endpoint: ${RECEIVER_URL}
    authorization: Bearer t0k3n
    events: [Push Sent]
    platforms: [iOS]
`))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer emu.Close()

	evs := make([]catalog.Event, 250)
	for i := range evs {
		evs[i] = catalog.Event{EventName: "Push Sent", Platform: "iOS", HWID: fmt.Sprint("device-", i)}
	}
	emu.Inject(evs...)
	emu.Advance(0)
	fmt.Println("at once:", rec.Stats().Events, "events in", rec.Stats().Batches, "batches")
	emu.Advance(time.Hour)
	fmt.Println("after an hour:", rec.Stats().Events, "events in", rec.Stats().Batches, "batches")
	fmt.Println("authorization:", rec.Requests()[0].Header.Get("Authorization"))
	fmt.Printf("ledger: %+v\n", emu.Totals())
	// Output:
	// at once: 200 events in 2 batches
	// after an hour: 250 events in 3 batches
	// authorization: Bearer t0k3n
	// ledger: {Generated:250 Delivered:250 Dropped:0 Filtered:0 Pending:0}
}

// The README's example: a scenario file, a receiver that answers 503 three times
// before it recovers, and an hour of the emulator clock.
func Example_scenarioFile() {
	rec, _ := receiver.NewHTTP(receiver.WithHTTPResponses(receiver.HTTPRepeat(receiver.HTTPStatus(503), 3)...))
	defer rec.Close()
	emu, err := testkit.New(testkit.ScenarioFile("testdata/storm.yaml"),
		testkit.Env("RECEIVER_URL", rec.URL()), testkit.ManualClock())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer emu.Close()

	evs := make([]catalog.Event, 250)
	for i := range evs {
		evs[i] = catalog.Event{EventName: "Push Sent", Platform: "Android", HWID: fmt.Sprint("device-", i)}
	}
	emu.Inject(evs...)
	emu.Advance(time.Hour) // the full batches, their retries, then the hourly one
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	totals, err := emu.WaitDelivered(ctx, 250)
	fmt.Printf("%+v %v\n", totals, err)
	fmt.Println("requests:", rec.Stats().Requests, "distinct events:", rec.Stats().Unique)
	// Output:
	// {Generated:250 Delivered:250 Dropped:0 Filtered:0 Pending:0} <nil>
	// requests: 6 distinct events: 250
}

// An API client under test calls pwemu as it would call api.pushwoosh.com; the
// journal shows what it sent and what it got.
func Example_apiClient() {
	emu, err := testkit.New() // the bundled demo: token demo-server-token, app DEMO1-00001
	if err != nil {
		fmt.Println(err)
		return
	}
	defer emu.Close()

	for _, body := range []string{
		`{"request":{"application":"DEMO1-00001","auth":"demo-server-token","notifications":[{"send_date":"now","content":"Hi","platforms":[1]}]}}`,
		`{"request":{"application":"DEMO1-00001","auth":"demo-server-token","notifications":[{"send_date":"now","content":"Hi","platforms":[]}]}}`,
		`{"request":{"application":"NOPE0-00000","auth":"demo-server-token","notifications":[{"send_date":"now","content":"Hi"}]}}`,
	} {
		resp, err := http.Post(emu.URL()+"/json/1.3/createMessage", "application/json", strings.NewReader(body))
		if err != nil {
			fmt.Println(err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	journal, _ := emu.Client().Journal(context.Background(), "createMessage")
	for _, call := range journal.Calls {
		var answer struct {
			StatusCode    int    `json:"status_code"`
			StatusMessage string `json:"status_message"`
		}
		json.Unmarshal(call.Response, &answer)
		fmt.Println(call.HTTPStatus, answer.StatusCode, answer.StatusMessage)
	}
	// Output:
	// 200 200 OK
	// 200 210 Please select at least one platform
	// 200 210 Application not found
}
