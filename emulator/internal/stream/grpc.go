package stream

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/metadata"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/streampb"
	"github.com/pwemu/pwemu/scenarios"
)

// grpcTransport delivers batches as EventStream.Stream calls (streampb's
// eventstream.proto, pwemu's own contract since Pushwoosh publishes none): one client connection per integration, one bidirectional stream per batch.
// Acks are read while events are still being sent, so a receiver that acks as it goes
// never stalls on flow control.
type grpcTransport struct {
	name   string
	target string // host:port
	opts   []grpc.DialOption
	useTLS bool
	auth   string // the whole Authorization value, sent as metadata "authorization"
	log    *slog.Logger

	mu     sync.Mutex
	conn   *grpcConn // the connection new streams open on
	closed bool

	bufs sync.Pool // *grpcBuffers, reused from batch to batch
}

// grpcConn is one client connection and the count of streams on it. When it fails it
// is replaced for new streams, and closed once the streams still on it are done:
// closing it at once would cut off the streams of concurrent batches.
type grpcConn struct {
	cc      *grpc.ClientConn
	client  streampb.EventStreamClient
	streams int  // streams using it; guarded by grpcTransport.mu
	retired bool // no new stream opens on it: close it when streams reaches 0
	shut    bool // cc is closed
}

// grpcBuffers is the per-batch scratch space: the outgoing messages and the uuid index
// that maps acks back to events.
type grpcBuffers struct {
	slab []streampb.Event
	got  []bool           // event i has had its ack
	pos  map[string]int32 // uuid → first index with that uuid; built only for out-of-order acks
	next []int32          // next index with the same uuid, or -1
	ack  streampb.Ack     // receive buffer
}

// dialGRPC builds the transport of a `transport: grpc` stream; log reports receiver
// misbehaviour (acks for unknown uuids). The connection is made lazily, by the first
// stream. Errors do not name the stream: the Hub does.
func dialGRPC(cfg scenarios.StreamPlan, log *slog.Logger) (*grpcTransport, error) {
	creds := insecure.NewCredentials()
	if cfg.TLS.On {
		tc, err := clientTLS(cfg.TLS)
		if err != nil {
			return nil, err
		}
		if tc == nil { // a TLS stream needs a configuration even when the scenario sets nothing
			tc = &tls.Config{MinVersion: tls.VersionTLS12}
		}
		creds = credentials.NewTLS(tc)
	}
	opts := []grpc.DialOption{grpc.WithTransportCredentials(creds)}
	if ka := cfg.KeepAlive; ka > 0 {
		// Keep-alive is a property of the network connection, so it runs on wall time
		// (grpc-go raises intervals under 10 s to 10 s).
		opts = append(opts, grpc.WithKeepaliveParams(keepalive.ClientParameters{
			Time: ka, Timeout: ka, PermitWithoutStream: true,
		}))
	}
	t := &grpcTransport{name: cfg.Name, target: cfg.Target, useTLS: cfg.TLS.On, opts: opts, auth: cfg.Authorization, log: log}
	t.bufs.New = func() any { return &grpcBuffers{} }
	var err error
	if t.conn, err = t.dial(); err != nil {
		return nil, err
	}
	return t, nil
}

// dial makes a client connection; it connects on its first stream.
func (t *grpcTransport) dial() (*grpcConn, error) {
	cc, err := grpc.NewClient(t.target, t.opts...)
	if err != nil {
		return nil, fmt.Errorf("grpc endpoint %s: %w", t.target, err)
	}
	return &grpcConn{cc: cc, client: streampb.NewEventStreamClient(cc)}, nil
}

// acquire returns the connection for a new stream, which the caller releases when
// the stream is done. A connection that has failed is replaced first: the fresh one
// dials on this stream, so every delivery attempt after a failure tries the receiver
// again at once instead of failing fast until grpc-go's wall-time reconnect backoff
// has passed (retries run on the emulator clock).
func (t *grpcTransport) acquire() (*grpcConn, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil, errors.New("grpc transport closed")
	}
	if t.conn.cc.GetState() == connectivity.TransientFailure {
		c, err := t.dial()
		if err != nil {
			return nil, err
		}
		t.conn.retired = true
		t.conn.closeIfDone()
		t.conn = c
	}
	t.conn.streams++
	return t.conn, nil
}

// release ends a stream's use of c.
func (t *grpcTransport) release(c *grpcConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	c.streams--
	c.closeIfDone()
}

// closeIfDone closes c once it is retired and no stream uses it; the transport's mu
// is held.
func (c *grpcConn) closeIfDone() {
	if c.retired && c.streams == 0 && !c.shut {
		c.shut = true
		_ = c.cc.Close()
	}
}

// Deliver sends b's events on one stream and reports each event's ack. Acks that
// came before a failure keep their status; the other events get "".
func (t *grpcTransport) Deliver(ctx context.Context, b *Batch) Result {
	start := time.Now()
	res := Result{Acks: make([]string, len(b.Events))}
	if len(b.Events) == 0 {
		return res // no empty stream is ever opened
	}
	conn, err := t.acquire()
	if err != nil {
		res.Err = err
		return res
	}
	defer t.release(conn) // after the deferred cancel, and after readAcks has returned
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if t.auth != "" {
		sctx = metadata.AppendToOutgoingContext(sctx, "authorization", t.auth)
	}
	st, err := conn.client.Stream(sctx)
	if err != nil {
		res.Err = t.streamError(ctx, "open stream", err)
		res.Latency = time.Since(start)
		return res
	}

	buf := t.bufs.Get().(*grpcBuffers)
	defer t.bufs.Put(buf)
	buf.reset(len(b.Events))
	defer buf.release()

	recvErr := make(chan error, 1)
	go func() { recvErr <- t.readAcks(st, b, buf, res.Acks) }()

	var sendErr error
	for i := range b.Events {
		m := &buf.slab[i]
		streampb.FromEvent(m, &b.Events[i])
		if sendErr = st.Send(m); sendErr != nil {
			break
		}
	}
	switch {
	case sendErr == nil:
		sendErr = st.CloseSend()
	case errors.Is(sendErr, io.EOF):
		sendErr = nil // the stream ended; readAcks learns how
	default:
		cancel() // the event could not be sent (e.g. it failed to encode): end the stream
	}
	err = <-recvErr
	if sendErr != nil {
		err = sendErr
	}
	if err != nil {
		res.Err = t.streamError(ctx, fmt.Sprintf("stream %d", b.ID), err)
	}
	res.Latency = time.Since(start)
	return res
}

// streamError names what failed; a ctx that ended is reported as such (the pipeline's
// timeout), and a TLS verification failure gets a hint at the setting that fixes it.
func (t *grpcTransport) streamError(ctx context.Context, what string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("grpc %s to %s: %w", what, t.target, context.Cause(ctx))
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "certificate signed by unknown authority"):
		return fmt.Errorf("grpc %s to %s: %w (set tls.ca to the PEM file of the CA that signed the receiver's certificate)", what, t.target, err)
	case !t.useTLS && strings.Contains(msg, "server preface"):
		return fmt.Errorf("grpc %s to %s: %w (if the receiver serves TLS, write grpcs://%s)", what, t.target, err, t.target)
	}
	return fmt.Errorf("grpc %s to %s: %w", what, t.target, err)
}

// readAcks records acks until the receiver ends the stream. It returns nil when the
// receiver ended it cleanly, else the stream's error.
func (t *grpcTransport) readAcks(st grpc.BidiStreamingClient[streampb.Event, streampb.Ack], b *Batch, buf *grpcBuffers, acks []string) error {
	cursor := 0 // receivers usually ack in send order: try the next unacked event first
	unknown, dup := 0, 0
	var firstUnknown string
	defer func() {
		if unknown > 0 {
			t.log.Warn("grpc receiver acked unknown uuids; ignored", "stream", t.name, "batch", b.ID,
				"count", unknown, "first", firstUnknown)
		}
		if dup > 0 {
			t.log.Warn("grpc receiver acked events twice; the first ack counts", "stream", t.name,
				"batch", b.ID, "count", dup)
		}
	}()
	for {
		if err := st.RecvMsg(&buf.ack); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
		uuid := buf.ack.GetUuid()
		i := -1
		if cursor < len(b.Events) && b.Events[cursor].UUID == uuid && !buf.got[cursor] {
			i = cursor
		} else {
			i = buf.lookup(b.Events, uuid)
		}
		switch {
		case i >= 0:
			buf.got[i] = true
			acks[i] = buf.ack.GetStatus()
			for cursor < len(b.Events) && buf.got[cursor] {
				cursor++
			}
		case i == -1:
			if unknown == 0 {
				firstUnknown = uuid
			}
			unknown++
		default: // every event with this uuid already has its ack
			dup++
		}
	}
}

// reset prepares the buffers for a batch of n events.
func (g *grpcBuffers) reset(n int) {
	if cap(g.slab) < n {
		g.slab = make([]streampb.Event, n)
		g.got = make([]bool, n)
	}
	g.slab, g.got = g.slab[:n], g.got[:n]
	clear(g.got)
	g.next = g.next[:0]
	clear(g.pos)
}

// release lets go of the batch's strings while the buffers wait in the pool.
func (g *grpcBuffers) release() {
	clear(g.slab)
	clear(g.pos)
	g.ack.Reset()
}

// lookup finds the first event with uuid that has no ack yet: -1 when no event has
// that uuid, -2 when all of them have been acked.
func (g *grpcBuffers) lookup(evs []catalog.Event, uuid string) int {
	if len(g.next) != len(evs) {
		g.index(evs)
	}
	first, ok := g.pos[uuid]
	if !ok {
		return -1
	}
	for i := first; i >= 0; i = g.next[i] {
		if !g.got[i] {
			return int(i)
		}
	}
	return -2
}

// index builds the uuid index, linking events that share a uuid.
func (g *grpcBuffers) index(evs []catalog.Event) {
	if g.pos == nil {
		g.pos = make(map[string]int32, len(evs))
	}
	if cap(g.next) < len(evs) {
		g.next = make([]int32, len(evs))
	}
	g.next = g.next[:len(evs)]
	for i := len(evs) - 1; i >= 0; i-- { // backwards, so pos ends at the first index
		u := evs[i].UUID
		if later, ok := g.pos[u]; ok {
			g.next[i] = later
		} else {
			g.next[i] = -1
		}
		g.pos[u] = int32(i)
	}
}

// Close closes the connection; streams in flight on it end with an error. A replaced
// connection still in use closes when its last stream is done.
func (t *grpcTransport) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return nil
	}
	t.closed = true
	c := t.conn
	c.retired, c.shut = true, true
	return c.cc.Close()
}
