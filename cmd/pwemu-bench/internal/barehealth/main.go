// Command barehealth is the bare baseline of pwemu's start-up figure: the smallest Go
// binary that serves GET /health on -addr, built and started by pwemu-bench.
package main

import (
	"flag"
	"fmt"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "listen address")
	flag.Parse()
	http.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte("ok\n"))
	})
	if err := http.ListenAndServe(*addr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "barehealth:", err)
		os.Exit(1)
	}
}
