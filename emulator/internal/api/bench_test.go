package api

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/journal"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
)

// benchBody is a createMessage as a client library sends it, to a registered device.
var benchBody = []byte(`{"request":{"application":"APPCODE-12345","auth":"TESTAUTHTOKEN","notifications":[{"send_date":"now","content":"Hello from the benchmark","data":{"k":"v"},"ios_badges":"+1","platforms":[1,3],"devices":["push-token-bench"]}]}}`)

// BenchmarkCreateMessage compares pwemu answering createMessage with a bare net/http
// handler answering a canned envelope, both over loopback HTTP with the same client.
func BenchmarkCreateMessage(b *testing.B) {
	canned := []byte(`{"status_code":200,"status_message":"OK","response":{"Messages":["C3F8-C3863ED4-334AD4F1"]}}`)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) //nolint:errcheck
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(canned)))
		w.Write(canned) //nolint:errcheck
	})
	b.Run("bare", func(b *testing.B) { benchServe(b, bare) })
	b.Run("pwemu", func(b *testing.B) { benchServe(b, benchServer(b)) })
	// interleaved sends each client goroutine's requests to both servers in turn, so
	// that both see the same machine load: the ratio it reports is the steady figure.
	b.Run("interleaved", func(b *testing.B) {
		bareTS, pwemuTS := httptest.NewServer(bare), httptest.NewServer(benchServer(b))
		defer bareTS.Close()
		defer pwemuTS.Close()
		tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
		defer tr.CloseIdleConnections()
		client := &http.Client{Transport: tr}
		var bareNS, pwemuNS atomic.Int64
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				for _, target := range []struct {
					url string
					ns  *atomic.Int64
				}{{bareTS.URL, &bareNS}, {pwemuTS.URL, &pwemuNS}} {
					start := time.Now()
					if err := benchCall(client, target.url+PrefixV13+"createMessage"); err != nil {
						b.Error(err)
						return
					}
					target.ns.Add(int64(time.Since(start)))
				}
			}
		})
		b.ReportMetric(float64(bareNS.Load())/float64(pwemuNS.Load()), "pwemu/bare")
	})
}

// benchServer is the API with one registered device, unlimited createMessage.
func benchServer(b testing.TB) *Server {
	accounts := testAccounts()
	accounts[0].CreateMessageRate = 1 << 40 // measure the API, not the rate limit
	st := state.New(planOf(b, &scenarios.Scenario{Accounts: accounts}).Accounts)
	srv := New(Options{Clock: clock.NewReal(), State: st, Journal: journal.New(0), Seed: 1,
		OnMessage: func(lifecycle.Message) {}})
	if _, _, err := st.RegisterDevice(state.Registration{Application: appCode, HWID: "bench", PushToken: "push-token-bench", Type: 1}, clock.Epoch); err != nil {
		b.Fatal(err)
	}
	return srv
}

// benchCall posts one createMessage and checks the answer.
func benchCall(client *http.Client, url string) error {
	resp, err := client.Post(url, "application/json", bytes.NewReader(benchBody))
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte(`{"status_code":200,"status_message":"OK","response":{"Messages":["`)) {
		return fmt.Errorf("answer %d %s", resp.StatusCode, body)
	}
	return nil
}

func benchServe(b *testing.B, h http.Handler) {
	ts := httptest.NewServer(h)
	defer ts.Close()
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	url := ts.URL + PrefixV13 + "createMessage"
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := benchCall(client, url); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
