// Package ui is the inspector: a page at /_pwemu/ui/ that shows a running emulator —
// its clock, the ledger, a timeline of deliveries, the journal of API calls, the
// scenario and its expectations — and keeps itself up to date by polling the control
// API. The files are plain HTML, CSS and JavaScript embedded in the binary: nothing
// is built, and nothing is fetched from elsewhere at run time.
package ui

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed static
var files embed.FS

// Handler serves the inspector's files; prefix is the path it is mounted at
// (e.g. /_pwemu/ui/).
func Handler(prefix string) http.Handler {
	static, err := fs.Sub(files, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	fileServer := http.StripPrefix(prefix, http.FileServerFS(static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Same-origin everything: the page talks only to the emulator that served it.
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer") // the ?token= must not travel on
		h.Set("Cache-Control", "no-cache")
		fileServer.ServeHTTP(w, r)
	})
}
