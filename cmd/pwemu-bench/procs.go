package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Cores processes are pinned to when taskset exists: servers (pwemu, the baselines,
// senders) on one, load generators and receivers on the other.
const (
	serverCore = 0
	loadCore   = 1
	noCore     = -1
)

// proc is one process the harness started.
type proc struct {
	name   string
	cmd    *exec.Cmd
	stdout *capped
	stderr *capped
	done   chan struct{}
	err    error
}

// capped keeps the first 1 MiB written to it: a process's output, bounded.
type capped struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (c *capped) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if room := 1<<20 - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *capped) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// start starts argv pinned to core (noCore: not pinned) with extra environment.
func (h *harness) start(core int, env []string, argv ...string) (*proc, error) {
	name := argv[0]
	if h.taskset != "" && core != noCore {
		argv = append([]string{h.taskset, "-c", strconv.Itoa(core)}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = h.tmp
	cmd.Env = append(os.Environ(), env...)
	p := &proc{name: name, cmd: cmd, stdout: &capped{}, stderr: &capped{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	h.mu.Lock()
	h.procs[p] = struct{}{}
	h.mu.Unlock()
	go func() {
		p.err = cmd.Wait()
		close(p.done)
		h.mu.Lock()
		delete(h.procs, p)
		h.mu.Unlock()
	}()
	return p, nil
}

// wait waits for p to end by itself within timeout (then kills it).
func (p *proc) wait(timeout time.Duration) error {
	select {
	case <-p.done:
	case <-time.After(timeout):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s: killed after %s", p.name, timeout)
	}
	if p.err != nil {
		return fmt.Errorf("%s: %w\n%s", p.name, p.err, lastLines(p.stderr.String(), 20))
	}
	return nil
}

// stop ends p with SIGTERM (SIGKILL after 40 s: pwemu serve sends pending batches
// once on SIGTERM, bounded by a 35 s timeout) and waits for it.
func (p *proc) stop() error {
	select {
	case <-p.done:
		return p.err
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(40 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("%s: killed after SIGTERM was ignored", p.name)
	}
	return nil // a server ended by a signal is not a failure
}

// result parses the last line p printed as JSON into v.
func (p *proc) result(v any) error {
	out := bytes.TrimSpace([]byte(p.stdout.String()))
	if i := bytes.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:]
	}
	if err := json.Unmarshal(out, v); err != nil {
		return fmt.Errorf("%s: no result on its output (%v): %s\n%s", p.name, err, lastLines(p.stdout.String(), 5), lastLines(p.stderr.String(), 10))
	}
	return nil
}

// run starts argv, waits for it to end within timeout and parses its result into v
// (v may be nil).
func (h *harness) run(core int, timeout time.Duration, env []string, v any, argv ...string) (time.Duration, error) {
	t0 := time.Now()
	p, err := h.start(core, env, argv...)
	if err != nil {
		return 0, err
	}
	err = p.wait(timeout)
	took := time.Since(t0)
	if err != nil {
		return took, err
	}
	if v != nil {
		return took, p.result(v)
	}
	return took, nil
}

// stopAll ends every process still running (on the way out, also after a failure).
func (h *harness) stopAll() {
	h.mu.Lock()
	ps := make([]*proc, 0, len(h.procs))
	for p := range h.procs {
		ps = append(ps, p)
	}
	h.mu.Unlock()
	for _, p := range ps {
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// freeAddr returns a loopback address with a port free at the time of asking.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// probe is the harness's own HTTP client for readiness checks and single calls.
var probe = &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}

// waitOK polls url until it answers 200, while p runs, within timeout; it returns the
// time from since to the first 200.
func waitOK(p *proc, url string, since time.Time, timeout time.Duration) (time.Duration, error) {
	deadline := since.Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return 0, fmt.Errorf("%s ended before %s answered: %v\n%s", p.name, url, p.err, lastLines(p.stderr.String(), 20))
		default:
		}
		resp, err := probe.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(since), nil
			}
		}
		time.Sleep(200 * time.Microsecond)
	}
	return 0, fmt.Errorf("%s: %s not answering 200 within %s", p.name, url, timeout)
}

// getJSON GETs url into v.
func getJSON(ctx context.Context, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := probe.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// post POSTs body to url and returns the answer's status and body.
func post(client *http.Client, url, body string) (int, []byte, error) {
	resp, err := client.Post(url, "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, err = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes(), err
}

func lastLines(s string, n int) string {
	lines := bytes.Split(bytes.TrimRight([]byte(s), "\n"), []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
