package ui_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image/png"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
	"github.com/pwemu/pwemu/scenarios/expect"
	"github.com/pwemu/pwemu/testkit/receiver"
)

var screenshots = flag.Bool("screenshots", false, "write the inspector's screenshots to testdata/ (for the README)")

const inspected = `
name: inspector demo
clock: {mode: manual}
accounts:
  - id: acme
    tokens: [{value: srv, kind: server}]
    applications: [{code: 32E5A-9B411, name: Headway}]
streams:
  - name: analytics
    endpoint: ${RECEIVER_URL}
    events: [Push Sent, Push Delivered]
    platforms: [iOS, Android]
    batch: {size: 20, interval: 1m}
    retry: {delays: [10s, 30s]}
  - name: billing
    endpoint: ${FLAKY_URL}
    events: [Push Sent]
    platforms: [iOS]
    batch: {size: 10, interval: 1m}
    retry: {delays: [5s]}
expect:
  delivered: all
  no_5xx: true
`

// chromium finds the browser, or explains why the test cannot run.
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium on PATH: CI must run the browser test (.ci/run installs Debian's chromium)")
	}
	t.Skip("no Chromium on PATH: install it (apt-get install -y chromium) to run the inspector's browser test")
	return ""
}

func TestInspectorInAHeadlessBrowser(t *testing.T) {
	browser := chromium(t)
	good := receiver.StartHTTP(t)
	// billing answers 503 to its first three requests, then takes what comes.
	flaky := receiver.StartHTTP(t, receiver.WithHTTPResponses(receiver.HTTPRepeat(receiver.HTTPStatus(503), 3)...))
	sc, err := scenarios.ParseWith("inspector.yaml", []byte(inspected), scenarios.Options{
		Vars: map[string]string{"RECEIVER_URL": good.URL(), "FLAKY_URL": flaky.URL()}})
	if err != nil {
		t.Fatal(err)
	}
	const token = "s3cret-token"
	emu, err := emulator.New(emulator.Config{Scenario: sc, Addr: "127.0.0.1:0", ControlToken: token, Judge: expect.JudgeJSON})
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })

	// A scripted run: events for both streams, a few API calls, an hour of time.
	var evs []catalog.Event
	for i := range 60 {
		name, platform := "Push Sent", "iOS"
		switch i % 4 {
		case 1:
			name = "Push Delivered"
		case 2:
			platform = "Android"
		case 3:
			name = "Push Opened" // filtered by both streams
		}
		evs = append(evs, catalog.Event{EventName: name, Platform: platform, MessageCode: "C3F8-C3863ED4-334AD4F1",
			ApplicationCode: "32E5A-9B411", HWID: fmt.Sprintf("hw-%03d", i)})
	}
	emu.Inject(evs...)
	for _, call := range []struct{ method, body string }{
		{"getApplications", `{"request":{"auth":"srv"}}`},
		{"getApplications", `{"request":{"auth":"wrong"}}`},
		{"getApplications", `not json`}, // 400
		{"createMessage", `{"request":{"auth":"srv","application":"32E5A-9B411","notifications":[{"send_date":"now","content":"Hello"}]}}`},
	} {
		resp, err := http.Post(emu.URL()+"/json/1.3/"+call.method, "application/json", strings.NewReader(call.body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if _, err := emu.Advance(time.Hour); err != nil {
		t.Fatal(err)
	}
	want := emu.Totals()
	if want.Generated == 0 || want.Filtered == 0 {
		t.Fatalf("the scripted run generated %+v", want)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser),
		chromedp.NoSandbox, chromedp.WindowSize(1280, 860), chromedp.Flag("disable-dev-shm-usage", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	browserCtx, cancel := chromedp.NewContext(actx)
	defer cancel()
	// The first run starts the browser and must have no deadline (it would stop the
	// browser); the steps after it get one.
	if err := chromedp.Do(browserCtx); err != nil {
		t.Fatalf("starting %s: %v", browser, err)
	}
	ctx, cancel := context.WithTimeout(browserCtx, 90*time.Second)
	defer cancel()
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("reading %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	// waitText polls the page (it redraws every second) until sel shows want.
	waitText := func(sel, want string) {
		t.Helper()
		js := fmt.Sprintf(`(document.querySelector(%q)?.textContent || "").trim() === %q`, sel, want)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
			t.Fatalf("%s shows %q, want %q (%v); status: %s", sel, text(sel), want, err, text("#status"))
		}
	}

	// The token is given once in the address and then sent with each request.
	do(chromedp.Navigate(emu.URL() + "/_pwemu/ui/?token=" + token))
	// The first view, without a click: the totals beside their labels, the clock, calls.
	waitText("#total-generated", strconv.Itoa(want.Generated))
	labels, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#totals > div")].map(d => d.querySelector("dt").textContent + "=" + d.querySelector("dd").textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(labels, " "); got != fmt.Sprintf("generated=%d delivered=%d dropped=%d filtered=%d pending=%d",
		want.Generated, want.Delivered, want.Dropped, want.Filtered, want.Pending) {
		t.Fatalf("totals shown %q, ledger %+v", got, want)
	}
	if url, err := chromedp.Run(ctx, chromedp.Location()); err != nil || strings.Contains(url, token) {
		t.Fatalf("the token stays in the address bar: %s %v", url, err)
	}
	if calls := text("#calls-latest tbody"); !strings.Contains(calls, "getApplications") || !strings.Contains(calls, "createMessage") {
		t.Fatalf("the latest calls do not show the journal's: %q", calls)
	}
	if byMethod := text("#calls-by-method tbody"); !strings.Contains(byMethod, "getApplications") {
		t.Fatalf("calls by method: %q", byMethod)
	}
	now := emu.Now()
	waitText("#clock-now", now.Format("2006-01-02 15:04:05"))
	if mode := text("#clock-mode"); mode != "manual" {
		t.Fatalf("clock mode shown %q", mode)
	}
	if *screenshots {
		shoot(t, ctx, "inspector.png")
	}

	// The advance button moves the emulator clock, and the page shows it.
	do(chromedp.Click(chromedp.CSS(`button[data-advance="1h"]`)))
	later := now.Add(time.Hour)
	waitText("#clock-now", later.Format("2006-01-02 15:04:05"))
	if got := emu.Now(); !got.Equal(later) {
		t.Fatalf("after +1 h the emulator clock is %v, want %v", got, later)
	}

	// The events list is searched and paged on the server.
	waitText("#events-page", fmt.Sprintf("1–50 of %d", want.Generated))
	do(chromedp.SendKeys(chromedp.CSS("#events-q"), "hw-007"))
	n := len(emu.Records(emulator.RecordQuery{Text: "hw-007"}))
	waitText("#events-page", fmt.Sprintf("1–%d of %d", n, n))

	// The timeline shows the requests; the scenario tab judges as pwemu run would.
	do(chromedp.Click(chromedp.CSS(`button[data-tab="timeline"]`)), chromedp.WaitVisible(chromedp.CSS("#timeline svg circle")))
	// billing: batch 1 gets 503 twice and is dropped, batch 2 gets 503 then 200.
	if s := text("#timeline-summary"); !strings.Contains(s, "2 retries, 10 events dropped") {
		t.Fatalf("timeline summary %q; want billing's 2 retries and 10 drops", s)
	}
	if *screenshots {
		shoot(t, ctx, "timeline.png")
	}
	do(chromedp.Click(chromedp.CSS(`button[data-tab="scenario"]`)))
	verdict := expect.Judge(emu, 0)
	if verdict.OK() || len(verdict.Checks) != 3 {
		t.Fatalf("the run should fail delivered and no_5xx: %+v", verdict.Checks)
	}
	waitText("#verdict", fmt.Sprintf("FAIL — as pwemu run would judge now: %d of 3 checks fail", verdict.Failed()))
	if yaml := text("#yaml"); !strings.Contains(yaml, "inspector demo") {
		t.Fatalf("scenario YAML shown: %q", yaml)
	}
	do(chromedp.Click(chromedp.CSS(`button[data-tab="journal"]`)), chromedp.SetValue(chromedp.CSS("#journal-status"), "4xx"))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("#journal-status").dispatchEvent(new Event("change"))`)); err != nil {
		t.Fatal(err)
	}
	waitText("#journal-page", "1–1 of 1")
	if calls := len(emu.Calls()); calls != 4 {
		t.Fatalf("the journal holds %d calls after the page was used, want the 4 of the test: the page must not call the Pushwoosh API", calls)
	}

	// 100,000 events: the page shows them a page at a time.
	// One batch per hour: the events stay pending, each one a record.
	pending, err := scenarios.Parse("big.yaml", []byte(`
name: big
clock: {mode: manual}
streams:
  - endpoint: http://127.0.0.1:9/events
    events: [Push Sent]
    platforms: [iOS]
    batch: {size: 200000, interval: 1h}
`))
	if err != nil {
		t.Fatal(err)
	}
	big, err := emulator.New(emulator.Config{Addr: "127.0.0.1:0", Scenario: pending})
	if err != nil {
		t.Fatal(err)
	}
	if err := big.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { big.Close() })
	many := make([]catalog.Event, 100_000)
	for i := range many {
		many[i] = catalog.Event{EventName: "Push Sent", Platform: "iOS", HWID: fmt.Sprintf("hw-%06d", i)}
	}
	big.Inject(many...)
	do(chromedp.Navigate(big.URL() + "/_pwemu/ui/"))
	waitText("#total-generated", "100,000")
	waitText("#events-page", "1–50 of 100,000")
	if rows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#events tbody tr").length`)); err != nil || rows != 50 {
		t.Fatalf("%d rows rendered (%v), want one page of 50", rows, err)
	}
	do(chromedp.Click(chromedp.CSS("#events-next")))
	waitText("#events-page", "51–100 of 100,000")
}

// shoot saves a screenshot of the viewport as a PNG under testdata/.
func shoot(t *testing.T, ctx context.Context, name string) {
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	// Re-encoded at the best compression: the files live in the repository.
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join("testdata", name), buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
