package receiver_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/streampb"
	"github.com/pwemu/pwemu/testkit/receiver"
)

// client is a bare gRPC client of the receiver.
func client(t *testing.T, r *receiver.GRPC, creds credentials.TransportCredentials) streampb.EventStreamClient {
	t.Helper()
	if creds == nil {
		creds = insecure.NewCredentials()
	}
	conn, err := grpc.NewClient(r.Addr(), grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return streampb.NewEventStreamClient(conn)
}

// exchange sends one event per uuid on one stream, closes it and reads the acks until
// the receiver ends the stream.
func exchange(ctx context.Context, c streampb.EventStreamClient, uuids ...string) ([]*streampb.Ack, error) {
	st, err := c.Stream(ctx)
	if err != nil {
		return nil, err
	}
	for _, u := range uuids {
		if err := st.Send(&streampb.Event{Uuid: u, EventName: "Push Sent"}); err != nil {
			break // the receiver ended the stream: Recv reports how
		}
	}
	_ = st.CloseSend()
	var acks []*streampb.Ack
	for {
		a, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return acks, nil
		}
		if err != nil {
			return acks, err
		}
		acks = append(acks, a)
	}
}

func ackPairs(acks []*streampb.Ack) []string {
	out := make([]string, len(acks))
	for i, a := range acks {
		out[i] = a.Uuid + "=" + a.Status
	}
	return out
}

func uuids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

func TestGRPCRecordsEventsAcksAndStreams(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t)
	if want := "grpc://" + r.Addr(); r.Endpoint() != want || !strings.HasPrefix(r.Addr(), "127.0.0.1:") {
		t.Fatalf("Endpoint() = %q, Addr() = %q", r.Endpoint(), r.Addr())
	}
	c := client(t, r, nil)
	ctx := metadata.AppendToOutgoingContext(t.Context(), "authorization", "Bearer t0k3n")
	st, err := c.Stream(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sent := &streampb.Event{Uuid: "u1", EventName: "Email Opened", MessageCode: "E682-E6D92B9A-53E24868",
		MessageId: 5, CampaignId: 961048, Platform: "Email", Payload: "Welcome", ApplicationCode: "32E5A-9B411",
		Hwid: "irun4716@gmail.com", UserId: "1894410", Timestamp: 1723799271, JourneyTitle: "J",
		JourneyPointTitle: "5_Welcome_ID_new", LiveActivityId: "la-9"}
	for _, m := range []*streampb.Event{sent, {Uuid: "u2"}, {Uuid: "u1"}} {
		if err := st.Send(m); err != nil {
			t.Fatal(err)
		}
	}
	_ = st.CloseSend()
	for range 3 {
		if _, err := st.Recv(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Recv(); !errors.Is(err, io.EOF) {
		t.Fatalf("after 3 acks: %v, want EOF", err)
	}

	want := catalog.Event{UUID: "u1", EventName: "Email Opened", MessageCode: "E682-E6D92B9A-53E24868",
		MessageID: 5, CampaignID: 961048, Platform: "Email", Payload: "Welcome", ApplicationCode: "32E5A-9B411",
		HWID: "irun4716@gmail.com", UserID: "1894410", Timestamp: 1723799271, JourneyTitle: "J",
		JourneyPointTitle: "5_Welcome_ID_new", LiveActivityID: "la-9"}
	if evs := r.Events(); len(evs) != 3 || evs[0] != want || evs[1].UUID != "u2" {
		t.Fatalf("Events() = %+v", evs)
	}
	if got := r.UUIDs(); !slices.Equal(got, []string{"u1", "u2"}) {
		t.Fatalf("UUIDs() = %q", got)
	}
	if r.Count("u1") != 2 || r.Counts()["u2"] != 1 {
		t.Fatalf("Counts() = %v", r.Counts())
	}
	wantAcks := []receiver.GRPCAck{{1, "u1", "Success"}, {1, "u2", "Success"}, {1, "u1", "Success"}}
	if got := r.Acks(); !slices.Equal(got, wantAcks) {
		t.Fatalf("Acks() = %+v, want %+v", got, wantAcks)
	}
	if got := r.Streams(); !slices.Equal(got, []receiver.GRPCStream{{N: 1, Authorization: "Bearer t0k3n", Events: 3}}) {
		t.Fatalf("Streams() = %+v", got)
	}
	wantStats := receiver.GRPCStats{Streams: 1, Events: 3, Unique: 2, Duplicates: 1, Acks: 3, Successes: 3}
	if s := r.Stats(); s != wantStats {
		t.Fatalf("Stats() = %+v, want %+v", s, wantStats)
	}
}

func TestGRPCNackAndLose(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{Nack: []string{"b"}, Lose: []string{"c"}}))
	acks, err := exchange(t.Context(), client(t, r, nil), "a", "b", "c", "d")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := ackPairs(acks), []string{"a=Success", "b=Failure", "d=Success"}; !slices.Equal(got, want) {
		t.Fatalf("acks %q, want %q", got, want)
	}
	if s := r.Stats(); s.Acks != 3 || s.Successes != 2 || s.Events != 4 {
		t.Fatalf("Stats() = %+v", s)
	}
}

func TestGRPCSharesPickTheSameEventsEveryTime(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{NackShare: 0.3, LoseShare: 0.1, NackStatus: "Busy"}))
	c := client(t, r, nil)
	ids := uuids("ev", 1000)
	first, err := exchange(t.Context(), c, ids...)
	if err != nil {
		t.Fatal(err)
	}
	second, err := exchange(t.Context(), c, ids...)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ackPairs(first), ackPairs(second)) {
		t.Fatal("the same events got different answers on the second stream")
	}
	nacks := 0
	for _, a := range first {
		if a.Status == "Busy" {
			nacks++
		}
	}
	// 10% lost, then 30% of all NACKed among the rest: about 900 acks, 270 NACKs.
	if len(first) < 850 || len(first) > 950 || nacks < 220 || nacks > 320 {
		t.Fatalf("%d acks, %d NACKs; want about 900 and 270", len(first), nacks)
	}
}

func TestGRPCUnknownAcks(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{UnknownAcks: 2}))
	acks, err := exchange(t.Context(), client(t, r, nil), "a", "b")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"unknown-1-1=Success", "unknown-1-2=Success", "a=Success", "b=Success"}
	if got := ackPairs(acks); !slices.Equal(got, want) {
		t.Fatalf("acks %q, want %q", got, want)
	}
	if s := r.Stats(); s.Acks != 2 {
		t.Fatalf("Stats().Acks = %d: unknown acks must not count", s.Acks)
	}
}

func TestGRPCBreakAfter(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{BreakAfter: 3, BreakStreams: 1}))
	c := client(t, r, nil)
	acks, err := exchange(t.Context(), c, uuids("a", 6)...)
	if status.Code(err) != codes.Unavailable || !strings.Contains(err.Error(), "stream broken after 3 events (scripted)") {
		t.Fatalf("err = %v, want UNAVAILABLE stream broken", err)
	}
	if got := ackPairs(acks); !slices.Equal(got, []string{"a-0=Success", "a-1=Success"}) {
		t.Fatalf("acks before the break: %q", got)
	}
	acks, err = exchange(t.Context(), c, uuids("b", 6)...)
	if err != nil || len(acks) != 6 {
		t.Fatalf("second stream: %d acks, err %v; BreakStreams 1 breaks only the first", len(acks), err)
	}
	if st := r.Streams(); !st[0].Broken || st[1].Broken || st[0].Events != 3 {
		t.Fatalf("Streams() = %+v", st)
	}
}

func TestGRPCAckAtEndReversed(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{AckAtEnd: true, Reverse: true}))
	acks, err := exchange(t.Context(), client(t, r, nil), "a", "b", "c")
	if err != nil {
		t.Fatal(err)
	}
	if got := ackPairs(acks); !slices.Equal(got, []string{"c=Success", "b=Success", "a=Success"}) {
		t.Fatalf("acks %q", got)
	}
}

func TestGRPCHangEndsWhenTheClientGivesUp(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{Hang: true}))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		acks, err := exchange(ctx, client(t, r, nil), "a", "b")
		if len(acks) != 0 {
			err = fmt.Errorf("a hanging receiver sent acks %q", ackPairs(acks))
		}
		done <- err
	}()
	if _, err := r.Wait(t.Context(), func(s receiver.GRPCStats) bool { return s.Events == 2 }); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; status.Code(err) != codes.Canceled {
		t.Fatalf("err = %v, want CANCELED", err)
	}
}

func TestGRPCCloseEndsSlowStreams(t *testing.T) {
	t.Parallel()
	r, err := receiver.NewGRPC(receiver.WithGRPCScript(receiver.GRPCScript{AckDelay: time.Hour}))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := exchange(t.Context(), client(t, r, nil), "a")
		done <- err
	}()
	if _, err := r.Wait(t.Context(), func(s receiver.GRPCStats) bool { return s.Events == 1 }); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if err := <-done; err == nil {
		t.Fatal("a stream waiting on a slow ack ended cleanly after Close")
	}
}

func TestGRPCSetScriptAndReset(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCScript(receiver.GRPCScript{Nack: []string{"a"}}))
	c := client(t, r, nil)
	if acks, _ := exchange(t.Context(), c, "a"); !slices.Equal(ackPairs(acks), []string{"a=Failure"}) {
		t.Fatalf("acks %q", ackPairs(acks))
	}
	r.SetScript(receiver.GRPCScript{})
	r.Reset()
	if s := r.Stats(); s != (receiver.GRPCStats{}) || len(r.Events()) != 0 || len(r.Streams()) != 0 {
		t.Fatalf("after Reset: %+v", s)
	}
	if acks, _ := exchange(t.Context(), c, "a"); !slices.Equal(ackPairs(acks), []string{"a=Success"}) {
		t.Fatalf("acks %q after SetScript", ackPairs(acks))
	}
	if st := r.Streams(); len(st) != 1 || st[0].N != 2 || st[0].Events != 1 {
		t.Fatalf("Streams() after Reset = %+v: stream numbers go on", st)
	}
}

func TestGRPCCountOnly(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.GRPCCountOnly())
	if _, err := exchange(t.Context(), client(t, r, nil), "a", "b", "a"); err != nil {
		t.Fatal(err)
	}
	if s := r.Stats(); s != (receiver.GRPCStats{Streams: 1, Events: 3, Acks: 3, Successes: 3}) {
		t.Fatalf("Stats() = %+v", s)
	}
	if len(r.Events()) != 0 || len(r.Acks()) != 0 || len(r.Streams()) != 0 {
		t.Fatal("count-only receiver kept records")
	}
}

func TestGRPCTLSReceiver(t *testing.T) {
	t.Parallel()
	r := receiver.StartGRPC(t, receiver.WithGRPCTLS())
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(r.CAPEM()) {
		t.Fatalf("CAPEM() is no PEM certificate: %q", r.CAPEM())
	}
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
	acks, err := exchange(t.Context(), client(t, r, creds), "a")
	if err != nil || len(acks) != 1 {
		t.Fatalf("over TLS: %d acks, err %v", len(acks), err)
	}
	if _, err := exchange(t.Context(), client(t, r, nil), "a"); err == nil {
		t.Fatal("a plaintext client reached a TLS receiver")
	}
}

func TestGRPCAddr(t *testing.T) {
	t.Parallel()
	if _, err := receiver.NewGRPC(receiver.WithGRPCAddr("example.com:0")); err == nil ||
		!strings.Contains(err.Error(), "want host:port with 127.0.0.1") {
		t.Fatalf("err = %v, want a refusal of a name", err)
	}
	first := receiver.StartGRPC(t)
	if _, err := receiver.NewGRPC(receiver.WithGRPCAddr(first.Addr())); err == nil {
		t.Fatal("two receivers listen on one address")
	}
}
