package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/encoding/protodelim"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/streampb"
)

// Canned answers of the bare API server: the envelopes pwemu gives on success.
var cannedAnswers = map[string][]byte{
	catalog.CreateMessage.Method:  []byte(`{"status_code":200,"status_message":"OK","response":{"Messages":["8F2A-1C3B5D7E-9A0B1C2D"]}}`),
	catalog.RegisterDevice.Method: []byte(`{"status_code":200,"status_message":"OK","response":null}`),
}

// runBareAPI is the bare baseline of the API figures: a net/http server that reads the
// request body and answers /json/1.3/<method> with a canned envelope, and /health.
func runBareAPI(args []string) error {
	fs := flag.NewFlagSet("bare-api", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /json/1.3/{method}", func(w http.ResponseWriter, r *http.Request) {
		buf := bufs.Get().(*bytes.Buffer)
		buf.Reset()
		_, err := buf.ReadFrom(io.LimitReader(r.Body, 10<<20))
		bufs.Put(buf)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		answer, ok := cannedAnswers[r.PathValue("method")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(answer)
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("ok\n")) })
	return serveUntilSignal(&http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}, nil)
}

// serveUntilSignal serves until SIGTERM or SIGINT, then calls done (may be nil).
func serveUntilSignal(srv *http.Server, done func()) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx)
	if done != nil {
		done()
	}
	return nil
}

// senderResult is what the bare sender loops report.
type senderResult struct {
	Requests int64   `json:"requests"`
	Events   int64   `json:"events"` // events the receiver acknowledged
	Failed   int64   `json:"failed"` // answers other than 2xx (each retried)
	Dropped  int64   `json:"dropped"`
	Seconds  float64 `json:"seconds"`
}

// runPostLoop is the bare baseline of the HTTP sender: one loop POSTing pre-encoded
// 100-event bodies (recorded from pwemu) with Connection: close, as pwemu does, until
// -events events are sent; a 5xx answer or a transport error is retried at once up
// to -retries times, then the body counts as dropped.
func runPostLoop(args []string) error {
	fs := flag.NewFlagSet("post-loop", flag.ContinueOnError)
	url := fs.String("url", "", "receiver URL (loopback)")
	bodiesFile := fs.String("bodies", "", "file of JSON array bodies, one a line")
	n := fs.Int64("events", 100_000, "events to send")
	perBody := fs.Int64("per-body", 100, "events in a body")
	retries := fs.Int("retries", 3, "retries of a failed body")
	auth := fs.String("authorization", "", "Authorization header")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopbackURL(*url); err != nil {
		return err
	}
	bodies, err := readLines(*bodiesFile)
	if err != nil {
		return err
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DisableCompression: true}}
	start := time.Now()
	deadline := start.Add(*timeout)
	var res senderResult
	for i := 0; res.Events+res.Dropped*(*perBody) < *n; i++ {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %d requests", res.Requests)
		}
		body := bodies[i%len(bodies)]
		ok := false
		for attempt := 0; attempt <= *retries && !ok; attempt++ {
			req, err := http.NewRequest(http.MethodPost, *url, bytes.NewReader(body))
			if err != nil {
				return err
			}
			req.Header.Set("Content-Type", "application/json")
			if *auth != "" {
				req.Header.Set("Authorization", *auth)
			}
			req.Close = true
			res.Requests++
			resp, err := client.Do(req)
			if err == nil {
				_ = resp.Body.Close()
				ok = resp.StatusCode < 500
			}
			if !ok {
				res.Failed++
			}
		}
		if ok {
			res.Events += *perBody
		} else {
			res.Dropped++
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return emit(res)
}

// runGRPCLoop is the bare baseline of the gRPC sender: a grpc-go client that sends
// pre-recorded events (from pwemu) -batch at a time, each batch on its own stream as
// pwemu does (send every event, close the send side, read the acks until the server
// ends the stream), until -events are acknowledged.
func runGRPCLoop(args []string) error {
	fs := flag.NewFlagSet("grpc-loop", flag.ContinueOnError)
	addr := fs.String("addr", "", "receiver host:port (loopback)")
	eventsFile := fs.String("events", "", "file of length-delimited streampb.Event messages")
	n := fs.Int64("events-count", 100_000, "events to send")
	batch := fs.Int("batch", 1000, "events a stream")
	auth := fs.String("authorization", "Bearer bench", "authorization metadata")
	timeout := fs.Duration("timeout", 10*time.Minute, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if err := loopbackOnly(*addr); err != nil {
		return err
	}
	evs, err := readEvents(*eventsFile)
	if err != nil {
		return err
	}
	cc, err := grpc.NewClient(*addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer cc.Close()
	client := streampb.NewEventStreamClient(cc)
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", *auth)
	start := time.Now()
	var res senderResult
	next := 0
	for res.Events < *n {
		size := int(min(int64(*batch), *n-res.Events))
		st, err := client.Stream(ctx)
		if err != nil {
			return err
		}
		acked := make(chan int64, 1)
		go func() {
			var a int64
			var ack streampb.Ack
			for st.RecvMsg(&ack) == nil {
				if ack.GetStatus() == "Success" {
					a++
				}
			}
			acked <- a
		}()
		for range size {
			if err := st.Send(evs[next%len(evs)]); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				return err
			}
			next++
		}
		if err := st.CloseSend(); err != nil {
			return err
		}
		a := <-acked
		res.Requests++
		res.Events += a
		if a < int64(size) {
			return fmt.Errorf("stream %d: %d of %d events acked", res.Requests, a, size)
		}
	}
	res.Seconds = time.Since(start).Seconds()
	return emit(res)
}

// readEvents reads length-delimited streampb.Event messages.
func readEvents(path string) ([]*streampb.Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var out []*streampb.Event
	for {
		m := new(streampb.Event)
		if err := protodelim.UnmarshalFrom(r, m); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no events", path)
	}
	return out, nil
}

// loopbackURL refuses a URL whose host is not loopback.
func loopbackURL(u string) error {
	rest, ok := strings.CutPrefix(u, "http://")
	if !ok {
		return fmt.Errorf("URL %q: want http://", u)
	}
	host, _, _ := strings.Cut(rest, "/")
	return loopbackOnly(host)
}
