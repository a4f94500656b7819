package container_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/testcontainers/testcontainers-go"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/testkit/container"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// pwemu as a container: a receiver in the test process gets the stream through
// host.docker.internal, and the ledger is read through the control client. (TestMain
// builds the image as `make image` does.)
func ExampleRun() {
	ctx := context.Background()
	rec, _ := receiver.NewHTTP(receiver.WithHTTPAddr("0.0.0.0:0")) // reachable from the container
	defer rec.Close()
	port := rec.Addr()[strings.LastIndex(rec.Addr(), ":")+1:]

	ctr, err := container.Run(ctx, "pwemu:dev",
		container.WithScenarioYAML(`
name: example
clock: {mode: manual}
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [Android]
`),
		container.WithEnv(map[string]string{"RECEIVER_URL": container.HostURL("http://127.0.0.1:" + port + "/events")}))
	defer testcontainers.TerminateContainer(ctr)
	if err != nil {
		fmt.Println(err)
		return
	}
	client, _ := ctr.ControlClient(ctx)
	evs := make([]catalog.Event, 120)
	for i := range evs {
		evs[i] = catalog.Event{EventName: "Push Sent", Platform: "Android", HWID: fmt.Sprint(i)}
	}
	client.Inject(ctx, evs...)
	client.Advance(ctx, time.Hour) // the 20 left over go out with the hourly batch
	totals, _ := client.Totals(ctx)
	fmt.Printf("%+v\n", totals)
	fmt.Println("receiver batches:", rec.Stats().Batches)

	api, _ := ctr.APIURL(ctx)
	resp, _ := http.Post(api+"/json/1.3/getApplications", "", strings.NewReader(`{"request":{"auth":"nobody"}}`))
	resp.Body.Close()
	fmt.Println("API answers HTTP", resp.StatusCode)
	// Output:
	// {Generated:120 Delivered:120 Dropped:0 Filtered:0 Pending:0}
	// receiver batches: 2
	// API answers HTTP 200
}
