package stream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/scenarios"
)

type httpConfig struct {
	url           string
	authorization string
	framing       string // scenarios.FramingArray, FramingObject or FramingNDJSON; webhooks ignore it
	webhook       bool   // the webhook docs' bodies, one event each
	tls           scenarios.TLSPlan
}

// httpTransport POSTs batches to one receiver URL.
type httpTransport struct {
	client      *http.Client
	url         string
	auth        string
	contentType string
	encode      func(dst []byte, evs []catalog.Event) []byte
	bufs        sync.Pool // *[]byte bodies
}

func newHTTPTransport(c httpConfig) (*httpTransport, error) {
	tlsConf, err := clientTLS(c.tls)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(c.url)
	if err != nil {
		return nil, err
	}
	if tlsConf != nil && tlsConf.ServerName == "" {
		tlsConf.ServerName = u.Hostname()
	}
	tr := &http.Transport{
		Proxy:              http.ProxyFromEnvironment,
		DialContext:        (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:    tlsConf,
		DisableKeepAlives:  true, // the docs: the connection is closed after each answer
		DisableCompression: true,
	}
	t := &httpTransport{
		// The request context carries the timeout (emulator time); redirects are
		// answers, not invitations (a POST would turn into a GET).
		client: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		url: c.url, auth: c.authorization, contentType: "application/json",
	}
	switch {
	case c.webhook:
		t.encode = appendWebhookBody
	case c.framing == scenarios.FramingObject:
		t.encode = appendObjects
	case c.framing == scenarios.FramingNDJSON:
		t.encode = appendNDJSON
		t.contentType = "application/x-ndjson"
	default:
		t.encode = catalog.AppendJSONArray
	}
	return t, nil
}

// clientTLS builds the TLS settings for https endpoints from the scenario.
func clientTLS(c scenarios.TLSPlan) (*tls.Config, error) {
	if c.CA == "" && !c.InsecureSkipVerify && c.ServerName == "" {
		return nil, nil // Go's defaults: system roots
	}
	conf := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: c.InsecureSkipVerify, ServerName: c.ServerName}
	if c.CA != "" {
		// One message whatever went wrong: a scenario sent over the network must not
		// learn which paths exist on the emulator's machine.
		pem, err := os.ReadFile(c.CA)
		pool := x509.NewCertPool()
		if err != nil || !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("tls.ca %q: not a readable PEM file of CA certificates", c.CA)
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// Deliver implements Transport: one POST with the whole batch.
func (t *httpTransport) Deliver(ctx context.Context, b *Batch) Result {
	start := time.Now()
	bp, _ := t.bufs.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	*bp = t.encode((*bp)[:0], b.Events)
	body := &pooledBody{buf: bp, pool: &t.bufs}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, body)
	if err != nil {
		body.Close()
		return Result{Err: err, Latency: time.Since(start)}
	}
	req.ContentLength = int64(len(*bp))
	req.Header.Set("Content-Type", t.contentType)
	if t.auth != "" {
		req.Header.Set("Authorization", t.auth) // verbatim: the whole header value
	}
	req.Close = true // Connection: close
	resp, err := t.client.Do(req)
	if err != nil {
		return Result{Err: unwrapURLError(err), Latency: time.Since(start)}
	}
	// The docs: "response code and body are ignored"; closing the body closes the
	// connection.
	_ = resp.Body.Close()
	return Result{Status: resp.StatusCode, Latency: time.Since(start)}
}

// Close implements Transport.
func (t *httpTransport) Close() error {
	t.client.CloseIdleConnections()
	return nil
}

// unwrapURLError drops the `Post "http://…": ` prefix: the ledger names the endpoint
// already.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// pooledBody is a request body whose buffer goes back to the pool when the HTTP
// transport closes it: the transport may still read the body after Do has returned
// (an early answer), so the buffer cannot be reused sooner.
type pooledBody struct {
	mu   sync.Mutex
	buf  *[]byte
	off  int
	pool *sync.Pool
}

func (p *pooledBody) Read(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buf == nil {
		return 0, errors.New("stream: request body read after close")
	}
	if p.off >= len(*p.buf) {
		return 0, io.EOF
	}
	n := copy(b, (*p.buf)[p.off:])
	p.off += n
	return n, nil
}

func (p *pooledBody) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.buf != nil {
		if cap(*p.buf) <= 1<<20 { // do not keep what an outsized batch grew
			p.pool.Put(p.buf)
		}
		p.buf = nil
	}
	return nil
}

// appendObjects is the "object" framing: the batch holds one event.
func appendObjects(b []byte, evs []catalog.Event) []byte {
	for i := range evs {
		b = evs[i].AppendJSON(b)
	}
	return b
}

// appendNDJSON is the "ndjson" framing: one event per line.
func appendNDJSON(b []byte, evs []catalog.Event) []byte {
	for i := range evs {
		b = evs[i].AppendJSON(b)
		b = append(b, '\n')
	}
	return b
}

// webhookBody is the webhook integration's body (https://docs.pushwoosh.com/product/integrations/webhook-integration),
// fields in the docs'
// order; the optional ids are left out when unknown.
type webhookBody struct {
	EventName         string `json:"event_name"`
	MessageID         uint64 `json:"message_id,omitempty"`
	MessageCode       string `json:"message_code"`
	CampaignID        uint64 `json:"campaign_id,omitempty"`
	Platform          string `json:"platform"`
	ApplicationCode   string `json:"application_code"`
	HWID              string `json:"hwid"`
	UserID            string `json:"user_id"`
	Payload           string `json:"payload"`
	Timestamp         int64  `json:"timestamp"`
	JourneyTitle      string `json:"journey_title"`
	JourneyPointTitle string `json:"journey_point_title"`
}

// appendWebhookBody writes the webhook body of the batch's event (webhook batches hold
// one event).
func appendWebhookBody(b []byte, evs []catalog.Event) []byte {
	for i := range evs {
		e := &evs[i]
		// Only strings and numbers: Marshal cannot fail.
		out, _ := json.Marshal(webhookBody{EventName: e.EventName, MessageID: e.MessageID,
			MessageCode: e.MessageCode, CampaignID: e.CampaignID, Platform: e.Platform,
			ApplicationCode: e.ApplicationCode, HWID: e.HWID, UserID: e.UserID, Payload: e.Payload,
			Timestamp: e.Timestamp, JourneyTitle: e.JourneyTitle, JourneyPointTitle: e.JourneyPointTitle})
		b = append(b, out...)
	}
	return b
}
