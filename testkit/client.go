package testkit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

// Condition is what Wait waits for: every field given must hold ("at least" for the
// counts, "at most" for Pending; Settled: nothing pending). The same type travels to
// a remote emulator as the body of POST /_pwemu/wait.
type Condition = emulator.WaitCondition

// Delivered is the condition "at least n events delivered".
func Delivered(n int) Condition { return Condition{Delivered: &n} }

// Settled is the condition "no event pending".
func Settled() Condition { return Condition{Settled: true} }

// LedgerView is the ledger as GET /_pwemu/ledger shows it.
type LedgerView = emulator.LedgerView

// JournalView is the journal as GET /_pwemu/journal shows it.
type JournalView = emulator.JournalView

// Client drives an emulator that runs elsewhere — a container, a CI service — through
// its control API. Its methods mirror those of the in-process Emulator.
type Client struct {
	base  string
	http  *http.Client
	token string
}

// NewClient returns a client for the emulator at base (e.g. http://127.0.0.1:8080).
// A nil httpClient means http.DefaultClient.
func NewClient(base string, httpClient *http.Client) *Client {
	if httpClient == nil {
		httpClient = http.DefaultClient
	}
	return &Client{base: strings.TrimRight(base, "/"), http: httpClient}
}

// WithToken returns a copy of c that sends Authorization: Bearer token with each call,
// for an emulator started with --control-token (PWEMU_CONTROL_TOKEN).
func (c *Client) WithToken(token string) *Client {
	cc := *c
	cc.token = token
	return &cc
}

// URL is the API base URL of the emulator.
func (c *Client) URL() string { return c.base }

// APIError is a control API call that did not succeed.
type APIError struct {
	Status  int
	Message string
	Details json.RawMessage
}

func (e *APIError) Error() string {
	if len(e.Details) > 0 && string(e.Details) != "null" {
		return fmt.Sprintf("pwemu control API: HTTP %d: %s: %s", e.Status, e.Message, e.Details)
	}
	return fmt.Sprintf("pwemu control API: HTTP %d: %s", e.Status, e.Message)
}

func (c *Client) do(ctx context.Context, method, path string, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+emulator.ControlPrefix+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("pwemu control API: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("pwemu control API: reading %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e struct {
			Error   string          `json:"error"`
			Details json.RawMessage `json:"details"`
		}
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
		}
		return &APIError{Status: resp.StatusCode, Message: e.Error, Details: e.Details}
	}
	if out == nil {
		return nil
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("pwemu control API: %s answered %q: %w", path, truncate(data), err)
	}
	return nil
}

func (c *Client) postJSON(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, path, bytes.NewReader(body), "application/json", out)
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// Health returns nil when the emulator is ready.
func (c *Client) Health(ctx context.Context) error {
	return c.do(ctx, http.MethodGet, "/health", nil, "", nil)
}

// Advance moves a manual clock forward; it returns the new emulator time once the
// work due has finished.
func (c *Client) Advance(ctx context.Context, d time.Duration) (time.Time, error) {
	var out emulator.ClockInfo
	err := c.postJSON(ctx, "/clock/advance", map[string]string{"by": d.String()}, &out)
	return out.Now, err
}

// Now is the emulator time.
func (c *Client) Now(ctx context.Context) (time.Time, error) {
	var out emulator.ClockInfo
	err := c.do(ctx, http.MethodGet, "/clock", nil, "", &out)
	return out.Now, err
}

// Inject publishes events; it returns how many were accepted.
func (c *Client) Inject(ctx context.Context, evs ...catalog.Event) (int, error) {
	if evs == nil {
		evs = []catalog.Event{}
	}
	var out struct {
		Accepted int `json:"accepted"`
	}
	err := c.postJSON(ctx, "/events", evs, &out)
	return out.Accepted, err
}

// Generate has the emulator generate events as a scenario's traffic would.
func (c *Client) Generate(ctx context.Context, g scenarios.Generate) (int, error) {
	var out struct {
		Accepted int `json:"accepted"`
	}
	err := c.postJSON(ctx, "/events", map[string]any{"generate": g}, &out)
	return out.Accepted, err
}

// Ledger reads totals and every record kept, page by page (the control API answers at
// most 1,000 records a call); the totals are those of the first page.
func (c *Client) Ledger(ctx context.Context) (LedgerView, error) {
	var all LedgerView
	for offset := 0; ; {
		var out LedgerView
		if err := c.do(ctx, http.MethodGet, fmt.Sprintf("/ledger?limit=%d&offset=%d", maxPage, offset), nil, "", &out); err != nil {
			return all, err
		}
		if offset == 0 {
			all = out
		} else {
			all.Events = append(all.Events, out.Events...)
		}
		if out.NextOffset == 0 {
			all.NextOffset = 0
			return all, nil
		}
		offset = out.NextOffset
	}
}

// maxPage is the largest page the control API answers.
const maxPage = 1000

// Totals reads the ledger totals only.
func (c *Client) Totals(ctx context.Context) (emulator.Totals, error) {
	var out LedgerView
	err := c.do(ctx, http.MethodGet, "/ledger?events=false", nil, "", &out)
	return out.Totals, err
}

// Journal reads the API calls the emulator kept (all of them, or one method's), page
// by page.
func (c *Client) Journal(ctx context.Context, method ...string) (JournalView, error) {
	q := url.Values{"limit": {fmt.Sprint(maxPage)}}
	if len(method) > 0 {
		q.Set("method", method[0])
	}
	var all JournalView
	for offset := 0; ; {
		q.Set("offset", fmt.Sprint(offset))
		var out JournalView
		if err := c.do(ctx, http.MethodGet, "/journal?"+q.Encode(), nil, "", &out); err != nil {
			return all, err
		}
		if offset == 0 {
			all = out
		} else {
			all.Calls = append(all.Calls, out.Calls...)
		}
		if out.NextOffset == 0 || len(out.Calls) == 0 {
			all.NextOffset = 0
			return all, nil
		}
		offset = out.NextOffset
	}
}

// answerGrace is how long past the caller's deadline Wait keeps listening for the
// server's own verdict (its 408 with the totals), which the server sends at that
// deadline: on a loaded machine it arrives a little after, and a fixed margin before
// the deadline raced it.
const answerGrace = 5 * time.Second

// Wait blocks until cond holds (or ctx ends, or cond.Timeout passes: 30s when neither
// bounds it) and returns the totals then. Under a ctx deadline and no cond.Timeout, the
// server times the wait out at that deadline and its answer (408, with the totals) is
// what Wait returns. On a manual clock, a condition that only Advance could bring about
// fails at once with an *APIError of status 409 naming the next timer's time.
func (c *Client) Wait(ctx context.Context, cond Condition) (emulator.Totals, error) {
	reqCtx := ctx
	if cond.Timeout == "" {
		cond.Timeout = emulator.DefaultWaitTimeout.String()
		if dl, ok := ctx.Deadline(); ok {
			left := time.Until(dl)
			if left < time.Millisecond {
				return emulator.Totals{}, context.DeadlineExceeded
			}
			cond.Timeout = left.Truncate(time.Millisecond).String()
			// The request outlives the deadline by answerGrace, but not a cancel.
			var cancel context.CancelFunc
			reqCtx, cancel = context.WithDeadline(context.WithoutCancel(ctx), dl.Add(answerGrace))
			defer cancel()
			stop := context.AfterFunc(ctx, func() {
				if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
					cancel()
				}
			})
			defer stop()
		}
	}
	var out struct {
		Totals emulator.Totals `json:"totals"`
	}
	err := c.postJSON(reqCtx, "/wait", cond, &out)
	return out.Totals, err
}

// WaitDelivered blocks until at least n events are delivered.
func (c *Client) WaitDelivered(ctx context.Context, n int) (emulator.Totals, error) {
	return c.Wait(ctx, Delivered(n))
}

// Reset puts the emulator back to its scenario's initial state.
func (c *Client) Reset(ctx context.Context) error {
	return c.do(ctx, http.MethodPost, "/reset", nil, "", nil)
}

// Scenario reads the running scenario's YAML.
func (c *Client) Scenario(ctx context.Context) ([]byte, error) {
	var out []byte
	err := c.do(ctx, http.MethodGet, "/scenario", nil, "", &out)
	return out, err
}

// PutScenario replaces the running scenario.
func (c *Client) PutScenario(ctx context.Context, yaml []byte) error {
	return c.do(ctx, http.MethodPut, "/scenario", bytes.NewReader(yaml), "application/yaml", nil)
}
