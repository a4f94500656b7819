package emulator_test

import (
	"bufio"
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// BenchmarkSoak plays steady traffic — 1,000 events/s to a flaky receiver on loopback
// (every 5th request 503, every 17th hangs until the 2 s timeout) and 100 API calls/s —
// for PWEMU_SOAK_MINUTES (default 10) and prints the process RSS at minute 2 and at the
// end. The ledger and journal bounds are set low (100,000 records, 4 MiB) so that both
// are reached before minute 2: from then on RSS should stay flat. It runs only with
// PWEMU_SOAK=1:
//
//	PWEMU_SOAK=1 go test -run '^$' -bench Soak -benchtime 1x -timeout 30m ./emulator/
func BenchmarkSoak(b *testing.B) {
	if os.Getenv("PWEMU_SOAK") == "" {
		b.Skip("set PWEMU_SOAK=1 to run the soak (10 minutes)")
	}
	minutes := 10
	if m, err := strconv.Atoi(os.Getenv("PWEMU_SOAK_MINUTES")); err == nil && m > 2 {
		minutes = m
	}
	rcv := receiver.StartHTTP(b, receiver.HTTPCountOnly(), receiver.WithHTTPScript(func(n int, _ *receiver.HTTPRequest) receiver.HTTPResponse {
		switch {
		case n%17 == 0:
			return receiver.HTTPHang()
		case n%5 == 0:
			return receiver.HTTPStatus(503)
		}
		return receiver.HTTPStatus(200)
	}))
	sc, err := scenarios.ParseWith("soak.yaml", []byte(`
name: soak
accounts:
  - id: soak
    tokens: [{value: soak-token, kind: server}]
    applications: [{code: SOAK1-00001, name: Soak}]
streams:
  - endpoint: ${RECEIVER_URL}
    events: [Push Sent]
    platforms: [iOS]
    batch: {size: 100, interval: 1s}
    timeout: 2s
    retry: {delays: [100ms, 500ms]}
    concurrency: 4
`), scenarios.Options{Vars: map[string]string{"RECEIVER_URL": rcv.URL() + "/events"}})
	if err != nil {
		b.Fatal(err)
	}
	emu, err := emulator.New(emulator.Config{Scenario: sc, Addr: "127.0.0.1:0", LedgerRecords: 100_000, JournalBytes: 4 << 20})
	if err != nil {
		b.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		b.Fatal(err)
	}
	defer emu.Close()

	stop := make(chan struct{})
	defer close(stop)
	go func() { // 100 events every 100 ms
		evs := make([]catalog.Event, 100)
		for i := range evs {
			evs[i] = catalog.Event{EventName: "Push Sent", Platform: "iOS", ApplicationCode: "SOAK1-00001"}
		}
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				emu.Inject(evs...)
			}
		}
	}()
	go func() { // 10 API calls every 100 ms
		client := &http.Client{Timeout: 5 * time.Second}
		body := `{"request":{"auth":"soak-token","application":"SOAK1-00001"}}`
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				for range 10 {
					resp, err := client.Post(emu.URL()+"/json/1.3/getApplication", "application/json", strings.NewReader(body))
					if err == nil {
						resp.Body.Close()
					}
				}
			}
		}
	}()

	start := time.Now()
	var at2 int
	for m := 1; m <= minutes; m++ {
		<-time.After(time.Until(start.Add(time.Duration(m) * time.Minute)))
		runtime.GC()
		rss := rssBytes(b)
		t := emu.Totals()
		fmt.Printf("soak minute %d: RSS %.1f MiB, generated %d, delivered %d, dropped %d, pending %d, receiver requests %d\n",
			m, float64(rss)/(1<<20), t.Generated, t.Delivered, t.Dropped, t.Pending, rcv.Stats().Requests)
		if m == 2 {
			at2 = rss
		}
	}
	end := rssBytes(b)
	fmt.Printf("soak: RSS at minute 2 %.1f MiB, at minute %d %.1f MiB (%+.1f %%)\n",
		float64(at2)/(1<<20), minutes, float64(end)/(1<<20), 100*float64(end-at2)/float64(at2))
	b.ReportMetric(float64(at2)/(1<<20), "MiB-RSS-min2")
	b.ReportMetric(float64(end)/(1<<20), "MiB-RSS-end")
}

// rssBytes reads the resident set size of this process (Linux).
func rssBytes(b *testing.B) int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Skip("no /proc/self/status: RSS is read on Linux only")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return kb << 10
		}
	}
	return 0
}
