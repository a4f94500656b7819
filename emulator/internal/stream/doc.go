// Package stream is pwemu acting as Pushwoosh's event sender: it takes every event the
// emulator produces (injected, generated traffic, message lifecycle) and delivers it to
// the receivers a scenario configures, the way Pushwoosh does:
// https://docs.pushwoosh.com/product/integrations/event-streaming and
// https://docs.pushwoosh.com/product/integrations/webhook-integration.
//
// Each integration — an event stream over HTTP or gRPC, or an email-status webhook —
// runs one pipeline:
//
//	Publish → Filter → ledger (filtered | pending) → batcher → delivery → retry → ledger (delivered | dropped)
//
// Filter keeps an integration to its events, platforms, campaigns, messages and
// live-activity opt-in. The batcher sends a batch when Batch.Size events are waiting,
// or Batch.Interval after the previous transmission; a batch never holds more than
// Batch.Size events and is never empty. Delivery runs on the emulator clock: the
// request timeout, the retry delays and the chaos delay are all emulator time, so a
// manual clock plays an hour of Pushwoosh behaviour in milliseconds. Every attempt and
// every terminal state is written to the ledger.
//
// Decisions the docs leave open, made here:
//   - The interval timer is re-armed on every transmission of a new batch (retries do
//     not count). When it fires with nothing waiting it re-arms itself, so it is
//     periodic: an event published into an idle pipeline waits at most one interval.
//   - A failure is a 5xx answer, a transport error (refused, reset, TLS) or a timeout;
//     the n-th retry goes out Retry.Delays[n-1] after the failure that caused it, on
//     its own timer, alongside whatever else is in flight (Concurrency limits first
//     sends only). Any other status ends the batch: delivered, the status kept in the
//     attempt.
//   - The campaign filter lists campaign ids as decimal numbers and matches the
//     events' campaign_id; the message filter matches message_code.
//   - Every integration writes its own ledger record for an event (filtered with a
//     reason, or pending); with no integration at all, an event gets one record under
//     integration "" filtered with ReasonNoIntegration.
//   - HTTP requests carry Connection: close (the docs: "the connection is closed after
//     a successful response"); redirects are not followed (a 3xx is an answer).
package stream
