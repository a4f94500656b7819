package api

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pwemu/pwemu/emulator/clock"
	"github.com/pwemu/pwemu/emulator/journal"
	"github.com/pwemu/pwemu/emulator/lifecycle"
	"github.com/pwemu/pwemu/emulator/state"
)

func BenchmarkInProc(b *testing.B) {
	canned := []byte(`{"status_code":200,"status_message":"OK","response":{"Messages":["C3F8-C3863ED4-334AD4F1"]}}`)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(canned)
	})
	accounts := testAccounts()
	accounts[0].CreateMessageRate = 1 << 40
	st, _ := state.New(accounts)
	srv := New(Options{Clock: clock.NewReal(), State: st, Journal: journal.New(0), Seed: 1, OnMessage: func(lifecycle.Message) {}})
	st.RegisterDevice(state.Registration{Application: appCode, HWID: "bench", PushToken: "push-token-bench", Type: 1}, clock.Epoch)
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"pwemu", srv}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				c.h.ServeHTTP(rec, httptest.NewRequest("POST", "/json/1.3/createMessage", bytes.NewReader(benchBody)))
			}
		})
	}
}
