package api

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/clock"
	"github.com/pwemu/pwemu/emulator/journal"
	"github.com/pwemu/pwemu/emulator/lifecycle"
	"github.com/pwemu/pwemu/emulator/state"
)

func cpuNow() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestCPUCost(t *testing.T) {
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
	const n = 200000
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare", bare}, {"pwemu", srv}, {"bare", bare}, {"pwemu", srv}} {
		t0 := cpuNow()
		for range n {
			rec := httptest.NewRecorder()
			c.h.ServeHTTP(rec, httptest.NewRequest("POST", "/json/1.3/createMessage", bytes.NewReader(benchBody)))
		}
		t.Logf("%s: %v CPU per call", c.name, (cpuNow()-t0)/n)
	}
}
