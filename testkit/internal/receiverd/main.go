// Command receiverd is the stand-in event-stream receiver of the compose example: it
// answers 200 to every batch POSTed to it (any path), logs one line per batch, and
// reports its counts as JSON on GET /stats. It keeps counters only, so its memory stays
// the same however long pwemu sends.
//
//	receiverd [-addr :9000]
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"sync"
	"time"
)

// stats is what GET /stats answers.
type stats struct {
	Batches int `json:"batches"` // POSTs whose body was a JSON array of events
	Events  int `json:"events"`  // events in those arrays, retries included
	Invalid int `json:"invalid"` // POSTs whose body was not a JSON array
}

// receiver counts what it is sent.
type receiver struct {
	log *log.Logger
	mu  sync.Mutex
	st  stats
}

// maxBody bounds one batch: 100 events of pwemu are far below it.
const maxBody = 10 << 20

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	switch {
	case req.Method == http.MethodGet && req.URL.Path == "/stats":
		r.mu.Lock()
		st := r.st
		r.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(st)
	case req.Method == http.MethodPost:
		var batch []json.RawMessage
		err := json.NewDecoder(io.LimitReader(req.Body, maxBody)).Decode(&batch)
		r.mu.Lock()
		if err != nil {
			r.st.Invalid++
		} else {
			r.st.Batches++
			r.st.Events += len(batch)
		}
		st := r.st
		r.mu.Unlock()
		if err != nil {
			r.log.Printf("%s %s: not a JSON array of events: %v", req.Method, req.URL.Path, err)
			http.Error(w, "want a JSON array of events", http.StatusBadRequest)
			return
		}
		r.log.Printf("%s %s: %d events (total %d in %d batches)", req.Method, req.URL.Path, len(batch), st.Events, st.Batches)
	default:
		http.Error(w, "POST events, or GET /stats", http.StatusMethodNotAllowed)
	}
}

func main() {
	addr := flag.String("addr", ":9000", "listen address")
	flag.Parse()
	r := &receiver{log: log.New(os.Stdout, "receiverd: ", log.LstdFlags)}
	srv := &http.Server{Addr: *addr, Handler: r, ReadHeaderTimeout: 10 * time.Second}
	r.log.Printf("listening on %s", *addr)
	if err := srv.ListenAndServe(); err != nil {
		fmt.Fprintln(os.Stderr, "receiverd:", err)
		os.Exit(1)
	}
}
