package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// loadResult is what the load generator reports on its standard output.
type loadResult struct {
	Requests int64   `json:"requests"` // answered in the measured window
	Non2xx   int64   `json:"non_2xx"`
	Errors   int64   `json:"errors"`
	Seconds  float64 `json:"seconds"`
	RPS      float64 `json:"rps"`
	P50us    float64 `json:"p50_us"`
	P99us    float64 `json:"p99_us"`
}

// runLoad is the API load generator: -conns keep-alive connections, each sending the
// pre-encoded requests of -bodies in turn as fast as answers come back, for -duration
// after a -warmup that is not counted.
func runLoad(args []string) error {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	addr := fs.String("addr", "", "server host:port (loopback)")
	path := fs.String("path", "/", "request path")
	bodiesFile := fs.String("bodies", "", "file of request bodies, one a line")
	conns := fs.Int("conns", 16, "connections")
	duration := fs.Duration("duration", 5*time.Second, "measured time")
	warmup := fs.Duration("warmup", 500*time.Millisecond, "time before measuring")
	maxReq := fs.Int64("max-requests", 5_000_000, "stop after this many requests")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopbackOnly(*addr); err != nil {
		return err
	}
	bodies, err := readLines(*bodiesFile)
	if err != nil {
		return err
	}
	reqs := make([][]byte, len(bodies))
	for i, b := range bodies {
		reqs[i] = rawPost(*addr, *path, b)
	}

	start := time.Now()
	measureFrom := start.Add(*warmup)
	deadline := measureFrom.Add(*duration)
	var sent atomic.Int64
	var mu sync.Mutex
	var all []time.Duration
	var res loadResult
	var wg sync.WaitGroup
	for c := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := &rawConn{addr: *addr}
			defer rc.close()
			lat := make([]time.Duration, 0, 1<<14)
			var n, non2xx, errs int64
			for i := c; sent.Add(1) <= *maxReq; i++ {
				t0 := time.Now()
				if t0.After(deadline) {
					break
				}
				status, err := rc.do(reqs[i%len(reqs)])
				t1 := time.Now()
				if t0.Before(measureFrom) {
					continue
				}
				switch {
				case err != nil:
					errs++
				case status < 200 || status > 299:
					non2xx++
				}
				n++
				lat = append(lat, t1.Sub(t0))
			}
			mu.Lock()
			res.Requests += n
			res.Non2xx += non2xx
			res.Errors += errs
			all = append(all, lat...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	end := time.Now()
	if end.After(deadline) {
		end = deadline
	}
	res.Seconds = end.Sub(measureFrom).Seconds()
	if res.Seconds > 0 {
		res.RPS = float64(res.Requests) / res.Seconds
	}
	slices.Sort(all)
	res.P50us = quantile(all, 0.50)
	res.P99us = quantile(all, 0.99)
	return emit(res)
}

// registerResult is what the register role reports.
type registerResult struct {
	Registered int64   `json:"registered"`
	Failed     int64   `json:"failed"`
	Seconds    float64 `json:"seconds"`
}

// runRegister registers -n devices (hwids bench-0 … bench-(n-1)) in one application
// through registerDevice, over -conns connections, within -timeout.
func runRegister(args []string) error {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	addr := fs.String("addr", "", "pwemu host:port (loopback)")
	app := fs.String("app", "", "application code")
	prefix := fs.String("prefix", "bench", "hwid prefix")
	n := fs.Int64("n", 1000, "devices")
	conns := fs.Int("conns", 16, "connections")
	timeout := fs.Duration("timeout", 5*time.Minute, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopbackOnly(*addr); err != nil {
		return err
	}
	start := time.Now()
	deadline := start.Add(*timeout)
	var next, ok, failed atomic.Int64
	var wg sync.WaitGroup
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := &rawConn{addr: *addr}
			defer rc.close()
			var body []byte
			for {
				i := next.Add(1) - 1
				if i >= *n || time.Now().After(deadline) {
					return
				}
				body = fmt.Appendf(body[:0], `{"request":{"application":%q,"push_token":"%s-token-%d","hwid":"%s-%d","device_type":%d,"language":"en","timezone":3600}}`,
					*app, *prefix, i, *prefix, i, 1+2*(i%2))
				status, err := rc.do(rawPost(*addr, "/json/1.3/registerDevice", body))
				if err != nil || status != 200 {
					failed.Add(1)
					continue
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	res := registerResult{Registered: ok.Load(), Failed: failed.Load(), Seconds: time.Since(start).Seconds()}
	if res.Registered < *n {
		return fmt.Errorf("registered %d of %d devices (%d failed) in %.1fs", res.Registered, *n, res.Failed, res.Seconds)
	}
	return emit(res)
}

// rawPost is the bytes of one keep-alive HTTP/1.1 POST of a JSON body.
func rawPost(addr, path string, body []byte) []byte {
	b := fmt.Appendf(nil, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, addr, len(body))
	return append(b, body...)
}

// rawConn is one keep-alive HTTP/1.1 connection that writes pre-encoded requests and
// reads answers with as little work as it can (status, headers skipped, body
// discarded), so that the load generator costs less than what it measures.
type rawConn struct {
	addr string
	c    net.Conn
	r    *bufio.Reader
}

func (rc *rawConn) do(req []byte) (int, error) {
	if rc.c == nil {
		c, err := net.DialTimeout("tcp", rc.addr, 5*time.Second)
		if err != nil {
			return 0, err
		}
		rc.c = c
		rc.r = bufio.NewReaderSize(c, 16<<10)
	}
	_ = rc.c.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := rc.c.Write(req); err != nil {
		rc.close()
		return 0, err
	}
	status, closing, err := readResponse(rc.r)
	if err != nil || closing {
		rc.close()
	}
	return status, err
}

func (rc *rawConn) close() {
	if rc.c != nil {
		_ = rc.c.Close()
		rc.c, rc.r = nil, nil
	}
}

var (
	hdrContentLength = []byte("content-length:")
	hdrChunked       = []byte("transfer-encoding: chunked")
	hdrClose         = []byte("connection: close")
)

// readResponse reads one HTTP/1.1 answer: its status, and whether the server closes
// the connection after it.
func readResponse(r *bufio.Reader) (status int, closing bool, err error) {
	line, err := r.ReadSlice('\n')
	if err != nil {
		return 0, true, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, true, fmt.Errorf("bad status line %q", line)
	}
	status, err = strconv.Atoi(string(line[9:12]))
	if err != nil {
		return 0, true, fmt.Errorf("bad status line %q", line)
	}
	length, chunked := int64(-1), false
	for {
		line, err = r.ReadSlice('\n')
		if err != nil {
			return status, true, err
		}
		if len(line) <= 2 {
			break
		}
		lower := bytes.ToLower(bytes.TrimSpace(line))
		switch {
		case bytes.HasPrefix(lower, hdrContentLength):
			length, err = strconv.ParseInt(string(bytes.TrimSpace(lower[len(hdrContentLength):])), 10, 64)
			if err != nil {
				return status, true, fmt.Errorf("bad header %q", line)
			}
		case bytes.Equal(lower, hdrChunked):
			chunked = true
		case bytes.Equal(lower, hdrClose):
			closing = true
		}
	}
	switch {
	case chunked:
		for {
			line, err = r.ReadSlice('\n')
			if err != nil {
				return status, true, err
			}
			size, perr := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
			if perr != nil {
				return status, true, fmt.Errorf("bad chunk size %q", line)
			}
			if size == 0 {
				for { // trailers, then the empty line
					line, err = r.ReadSlice('\n')
					if err != nil || len(line) <= 2 {
						return status, closing, err
					}
				}
			}
			if _, err = r.Discard(int(size) + 2); err != nil {
				return status, true, err
			}
		}
	case length >= 0:
		_, err = r.Discard(int(length))
		return status, closing, err
	}
	return status, true, errors.New("answer without a length")
}

// quantile of sorted durations, in microseconds.
func quantile(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := min(int(q*float64(len(sorted))), len(sorted)-1)
	return float64(sorted[i]) / float64(time.Microsecond)
}

// readLines reads a file of one item a line (empty lines skipped).
func readLines(path string) ([][]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for line := range bytes.SplitSeq(data, []byte("\n")) {
		if len(line) > 0 {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: nothing in it", path)
	}
	return out, nil
}

// loopbackOnly refuses an address that is not a loopback host:port: the harness never
// sends traffic off the machine.
func loopbackOnly(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("address %q: only loopback addresses are allowed", addr)
	}
	return nil
}

// emit writes a role's result as one JSON line on standard output.
func emit(v any) error {
	return json.NewEncoder(os.Stdout).Encode(v)
}
