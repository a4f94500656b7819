// Package receiver provides ready-made event receivers that stand in for a team's
// service in tests: they listen on 127.0.0.1, record what pwemu sends and misbehave on
// demand (NACKs, lost acks, broken streams, slow answers).
package receiver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"slices"
	"strconv"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/streampb"
	"github.com/pwemu/pwemu/fixtures"
)

// ackSuccess is the ack status that completes an event (streampb contract).
const ackSuccess = "Success"

// GRPCScript is how a GRPC receiver behaves. The zero value acks every event with
// "Success" as soon as it arrives.
//
// Shares pick events by a hash of their uuid, so the same event is picked on every
// attempt: a NACKed share stays NACKed through the retries.
type GRPCScript struct {
	Nack       []string // uuids answered with NackStatus
	NackShare  float64  // share of events answered with NackStatus
	NackStatus string   // the failure status; "Failure" when empty

	Lose      []string // uuids never acked
	LoseShare float64  // share of events never acked

	// UnknownAcks is how many acks with uuids pwemu never sent each stream gets, right
	// after its first event.
	UnknownAcks int

	// BreakAfter ends a stream with an UNAVAILABLE error when its BreakAfter-th event
	// arrives (that event gets no ack); 0 never does. BreakStreams limits how many
	// streams break (0: every stream).
	BreakAfter   int
	BreakStreams int

	AckDelay time.Duration // wall time waited before each ack
	AckAtEnd bool          // ack only after pwemu has closed its side of the stream
	Reverse  bool          // with AckAtEnd: ack the last event first
	Hang     bool          // read events but never ack nor end the stream
}

// GRPCAck is one ack the receiver sent.
type GRPCAck struct {
	Stream int // stream number, from 1 (GRPCStream.N)
	UUID   string
	Status string
}

// GRPCStream is one stream the receiver served.
type GRPCStream struct {
	N             int    // stream number, from 1 in opening order
	Authorization string // the "authorization" metadata, verbatim
	Events        int    // events received on it
	Broken        bool   // ended by BreakAfter
}

// GRPCStats counts what the receiver saw.
type GRPCStats struct {
	Streams    int // streams opened
	Events     int // events received, retries and duplicates included
	Unique     int // distinct uuids received (0 in count-only mode)
	Duplicates int // events whose uuid had been received before (0 in count-only mode)
	Acks       int // acks sent for events received, any status (unknown uuids excluded)
	Successes  int // of those, acks with status "Success"
}

// GRPCOption configures NewGRPC.
type GRPCOption func(*grpcConfig)

type grpcConfig struct {
	addr      string
	tls       bool
	script    GRPCScript
	countOnly bool
}

// WithGRPCAddr listens on addr (a 127.0.0.1 host:port) instead of a free port: to bring a
// receiver back on the address a stream already points at.
func WithGRPCAddr(addr string) GRPCOption { return func(c *grpcConfig) { c.addr = addr } }

// WithGRPCTLS makes the receiver serve TLS with a self-signed certificate for 127.0.0.1,
// ::1 and localhost that is its own CA (see CAPEM).
func WithGRPCTLS() GRPCOption { return func(c *grpcConfig) { c.tls = true } }

// WithGRPCScript sets the initial behaviour; SetScript changes it later.
func WithGRPCScript(s GRPCScript) GRPCOption { return func(c *grpcConfig) { c.script = s } }

// GRPCCountOnly keeps counters only, not events, uuids, acks or streams: for load tests
// that would otherwise hold every event in memory.
func GRPCCountOnly() GRPCOption { return func(c *grpcConfig) { c.countOnly = true } }

// GRPC is a recording EventStream server (emulator/streampb). It is safe for
// concurrent use.
type GRPC struct {
	streampb.UnimplementedEventStreamServer

	lis       net.Listener
	srv       *grpc.Server
	caPEM     []byte
	countOnly bool

	tally[GRPCStats] // its mu guards the fields below too
	script           GRPCScript
	nack             map[string]bool
	lose             map[string]bool
	broken           int
	opened           int // streams ever opened: stream numbers survive Reset
	base             int // opened at the last Reset
	events           []*streampb.Event
	uuids            []string
	acks             []GRPCAck
	streams          []GRPCStream
}

// NewGRPC starts a receiver on a free port of 127.0.0.1.
func NewGRPC(opts ...GRPCOption) (*GRPC, error) {
	var cfg grpcConfig
	for _, o := range opts {
		o(&cfg)
	}
	r := &GRPC{countOnly: cfg.countOnly}
	r.init()
	r.setScript(cfg.script)
	// pwemu may ping as often as every 10 s (its smallest keep-alive); the default
	// server policy would close such connections as "too many pings".
	sopts := []grpc.ServerOption{grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{
		MinTime: 5 * time.Second, PermitWithoutStream: true,
	})}
	if cfg.tls {
		pair, err := fixtures.SelfSigned()
		if err != nil {
			return nil, fmt.Errorf("grpc receiver: %w", err)
		}
		tc, err := pair.TLSConfig()
		if err != nil {
			return nil, fmt.Errorf("grpc receiver: %w", err)
		}
		r.caPEM = pair.CertPEM // the certificate is its own CA
		sopts = append(sopts, grpc.Creds(credentials.NewTLS(tc)))
	}
	lis, err := listen("grpc", cfg.addr)
	if err != nil {
		return nil, err
	}
	r.lis = lis
	r.srv = grpc.NewServer(sopts...)
	streampb.RegisterEventStreamServer(r.srv, r)
	go func() { _ = r.srv.Serve(lis) }()
	return r, nil
}

// StartGRPC is NewGRPC for a test: it fails the test on error and closes the receiver
// when the test ends.
func StartGRPC(t testing.TB, opts ...GRPCOption) *GRPC {
	t.Helper()
	r, err := NewGRPC(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// Addr is the host:port the receiver listens on.
func (r *GRPC) Addr() string { return r.lis.Addr().String() }

// Endpoint is the receiver as a pwemu stream endpoint: grpc://127.0.0.1:port, or
// grpcs:// with TLS.
func (r *GRPC) Endpoint() string {
	if r.caPEM != nil {
		return "grpcs://" + r.Addr()
	}
	return "grpc://" + r.Addr()
}

// CAPEM is the PEM certificate of the CA of the receiver's certificate (which is its
// own CA); nil without TLS. Write it to a file for a scenario's tls.ca.
func (r *GRPC) CAPEM() []byte { return r.caPEM }

// Close stops the receiver at once, ending open streams.
func (r *GRPC) Close() { r.srv.Stop() }

// SetScript changes how the receiver behaves from the next stream on.
func (r *GRPC) SetScript(s GRPCScript) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setScript(s)
}

func (r *GRPC) setScript(s GRPCScript) {
	if s.NackStatus == "" {
		s.NackStatus = "Failure"
	}
	r.script, r.broken = s, 0
	r.nack, r.lose = set(s.Nack), set(s.Lose)
}

func set(xs []string) map[string]bool {
	m := make(map[string]bool, len(xs))
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Reset forgets what was received; the script stays.
func (r *GRPC) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.broken, r.base = 0, r.opened
	r.events, r.uuids, r.acks, r.streams = nil, nil, nil, nil
	r.forget()
}

// Stats counts what the receiver saw so far.
func (r *GRPC) Stats() GRPCStats { return r.snapshot() }

// Wait blocks until cond holds for the stats or ctx ends.
func (r *GRPC) Wait(ctx context.Context, cond func(GRPCStats) bool) (GRPCStats, error) {
	return r.wait(ctx, cond)
}

// Events are the events received, in arrival order, retries included.
func (r *GRPC) Events() []catalog.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]catalog.Event, len(r.events))
	for i, m := range r.events {
		out[i] = streampb.ToEvent(m)
	}
	return out
}

// UUIDs are the distinct uuids received, in first-arrival order.
func (r *GRPC) UUIDs() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.uuids...)
}

// Acks are the acks sent, in order, including those for unknown uuids.
func (r *GRPC) Acks() []GRPCAck {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]GRPCAck(nil), r.acks...)
}

// Streams are the streams served, in opening order.
func (r *GRPC) Streams() []GRPCStream {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]GRPCStream(nil), r.streams...)
}

// Stream implements streampb.EventStreamServer.
func (r *GRPC) Stream(s grpc.BidiStreamingServer[streampb.Event, streampb.Ack]) error {
	auth := ""
	if md, ok := metadata.FromIncomingContext(s.Context()); ok {
		if v := md.Get("authorization"); len(v) > 0 {
			auth = v[0]
		}
	}
	r.mu.Lock()
	sc := r.script
	r.stats.Streams++
	r.opened++
	stream := r.opened
	if !r.countOnly {
		r.streams = append(r.streams, GRPCStream{N: stream, Authorization: auth})
	}
	breaks := sc.BreakAfter > 0 && (sc.BreakStreams == 0 || r.broken < sc.BreakStreams)
	if breaks {
		r.broken++
	}
	r.signal()
	r.mu.Unlock()

	var pending []*streampb.Ack // AckAtEnd
	for n := 1; ; n++ {
		ev, err := s.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		ack := r.received(stream, ev, sc)
		if breaks && n == sc.BreakAfter {
			r.markBroken(stream)
			return status.Errorf(codes.Unavailable, "receiver: stream broken after %d events (scripted)", n)
		}
		if n == 1 {
			for k := 1; k <= sc.UnknownAcks; k++ {
				u := "unknown-" + strconv.Itoa(stream) + "-" + strconv.Itoa(k)
				if err := r.send(s, stream, &streampb.Ack{Uuid: u, Status: ackSuccess}, false); err != nil {
					return err
				}
			}
		}
		switch {
		case ack == nil, sc.Hang:
		case sc.AckAtEnd:
			pending = append(pending, ack)
		default:
			if err := r.delay(s.Context(), sc.AckDelay); err != nil {
				return err
			}
			if err := r.send(s, stream, ack, true); err != nil {
				return err
			}
		}
	}
	if sc.Hang {
		<-s.Context().Done()
		return s.Context().Err()
	}
	if sc.Reverse {
		slices.Reverse(pending)
	}
	for _, ack := range pending {
		if err := r.delay(s.Context(), sc.AckDelay); err != nil {
			return err
		}
		if err := r.send(s, stream, ack, true); err != nil {
			return err
		}
	}
	return nil
}

// received records ev and decides its ack (nil: none).
func (r *GRPC) received(stream int, ev *streampb.Event, sc GRPCScript) *streampb.Ack {
	u := ev.GetUuid()
	r.mu.Lock()
	r.stats.Events++
	if !r.countOnly {
		r.events = append(r.events, ev)
		if r.see(u) {
			r.uuids = append(r.uuids, u)
			r.stats.Unique++
		} else {
			r.stats.Duplicates++
		}
		if st := r.streamRec(stream); st != nil {
			st.Events++
		}
	}
	lose := r.lose[u]
	nack := r.nack[u]
	r.signal()
	r.mu.Unlock()
	switch {
	case lose || picked("lose", u, sc.LoseShare):
		return nil
	case nack || picked("nack", u, sc.NackShare):
		return &streampb.Ack{Uuid: u, Status: sc.NackStatus}
	default:
		return &streampb.Ack{Uuid: u, Status: ackSuccess}
	}
}

// streamRec is the record of stream number n, nil when it was opened before a Reset
// or nothing is recorded; r.mu must be held.
func (r *GRPC) streamRec(n int) *GRPCStream {
	if i := n - r.base - 1; i >= 0 && i < len(r.streams) {
		return &r.streams[i]
	}
	return nil
}

func (r *GRPC) markBroken(stream int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st := r.streamRec(stream); st != nil {
		st.Broken = true
	}
	r.signal()
}

func (r *GRPC) send(s grpc.BidiStreamingServer[streampb.Event, streampb.Ack], stream int, ack *streampb.Ack, known bool) error {
	if err := s.Send(ack); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if known {
		r.stats.Acks++
		if ack.Status == ackSuccess {
			r.stats.Successes++
		}
	}
	if !r.countOnly {
		r.acks = append(r.acks, GRPCAck{Stream: stream, UUID: ack.Uuid, Status: ack.Status})
	}
	r.signal()
	return nil
}

func (r *GRPC) delay(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// picked reports whether uuid falls in share, by a salted hash of the uuid.
func picked(salt, uuid string, share float64) bool {
	if share <= 0 {
		return false
	}
	h := uint64(14695981039346656037) // FNV-1a
	for _, s := range [2]string{salt, uuid} {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
	}
	// FNV alone leaves the top bits of short, similar uuids alike: finish with the
	// murmur3 mixer.
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return float64(h>>11)/(1<<53) < share
}
