package stream

import (
	"context"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
)

// AckSuccess is the ack status that completes an event on ack-based transports (gRPC).
const AckSuccess = "Success"

// Batch is one HTTP request or one gRPC stream: events in send order, with their
// ledger records.
type Batch struct {
	ID      uint64 // batch or stream number, unique per emulator
	Attempt int    // 0 for the first send, 1 for the first retry, …
	Events  []catalog.Event
	IDs     []ledger.ID
}

// Result is what a transport learnt from sending a batch.
type Result struct {
	Status  int           // HTTP status; 0 when none came back
	Err     error         // a failure of the whole send: refused, reset, timeout, broken stream
	Acks    []string      // ack-based transports: each event's ack status in batch order, "" when none came
	Latency time.Duration // wall time the send took
}

// Failed reports whether event i of the batch is to be retried: on ack-based
// transports when it has no "Success" ack; otherwise when the whole send failed or
// was answered 5xx. 4xx and other codes are not retried: the event streaming docs retry
// on 5xx and otherwise ignore the response code and body.
func (r Result) Failed(i int) bool {
	if r.Acks != nil {
		return r.Acks[i] != AckSuccess
	}
	return r.Err != nil || r.Status >= 500
}

// Transport sends batches to one receiver. Deliver must honour ctx, which the
// pipeline cancels when the timeout passes on the emulator clock.
type Transport interface {
	Deliver(ctx context.Context, b *Batch) Result
	Close() error
}
