package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// The scenarios pwemu plays. The account has no createMessage limit to speak of, so
// the API figures measure answers, not 429s.
const (
	benchAccount = `accounts:
  - id: bench
    create_message_rate: 1000000000
    tokens:
      - {value: bench-server-token, kind: server}
    applications:
      - {code: BE0C1-00001, name: One device}
      - {code: BE0C1-00002, name: Many devices}
`
	apiScenario = "name: bench api\nseed: 1\nclock: {mode: real}\n" + benchAccount

	// Traffic of the sender figures: count (or rate) and stream are filled in.
	senderScenario = `name: bench %[1]s sender
seed: 3
duration: %[4]s
` + benchAccount + `streams:
  - name: receiver
    endpoint: %[2]s
    transport: %[1]s
    authorization: Bearer bench
    events: [Push Sent, Push Delivered, Push Opened]
    platforms: [iOS, Android]
    batch: {size: %[5]d, interval: 1h}
traffic:
  - at: 0s
    generate: {%[3]s, events: [Push Sent, Push Delivered, Push Opened], platforms: [iOS, Android]}
`
	fanoutScenario = "name: bench fan-out\nseed: 4\nclock: {mode: real}\n" + benchAccount + `streams:
  - name: receiver
    endpoint: ${RECEIVER_URL}
    authorization: Bearer bench
    events: [Push Sent, Push Delivered, Push Opened]
    platforms: [iOS, Android]
`
)

func createMessageBody(app string, i int) string {
	return fmt.Sprintf(`{"request":{"application":%q,"auth":"bench-server-token","notifications":[{"send_date":"now","content":"Hello %d","platforms":[1,3]}]}}`, app, i)
}

// apiBodies are the request bodies the load generator sends in turn.
func apiBodies(method string) string {
	var b strings.Builder
	switch method {
	case catalog.CreateMessage.Method:
		for i := range 16 {
			b.WriteString(createMessageBody("BE0C1-00001", i) + "\n")
		}
	case catalog.RegisterDevice.Method: // 10,000 devices, each registered again and again
		for i := range 10_000 {
			fmt.Fprintf(&b, `{"request":{"application":"BE0C1-00001","push_token":"bench-token-%d","hwid":"bench-%d","device_type":%d,"language":"en","timezone":3600}}`+"\n", i, i, 1+2*(i%2))
		}
	}
	return b.String()
}

// order is which side goes first in pair i: they take turns, so that drift on a
// shared machine falls on both.
func order(i int) []bool {
	if i%2 == 0 {
		return []bool{true, false}
	}
	return []bool{false, true}
}

// api: req/s and p99 latency of one method, pwemu against the bare server.
func (h *harness) api(method string) error {
	sc, err := h.writeFile("api.yaml", apiScenario)
	if err != nil {
		return err
	}
	bodies, err := h.writeFile(method+".bodies", apiBodies(method))
	if err != nil {
		return err
	}
	rps := h.add(&result{figure: method + " req/s", ratio: "pwemu / bare", target: "≥ 0.85", unit: "req/s"})
	p99 := h.add(&result{figure: method + " p99 latency", ratio: "pwemu / bare", target: "≤ 1.5", unit: "ms"})
	for i := range h.pairs {
		var got [2]loadResult
		for _, isPwemu := range order(i) {
			k := 1
			if isPwemu {
				k = 0
			}
			if got[k], err = h.apiRun(isPwemu, method, sc, bodies, i); err != nil {
				return err
			}
		}
		h.pair(rps, i, got[0].RPS, got[1].RPS)
		h.pair(p99, i, got[0].P99us/1000, got[1].P99us/1000)
	}
	return nil
}

// apiRun starts pwemu or the bare server, checks one answer, loads it and stops it.
func (h *harness) apiRun(isPwemu bool, method, scenario, bodies string, pair int) (loadResult, error) {
	var res loadResult
	addr, err := freeAddr()
	if err != nil {
		return res, err
	}
	var srv *proc
	health := "http://" + addr + "/health"
	if isPwemu {
		srv, err = h.start(serverCore, h.pwemuEnv(method, pair), h.pwemu, "serve", "--addr", addr, "--scenario", scenario)
		health = "http://" + addr + "/_pwemu/health"
	} else {
		srv, err = h.start(serverCore, nil, h.self, "bare-api", "-addr", addr)
	}
	if err != nil {
		return res, err
	}
	defer srv.stop()
	if _, err := waitOK(srv, health, time.Now(), 20*time.Second); err != nil {
		return res, err
	}
	lines, err := readLines(bodies)
	if err != nil {
		return res, err
	}
	status, body, err := post(probe, "http://"+addr+"/json/1.3/"+method, string(lines[0]))
	if err != nil || status != http.StatusOK || !bytes.Contains(body, []byte(`"status_code":200`)) {
		return res, fmt.Errorf("%s: %s answered %d %s (%v)", srv.name, method, status, body, err)
	}
	_, err = h.run(loadCore, h.duration+2*time.Minute, nil, &res, h.self, "load", "-addr", addr,
		"-path", "/json/1.3/"+method, "-bodies", bodies, "-conns", strconv.Itoa(h.conns), "-duration", h.duration.String())
	if err != nil {
		return res, err
	}
	if res.Errors > 0 || res.Non2xx > 0 || res.Requests == 0 {
		return res, fmt.Errorf("%s: %d requests, %d errors, %d not 2xx", srv.name, res.Requests, res.Errors, res.Non2xx)
	}
	return res, nil
}

// senderScenarioFile writes a sender scenario: transport http or grpc, traffic spec
// (e.g. "count: 1000"), and returns its path.
func (h *harness) senderScenarioFile(name, transport, traffic, duration string) (string, error) {
	endpoint, size := "${RECEIVER_URL}", 100
	if transport == "grpc" {
		endpoint, size = "${RECEIVER_GRPC}", 1000
	}
	return h.writeFile(name, fmt.Sprintf(senderScenario, transport, endpoint, traffic, duration, size))
}

// startHTTPReceiver starts the counting receiver on the load core.
func (h *harness) startHTTPReceiver(args ...string) (*proc, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", err
	}
	rec, err := h.start(loadCore, nil, append([]string{h.self, "receiver-http", "-addr", addr}, args...)...)
	if err != nil {
		return nil, "", err
	}
	if _, err := waitOK(rec, "http://"+addr+"/_stats", time.Now(), 20*time.Second); err != nil {
		rec.stop()
		return nil, "", err
	}
	return rec, "http://" + addr, nil
}

// stopReceiver stops a receiver and returns what it counted.
func stopReceiver(rec *proc) (receiverStats, error) {
	var st receiverStats
	if err := rec.stop(); err != nil {
		return st, err
	}
	return st, rec.result(&st)
}

// recordBodies records the HTTP bodies pwemu sends (200 batches of 100 events) for
// the bare loop to replay.
func (h *harness) recordBodies() error {
	if h.bodies != "" {
		return nil
	}
	sc, err := h.senderScenarioFile("record-http.yaml", "http", "count: 20000", "1h")
	if err != nil {
		return err
	}
	path := filepath.Join(h.tmp, "http.bodies")
	rec, url, err := h.startHTTPReceiver("-record", path, "-record-max", "200")
	if err != nil {
		return err
	}
	defer rec.stop()
	if _, err := h.run(serverCore, 5*time.Minute, nil, nil, h.pwemu, "run", "--receiver", url+"/events", sc); err != nil {
		return err
	}
	if _, err := stopReceiver(rec); err != nil {
		return err
	}
	lines, err := readLines(path)
	if err != nil {
		return fmt.Errorf("recording pwemu's batches: %w", err)
	}
	fmt.Fprintf(h.out, "   recorded %d bodies of 100 events from pwemu\n", len(lines))
	h.bodies = path
	return nil
}

// httpSender: events/s at a receiver, pwemu run playing a scenario against the bare
// loop POSTing the same bodies.
func (h *harness) httpSender() error {
	if err := h.recordBodies(); err != nil {
		return err
	}
	n := h.senderEvents
	sc, err := h.senderScenarioFile("http.yaml", "http", fmt.Sprintf("count: %d", n), "1h")
	if err != nil {
		return err
	}
	r := h.add(&result{figure: "HTTP sender events/s", ratio: "pwemu / bare loop", target: "≥ 0.9", unit: "ev/s",
		note: fmt.Sprintf("pwemu run, %d events", n)})
	return h.senderPairs(r, n, h.startHTTPReceiver, func(isPwemu bool, url string, i int) error {
		if isPwemu {
			_, err := h.run(serverCore, 10*time.Minute, h.pwemuEnv("http", i), nil, h.pwemu, "run", "--receiver", url+"/events", sc)
			return err
		}
		var res senderResult
		_, err := h.run(serverCore, 10*time.Minute, nil, &res, h.self, "post-loop", "-url", url+"/events",
			"-bodies", h.bodies, "-events", strconv.FormatInt(n, 10), "-authorization", "Bearer bench")
		return err
	})
}

// senderPairs runs the pairs of a sender figure: in each, pwemu and the bare sender
// (in turn, by order) send n events to a fresh receiver, which must count all n and
// gives the events/s of the ratio.
func (h *harness) senderPairs(r *result, n int64, receiver func(...string) (*proc, string, error),
	send func(isPwemu bool, target string, pair int) error) error {
	for i := range h.pairs {
		var got [2]float64
		for _, isPwemu := range order(i) {
			rec, target, err := receiver()
			if err != nil {
				return err
			}
			err = send(isPwemu, target, i)
			st, serr := stopReceiver(rec)
			if err != nil {
				return err
			}
			if serr != nil {
				return serr
			}
			if st.Events != n {
				return fmt.Errorf("the receiver counted %d events, want %d", st.Events, n)
			}
			if isPwemu {
				got[0] = st.EventsPerSecond()
			} else {
				got[1] = st.EventsPerSecond()
			}
		}
		h.pair(r, i, got[0], got[1])
	}
	return nil
}

// startGRPCReceiver starts the acking gRPC receiver; it returns its gRPC address and
// the URL of its stats.
func (h *harness) startGRPCReceiver(args ...string) (*proc, string, string, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, "", "", err
	}
	stats, err := freeAddr()
	if err != nil {
		return nil, "", "", err
	}
	rec, err := h.start(loadCore, nil, append([]string{h.self, "receiver-grpc", "-addr", addr, "-stats-addr", stats}, args...)...)
	if err != nil {
		return nil, "", "", err
	}
	if _, err := waitOK(rec, "http://"+stats+"/_stats", time.Now(), 20*time.Second); err != nil {
		rec.stop()
		return nil, "", "", err
	}
	return rec, addr, "http://" + stats, nil
}

// grpcSender: events/s at an acking gRPC receiver, pwemu run against the bare
// grpc-go client streaming the same events.
func (h *harness) grpcSender() error {
	if h.events == "" {
		sc, err := h.senderScenarioFile("record-grpc.yaml", "grpc", "count: 10000", "1h")
		if err != nil {
			return err
		}
		path := filepath.Join(h.tmp, "grpc.events")
		rec, addr, _, err := h.startGRPCReceiver("-record", path, "-record-max", "10000")
		if err != nil {
			return err
		}
		_, err = h.run(serverCore, 5*time.Minute, nil, nil, h.pwemu, "run", "--receiver-grpc", addr, sc)
		if _, serr := stopReceiver(rec); err == nil {
			err = serr
		}
		if err != nil {
			return err
		}
		h.events = path
	}
	n := h.senderEvents
	sc, err := h.senderScenarioFile("grpc.yaml", "grpc", fmt.Sprintf("count: %d", n), "1h")
	if err != nil {
		return err
	}
	r := h.add(&result{figure: "gRPC sender events/s", ratio: "pwemu / bare client", target: "≥ 0.9", unit: "ev/s",
		note: fmt.Sprintf("pwemu run, %d events", n)})
	receiver := func(args ...string) (*proc, string, error) {
		rec, addr, _, err := h.startGRPCReceiver(args...)
		return rec, addr, err
	}
	return h.senderPairs(r, n, receiver, func(isPwemu bool, addr string, i int) error {
		if isPwemu {
			_, err := h.run(serverCore, 10*time.Minute, h.pwemuEnv("grpc", i), nil, h.pwemu, "run", "--receiver-grpc", addr, sc)
			return err
		}
		var res senderResult
		_, err := h.run(serverCore, 10*time.Minute, nil, &res, h.self, "grpc-loop", "-addr", addr,
			"-events", h.events, "-events-count", strconv.FormatInt(n, 10))
		return err
	})
}

// hours: 24 h of emulator time with n events and a receiver answering 503 to 20 % of
// requests (seeded): wall time of pwemu run against the bare loop sending the same
// bodies with the same retries; and pwemu's wall time at n against 4 × at n/4.
func (h *harness) hours() error {
	if err := h.recordBodies(); err != nil {
		return err
	}
	n := h.hoursEvents
	full, err := h.senderScenarioFile("hours.yaml", "http", fmt.Sprintf("rate: %d/24h, for: 24h", n), "25h")
	if err != nil {
		return err
	}
	quarter, err := h.senderScenarioFile("hours-quarter.yaml", "http", fmt.Sprintf("rate: %d/24h, for: 24h", n/4), "25h")
	if err != nil {
		return err
	}
	wall := h.add(&result{figure: "24 h of emulator time, wall time", ratio: "pwemu / bare loop", target: "≤ 1.2", unit: "s",
		note: fmt.Sprintf("%d events, 20 %% answered 503", n)})
	growth := h.add(&result{figure: "24 h wall time growth", ratio: fmt.Sprintf("t(%d) / 4·t(%d)", n, n/4), target: "≈ 1 (linear)", unit: "s",
		note: "pwemu at n against 4× pwemu at n/4"})
	play := func(sc, profile string, pair int) (time.Duration, receiverStats, error) {
		rec, url, err := h.startHTTPReceiver("-fail", "0.2", "-seed", "42")
		if err != nil {
			return 0, receiverStats{}, err
		}
		took, err := h.run(serverCore, 30*time.Minute, h.pwemuEnv(profile, pair), nil, h.pwemu, "run", "--receiver", url+"/events", sc)
		st, serr := stopReceiver(rec)
		if err == nil {
			err = serr
		}
		return took, st, err
	}
	for i := range h.pairs {
		var pw, bare time.Duration
		var pst, bst receiverStats
		for _, isPwemu := range order(i) {
			var err error
			if isPwemu {
				pw, pst, err = play(full, "hours", i)
			} else {
				rec, url, rerr := h.startHTTPReceiver("-fail", "0.2", "-seed", "42")
				if rerr != nil {
					return rerr
				}
				var res senderResult
				bare, err = h.run(serverCore, 30*time.Minute, nil, &res, h.self, "post-loop", "-url", url+"/events",
					"-bodies", h.bodies, "-events", strconv.FormatInt(n, 10), "-retries", "3", "-authorization", "Bearer bench")
				var serr error
				bst, serr = stopReceiver(rec)
				if err == nil {
					err = serr
				}
			}
			if err != nil {
				return err
			}
		}
		fmt.Fprintf(h.out, "   pair %d: requests: pwemu %d (%d answered 503, %d events accepted), bare %d (%d answered 503, %d events accepted)\n",
			i+1, pst.Requests+pst.Failed, pst.Failed, pst.Events, bst.Requests+bst.Failed, bst.Failed, bst.Events)
		h.pair(wall, i, pw.Seconds(), bare.Seconds())
		q, _, err := play(quarter, "hours-quarter", i)
		if err != nil {
			return err
		}
		h.pair(growth, i, pw.Seconds(), 4*q.Seconds())
	}
	return nil
}

// fanout: createMessage to an application with many devices against one with a
// single device, in the same fresh pwemu; and the rate its events reach a receiver.
func (h *harness) fanout() error {
	sc, err := h.writeFile("fanout.yaml", fanoutScenario)
	if err != nil {
		return err
	}
	n := h.fanoutDevices
	lat := h.add(&result{figure: "createMessage answer, app with many devices", ratio: fmt.Sprintf("%d devices / 1 device", n),
		target: "≤ 2", unit: "ms"})
	rate := h.add(&result{figure: "fan-out events/s at a receiver", ratio: "pwemu / bare loop (http figure)",
		target: "≥ 0.9", unit: "ev/s", note: "real clock: includes the lifecycle's 1 s stage delays"})
	for i := range min(h.pairs, max(h.fanoutPairs, 1)) {
		one, many, evs, err := h.fanoutRun(sc, n, i)
		if err != nil {
			return err
		}
		h.pair(lat, i, many, one)
		h.pair(rate, i, evs, h.bareHTTPMedian())
	}
	return nil
}

// bareHTTPMedian is the median events/s of the bare HTTP loop, when measured in this run.
func (h *harness) bareHTTPMedian() float64 {
	for _, r := range h.results {
		if r.figure == "HTTP sender events/s" && len(r.base) > 0 {
			s := slices.Clone(r.base)
			slices.Sort(s)
			return median(s)
		}
	}
	return 0
}

func (h *harness) fanoutRun(sc string, n int64, pair int) (oneMs, manyMs, eventsPerSec float64, err error) {
	rec, url, err := h.startHTTPReceiver()
	if err != nil {
		return 0, 0, 0, err
	}
	defer rec.stop()
	addr, err := freeAddr()
	if err != nil {
		return 0, 0, 0, err
	}
	srv, err := h.start(serverCore, h.pwemuEnv("fanout", pair, "RECEIVER_URL="+url+"/events"), h.pwemu, "serve", "--addr", addr, "--scenario", sc)
	if err != nil {
		return 0, 0, 0, err
	}
	defer srv.stop()
	base := "http://" + addr
	if _, err := waitOK(srv, base+"/_pwemu/health", time.Now(), 20*time.Second); err != nil {
		return 0, 0, 0, err
	}
	var reg registerResult
	if _, err := h.run(loadCore, 15*time.Minute, nil, &reg, h.self, "register", "-addr", addr, "-app", "BE0C1-00002", "-n", strconv.FormatInt(n, 10)); err != nil {
		return 0, 0, 0, err
	}
	fmt.Fprintf(h.out, "   pair %d: registered %d devices in %.1fs (%.0f/s)\n", pair+1, reg.Registered, reg.Seconds, float64(reg.Registered)/reg.Seconds)
	if _, err := h.run(loadCore, time.Minute, nil, nil, h.self, "register", "-addr", addr, "-app", "BE0C1-00001", "-prefix", "one", "-n", "1", "-conns", "1"); err != nil {
		return 0, 0, 0, err
	}
	client := &http.Client{Timeout: 10 * time.Minute}
	call := func(app string, k int) (float64, error) {
		t0 := time.Now()
		status, body, err := post(client, base+"/json/1.3/createMessage", createMessageBody(app, k))
		took := time.Since(t0)
		if err != nil || status != http.StatusOK || !bytes.Contains(body, []byte(`"status_code":200`)) {
			return 0, fmt.Errorf("createMessage to %s: %d %s (%v)", app, status, body, err)
		}
		return float64(took) / float64(time.Millisecond), nil
	}
	var ones []float64
	for k := range 5 {
		ms, err := call("BE0C1-00001", k)
		if err != nil {
			return 0, 0, 0, err
		}
		ones = append(ones, ms)
	}
	slices.Sort(ones)
	if err := resetReceiver(url); err != nil {
		return 0, 0, 0, err
	}
	many, err := call("BE0C1-00002", 99)
	if err != nil {
		return 0, 0, 0, err
	}
	// The events arrive over the next seconds: wait until the count stands still.
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	var st receiverStats
	still := 0
	for still < 12 { // 3 s without a new event
		var now receiverStats
		if err := getJSON(ctx, url+"/_stats", &now); err != nil {
			return 0, 0, 0, fmt.Errorf("waiting for the fan-out's events: %w", err)
		}
		if now.Events == st.Events && now.Events > 0 {
			still++
		} else {
			still = 0
		}
		st = now
		select {
		case <-ctx.Done():
			return 0, 0, 0, fmt.Errorf("the fan-out's events still arriving after 15 min (%d so far)", st.Events)
		case <-time.After(250 * time.Millisecond):
		}
	}
	fmt.Fprintf(h.out, "   pair %d: createMessage to 1 device %.2f ms (median of 5), to %d devices %.1f ms; %d events reached the receiver\n",
		pair+1, median(ones), n, many, st.Events)
	return median(ones), many, st.EventsPerSecond(), nil
}

func resetReceiver(url string) error {
	status, _, err := post(probe, url+"/_reset", "")
	if err == nil && status != http.StatusOK {
		err = fmt.Errorf("receiver reset: %d", status)
	}
	return err
}

// startup: exec to the first 200 of the health endpoint, pwemu serve against the
// bare binary serving /health.
func (h *harness) startup() error {
	r := h.add(&result{figure: "binary start to healthy", ratio: "pwemu / bare binary", target: "≤ 1.3", unit: "ms"})
	for i := range h.pairs {
		var got [2]float64
		for _, isPwemu := range order(i) {
			addr, err := freeAddr()
			if err != nil {
				return err
			}
			t0 := time.Now()
			var p *proc
			url := "http://" + addr
			if isPwemu {
				p, err = h.start(serverCore, h.pwemuEnv("start", i), h.pwemu, "serve", "--addr", addr)
				url += "/_pwemu/health"
			} else {
				p, err = h.start(serverCore, nil, h.barehealth, "-addr", addr)
				url += "/health"
			}
			if err != nil {
				return err
			}
			took, err := waitOK(p, url, t0, 20*time.Second)
			p.stop()
			if err != nil {
				return err
			}
			ms := float64(took) / float64(time.Millisecond)
			if isPwemu {
				got[0] = ms
			} else {
				got[1] = ms
			}
		}
		h.pair(r, i, got[0], got[1])
	}
	return nil
}

var benchLine = regexp.MustCompile(`^BenchmarkStart(?:-\d+)?\s+\d+\s+([0-9.]+) ns/op`)

// testkitStart: the in-process start, from testkit's own benchmark (a go test
// benchmark: the one figure measured in process).
func (h *harness) testkitStart() error {
	bin := filepath.Join(h.tmp, "testkit.test")
	cmd := exec.Command("go", "test", "-c", "-o", bin, "./testkit")
	cmd.Dir = h.root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go test -c ./testkit: %w\n%s", err, out)
	}
	p, err := h.start(serverCore, nil, bin, "-test.run", "^$", "-test.bench", "^BenchmarkStart$",
		"-test.benchtime", "200x", "-test.count", strconv.Itoa(h.pairs))
	if err != nil {
		return err
	}
	if err := p.wait(10 * time.Minute); err != nil {
		return err
	}
	r := h.add(&result{figure: "testkit.Start, in process", ratio: "time (ms)", target: "< 1 ms", unit: "ms",
		note: "go test -bench Start ./testkit"})
	for line := range strings.SplitSeq(p.stdout.String(), "\n") {
		if m := benchLine.FindStringSubmatch(line); m != nil {
			ns, _ := strconv.ParseFloat(m[1], 64)
			ms := ns / 1e6
			r.pwemu = append(r.pwemu, ms)
			r.base = append(r.base, 0)
			r.ratios = append(r.ratios, ms)
			fmt.Fprintf(h.out, "   run %d: %.3f ms\n", len(r.pwemu), ms)
		}
	}
	if len(r.pwemu) == 0 {
		return fmt.Errorf("no BenchmarkStart result in:\n%s", lastLines(p.stdout.String(), 10))
	}
	return nil
}
