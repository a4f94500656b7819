package stream_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/internal/stream"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// BenchmarkDelivery compares pwemu's delivery of 100-event batches with a bare loop
// POSTing the same batches, pre-encoded, to the same local receiver with the same
// connection semantics (Connection: close). Both report events/s.
func BenchmarkDelivery(b *testing.B) {
	rcv := receiver.StartHTTP(b, receiver.HTTPCountOnly())
	batch := pushEvents(100)
	body := catalog.AppendJSONArray(nil, batch)

	bare := func(b *testing.B, keepAlive bool) {
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: !keepAlive}}
		defer client.CloseIdleConnections()
		b.ResetTimer()
		for range b.N {
			req, _ := http.NewRequest(http.MethodPost, rcv.URL()+"/events", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer t0k3n")
			req.Close = !keepAlive
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "events/s")
	}
	b.Run("bare", func(b *testing.B) { bare(b, false) })
	b.Run("pwemu", func(b *testing.B) {
		led := ledger.New()
		hub, err := stream.New(stream.Options{Clock: clock.NewReal(), Ledger: led,
			Streams: planStreams(b, httpStream(rcv.URL()+"/events"))})
		if err != nil {
			b.Fatal(err)
		}
		defer hub.Close()
		want := b.N * len(batch)
		b.ResetTimer()
		for range b.N {
			hub.Publish(batch)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		tot, err := led.Wait(ctx, func(t ledger.Totals) bool { return t.Delivered+t.Dropped >= want })
		if err != nil || tot.Delivered != want {
			b.Fatalf("totals %+v, want %d delivered: %v", tot, want, err)
		}
		b.StopTimer()
		b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "events/s")
	})
	// For reference: what reusing connections would give (pwemu closes them, as
	// Pushwoosh does).
	b.Run("bare-keepalive", func(b *testing.B) { bare(b, true) })
}

// BenchmarkPendingMemory holds 1,000,000 events pending — the receiver is down, the
// manual clock stands still — and reports the heap they take. Events are what a
// generator makes: many share a message, each has its own uuid, hwid and user id.
func BenchmarkPendingMemory(b *testing.B) {
	const total = 1_000_000
	for _, mode := range []string{"refused", "hanging"} {
		b.Run(mode, func(b *testing.B) {
			for range b.N {
				heap := pendingHeap(b, mode, total)
				b.ReportMetric(float64(heap)/1e6, "MB")
				b.ReportMetric(float64(heap)/total, "B/event")
			}
		})
	}
}

func pendingHeap(b *testing.B, mode string, total int) uint64 {
	b.StopTimer()
	var endpoint string
	switch mode {
	case "refused":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		endpoint = "http://" + ln.Addr().String() + "/events"
		ln.Close() // every first attempt is refused; the retries wait on the clock
	case "hanging":
		rcv := receiver.StartHTTP(b, receiver.HTTPCountOnly(), receiver.WithHTTPDefault(receiver.HTTPHang()))
		endpoint = rcv.URL() + "/events"
	}
	before := heapAlloc()
	clk := clock.NewManual(clock.Epoch)
	led := ledger.New()
	hub, err := stream.New(stream.Options{Clock: clk, Ledger: led, Streams: planStreams(b, httpStream(endpoint))})
	if err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	const chunk = 1000
	for i := 0; i < total; i += chunk {
		hub.Publish(realisticEvents(i, chunk))
	}
	clk.Advance(0) // every send that can run has run
	b.StopTimer()
	after := heapAlloc()
	if tot := led.Totals(); tot.Pending != total {
		b.Fatalf("totals %+v, want %d pending", tot, total)
	}
	runtime.KeepAlive(hub)
	runtime.KeepAlive(led)
	_ = hub.Close()
	return after - before
}

// realisticEvents are n events numbered from `from`: 10 messages shared by all, a
// unique uuid, a 32-hex-digit hwid and a user id each.
func realisticEvents(from, n int) []catalog.Event {
	evs := pushEventsFrom(from, n)
	for i := range evs {
		evs[i].HWID = fmt.Sprintf("%032x", from+i)
	}
	return evs
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
