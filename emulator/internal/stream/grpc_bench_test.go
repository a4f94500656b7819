package stream

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
	"github.com/pwemu/pwemu/emulator/streampb"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// grpcBenchStream is the number of events per stream: the docs' batch size.
const grpcBenchStream = 1000

// BenchmarkGRPCDelivery streams the same 1,000 events per stream to one count-only
// receiver: "bare" with a plain grpc-go client and pre-built messages (the ceiling),
// "pwemu/transport" through the gRPC transport, "pwemu/hub" through the whole pipeline
// (ledger, batcher, transport, acks settled in the ledger) on a real clock. One op is one stream; acked-events/s is the
// figure to compare.
func BenchmarkGRPCDelivery(b *testing.B) {
	r, err := receiver.NewGRPC(receiver.GRPCCountOnly())
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	evs := grpcEvents("bench", grpcBenchStream)

	b.Run("bare", func(b *testing.B) {
		conn, err := grpc.NewClient(r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		c := streampb.NewEventStreamClient(conn)
		msgs := benchMessages(evs)
		acked := 0
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			n, err := bareStream(b.Context(), c, msgs)
			if err != nil {
				b.Fatal(err)
			}
			acked += n
		}
		b.ReportMetric(float64(acked)/b.Elapsed().Seconds(), "acked-events/s")
	})

	b.Run("pwemu/transport", func(b *testing.B) {
		tr, err := dialGRPC(planStreams(b, grpcTestStream(r.Endpoint()))[0], slog.Default())
		if err != nil {
			b.Fatal(err)
		}
		defer tr.Close()
		acked := 0
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			res := tr.Deliver(b.Context(), &Batch{ID: 1, Events: evs})
			if res.Err != nil {
				b.Fatal(res.Err)
			}
			for _, a := range res.Acks {
				if a == AckSuccess {
					acked++
				}
			}
		}
		b.ReportMetric(float64(acked)/b.Elapsed().Seconds(), "acked-events/s")
	})

	b.Run("pwemu/hub", func(b *testing.B) {
		hub, settled := benchHub(b, r.Endpoint())
		acked, published := 0, 0
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			hub.Publish(evs) // a full stream: the size trigger sends it at once
			published += len(evs)
			if published > len(evs) {
				settled(published - len(evs)) // the next stream is queued while one is in flight
			}
			if published == 100*len(evs) { // keep the ledger small: a new world, as the emulator's reset
				acked += settled(published).Delivered
				b.StopTimer()
				_ = hub.Close()
				hub, settled = benchHub(b, r.Endpoint())
				published = 0
				b.StartTimer()
			}
		}
		acked += settled(published).Delivered
		b.ReportMetric(float64(acked)/b.Elapsed().Seconds(), "acked-events/s")
	})

	// interleaved takes turns, stream by stream, so that the three see the same load
	// on a shared machine: the ratios are the robust figure. The hub is not pipelined
	// here (publish, wait until settled), like the other two.
	b.Run("interleaved", func(b *testing.B) {
		conn, err := grpc.NewClient(r.Addr(), grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			b.Fatal(err)
		}
		defer conn.Close()
		c := streampb.NewEventStreamClient(conn)
		msgs := benchMessages(evs)
		tr, err := dialGRPC(planStreams(b, grpcTestStream(r.Endpoint()))[0], slog.Default())
		if err != nil {
			b.Fatal(err)
		}
		defer tr.Close()
		hub, settled := benchHub(b, r.Endpoint())
		var spent [3]time.Duration
		var acked [3]int
		published := 0
		for b.Loop() {
			start := time.Now()
			n, err := bareStream(b.Context(), c, msgs)
			if err != nil {
				b.Fatal(err)
			}
			spent[0] += time.Since(start)
			acked[0] += n

			start = time.Now()
			res := tr.Deliver(b.Context(), &Batch{ID: 1, Events: evs})
			if res.Err != nil {
				b.Fatal(res.Err)
			}
			spent[1] += time.Since(start)
			for _, a := range res.Acks {
				if a == AckSuccess {
					acked[1]++
				}
			}

			start = time.Now()
			hub.Publish(evs)
			published += len(evs)
			before := acked[2]
			acked[2] = settled(published).Delivered
			spent[2] += time.Since(start)
			if acked[2]-before != len(evs) {
				b.Fatalf("hub acked %d of %d", acked[2]-before, len(evs))
			}
		}
		rate := func(i int) float64 { return float64(acked[i]) / spent[i].Seconds() }
		b.ReportMetric(rate(0), "bare-events/s")
		b.ReportMetric(rate(1), "transport-events/s")
		b.ReportMetric(rate(2), "hub-events/s")
		b.ReportMetric(rate(1)/rate(0), "transport/bare")
		b.ReportMetric(rate(2)/rate(0), "hub/bare")
	})
}

// benchMessages pre-builds the messages a bare client sends.
func benchMessages(evs []catalog.Event) []*streampb.Event {
	msgs := make([]*streampb.Event, len(evs))
	for i := range evs {
		msgs[i] = &streampb.Event{}
		streampb.FromEvent(msgs[i], &evs[i])
	}
	return msgs
}

// benchHub is a Hub on a real clock streaming to endpoint, and a wait until n of its
// events are terminal (none may be dropped).
func benchHub(b *testing.B, endpoint string) (*Hub, func(n int) ledger.Totals) {
	led := ledger.New()
	hub, err := New(Options{Clock: clock.NewReal(), Ledger: led, Seed: 1,
		Streams: planStreams(b, grpcTestStream(endpoint))})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = hub.Close() })
	return hub, func(n int) ledger.Totals {
		tot, err := led.Wait(b.Context(), func(t ledger.Totals) bool { return t.Delivered+t.Dropped >= n })
		if err != nil || tot.Dropped > 0 {
			b.Fatalf("waiting for %d events: %v, totals %+v", n, err, tot)
		}
		return tot
	}
}

// bareStream is what any grpc-go client would do: send every message on one stream
// while a goroutine reads the acks, and count the Success ones.
func bareStream(ctx context.Context, c streampb.EventStreamClient, msgs []*streampb.Event) (int, error) {
	st, err := c.Stream(ctx)
	if err != nil {
		return 0, err
	}
	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n := 0
		for {
			a, err := st.Recv()
			if errors.Is(err, io.EOF) {
				done <- result{n, nil}
				return
			}
			if err != nil {
				done <- result{n, err}
				return
			}
			if a.Status == AckSuccess {
				n++
			}
		}
	}()
	for _, m := range msgs {
		if err := st.Send(m); err != nil {
			break
		}
	}
	_ = st.CloseSend()
	res := <-done
	return res.n, res.err
}
