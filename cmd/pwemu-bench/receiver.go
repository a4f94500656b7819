package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/encoding/protodelim"

	"github.com/pwemu/pwemu/emulator/streampb"
)

// receiverStats is what a receiver counted; GET /_stats answers it and the receiver
// prints it when it stops.
type receiverStats struct {
	Requests int64 `json:"requests"` // HTTP requests or gRPC streams
	Failed   int64 `json:"failed"`   // answered 503 on purpose
	Events   int64 `json:"events"`   // events accepted
	FirstNs  int64 `json:"first_ns"` // arrival of the first accepted request (unix ns)
	LastNs   int64 `json:"last_ns"`  // end of the last accepted request (unix ns)
}

// EventsPerSecond is the rate events arrived at, from the first to the last.
func (s receiverStats) EventsPerSecond() float64 {
	if s.LastNs <= s.FirstNs {
		return 0
	}
	return float64(s.Events) / (float64(s.LastNs-s.FirstNs) / 1e9)
}

// counter is the receivers' shared bookkeeping.
type counter struct {
	mu    sync.Mutex
	stats receiverStats
}

func (c *counter) accepted(arrived time.Time, events int64) {
	now := time.Now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stats.Requests++
	c.stats.Events += events
	if c.stats.FirstNs == 0 {
		c.stats.FirstNs = arrived.UnixNano()
	}
	c.stats.LastNs = now
}

func (c *counter) get() receiverStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// statsHandlers adds GET /_stats and POST /_reset to mux.
func (c *counter) statsHandlers(mux *http.ServeMux) {
	mux.HandleFunc("GET /_stats", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(c.get())
	})
	mux.HandleFunc("POST /_reset", func(w http.ResponseWriter, _ *http.Request) {
		c.mu.Lock()
		c.stats = receiverStats{}
		c.mu.Unlock()
	})
}

var uuidKey = []byte(`{"uuid":`)

// runReceiverHTTP is the receiver of the HTTP sender figures: it counts the events of
// every POST (a JSON array of events, each starting with its uuid), answers 503 to a
// seeded share -fail of them, and can record the first -record-max bodies of
// -record-events events to a file, one a line, for the bare loop to replay.
func runReceiverHTTP(args []string) error {
	fs := flag.NewFlagSet("receiver-http", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	fail := fs.Float64("fail", 0, "share of requests answered 503")
	seed := fs.Uint64("seed", 42, "seed of the 503 draws")
	record := fs.String("record", "", "file to record bodies to")
	recordMax := fs.Int("record-max", 200, "bodies to record")
	recordEvents := fs.Int64("record-events", 100, "record only bodies of this many events")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var c counter
	var rec *bufio.Writer
	recorded := 0
	if *record != "" {
		f, err := os.Create(*record)
		if err != nil {
			return err
		}
		defer f.Close()
		rec = bufio.NewWriter(f)
	}
	var drawMu sync.Mutex
	rng := rand.New(rand.NewPCG(*seed, *seed))
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	mux := http.NewServeMux()
	c.statsHandlers(mux)
	mux.HandleFunc("POST /", func(w http.ResponseWriter, r *http.Request) {
		arrived := time.Now()
		buf := bufs.Get().(*bytes.Buffer)
		defer bufs.Put(buf)
		buf.Reset()
		if _, err := buf.ReadFrom(io.LimitReader(r.Body, 64<<20)); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if *fail > 0 {
			drawMu.Lock()
			failed := rng.Float64() < *fail
			drawMu.Unlock()
			if failed {
				c.mu.Lock()
				c.stats.Failed++
				c.mu.Unlock()
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
		}
		n := int64(bytes.Count(buf.Bytes(), uuidKey))
		if rec != nil && n == *recordEvents {
			c.mu.Lock()
			if recorded < *recordMax && !bytes.ContainsRune(buf.Bytes(), '\n') {
				rec.Write(buf.Bytes())
				rec.WriteByte('\n')
				recorded++
			}
			c.mu.Unlock()
		}
		c.accepted(arrived, n)
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return serveUntilSignal(srv, func() {
		if rec != nil {
			_ = rec.Flush()
		}
		_ = emit(c.get())
	})
}

// grpcReceiver acks every event "Success" as it arrives.
type grpcReceiver struct {
	streampb.UnimplementedEventStreamServer
	c         *counter
	mu        sync.Mutex
	rec       *bufio.Writer
	recordMax int
	recorded  int
}

func (g *grpcReceiver) Stream(st grpc.BidiStreamingServer[streampb.Event, streampb.Ack]) error {
	arrived := time.Now()
	var n int64
	var ev streampb.Event
	ack := streampb.Ack{Status: "Success"}
	for {
		if err := st.RecvMsg(&ev); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return err
		}
		n++
		if g.rec != nil {
			g.mu.Lock()
			if g.recorded < g.recordMax {
				_, _ = protodelim.MarshalTo(g.rec, &ev)
				g.recorded++
			}
			g.mu.Unlock()
		}
		ack.Uuid = ev.GetUuid()
		if err := st.Send(&ack); err != nil {
			return err
		}
	}
	g.c.accepted(arrived, n)
	return nil
}

// runReceiverGRPC is the receiver of the gRPC sender figure: an EventStream server
// acking each event, with its counts on an HTTP -stats-addr.
func runReceiverGRPC(args []string) error {
	fs := flag.NewFlagSet("receiver-grpc", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "gRPC listen address")
	statsAddr := fs.String("stats-addr", "127.0.0.1:0", "HTTP address of /_stats")
	record := fs.String("record", "", "file to record events to (length-delimited)")
	recordMax := fs.Int("record-max", 10_000, "events to record")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var c counter
	g := &grpcReceiver{c: &c, recordMax: *recordMax}
	if *record != "" {
		f, err := os.Create(*record)
		if err != nil {
			return err
		}
		defer f.Close()
		g.rec = bufio.NewWriter(f)
	}
	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	gs := grpc.NewServer()
	streampb.RegisterEventStreamServer(gs, g)
	go func() { _ = gs.Serve(lis) }()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	mux := http.NewServeMux()
	c.statsHandlers(mux)
	srv := &http.Server{Addr: *statsAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.ListenAndServe() }()
	<-ctx.Done()
	_ = srv.Close()
	gs.Stop()
	if g.rec != nil {
		g.mu.Lock()
		_ = g.rec.Flush()
		g.mu.Unlock()
	}
	return emit(c.get())
}
