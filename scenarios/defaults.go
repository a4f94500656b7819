package scenarios

import (
	"strconv"
	"strings"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
)

// The event streaming docs' values, used where a scenario says nothing (and the
// messages API's 600 createMessage calls a minute).
const (
	DefaultHTTPBatchSize = 100
	DefaultGRPCBatchSize = 1000
	DefaultBatchInterval = Duration(time.Hour)
	DefaultTimeout       = Duration(30 * time.Second)
	DefaultMessageRate   = 600 // createMessage calls per account per minute
)

// pwemu's own defaults where the docs say nothing.
const (
	DefaultTrafficMessages    = 10  // distinct messages generated events are drawn from
	DefaultLifecycleDelivered = 0.9 // share of targets that get Push Delivered
	DefaultLifecycleOpened    = 0.3 // share of delivered that get Push Opened
	DefaultLifecycleDelay     = Duration(time.Second)
)

// DefaultRetryDelays are the waits before the 1st, 2nd and 3rd retry.
var DefaultRetryDelays = []Duration{Duration(time.Second), Duration(3 * time.Second), Duration(8 * time.Second)}

// DefaultTrafficEvents and DefaultTrafficPlatforms are what generated traffic is made
// of when neither the traffic entry nor any integration says: an entry without events
// or platforms takes those of the streams and webhooks, so that nothing it generates
// is filtered unless it asks for it.
var (
	DefaultTrafficEvents    = []string{catalog.EventPushSent}
	DefaultTrafficPlatforms = []string{"iOS", "Android"}
)

// ApplyDefaults fills every unset value with the docs' default (or pwemu's, where
// the docs say nothing), so that the emulator reads one complete scenario. Parse
// calls it; call it yourself on a scenario built in code.
func (s *Scenario) ApplyDefaults() {
	for i := range s.Streams {
		st := &s.Streams[i]
		st.Transport = strings.ToLower(st.Transport) // the docs write HTTP and gRPC
		if st.Transport == "" {
			st.Transport = TransportHTTP
		}
		if st.Name == "" {
			st.Name = "streams[" + strconv.Itoa(i) + "]"
		}
		if st.Batch.Size == 0 {
			st.Batch.Size = DefaultHTTPBatchSize
			if st.Transport == TransportGRPC {
				st.Batch.Size = DefaultGRPCBatchSize
			}
		}
		if st.Batch.Interval == 0 {
			st.Batch.Interval = DefaultBatchInterval
		}
		if st.Retry.Delays == nil {
			st.Retry.Delays = append([]Duration(nil), DefaultRetryDelays...)
		}
		if st.Timeout == 0 {
			st.Timeout = DefaultTimeout
		}
		if st.Framing == "" && st.Transport == TransportHTTP {
			st.Framing = FramingArray
		}
		if st.Concurrency == 0 {
			st.Concurrency = 1
		}
	}
	for i := range s.Webhooks {
		w := &s.Webhooks[i]
		if w.Name == "" {
			w.Name = "webhooks[" + strconv.Itoa(i) + "]"
		}
		if len(w.Events) == 0 {
			w.Events = append([]string(nil), catalog.EmailStatusEvents...)
		}
		if w.Retry.Delays == nil {
			w.Retry.Delays = append([]Duration(nil), DefaultRetryDelays...)
		}
		if w.Timeout == 0 {
			w.Timeout = DefaultTimeout
		}
	}
	for i := range s.Accounts {
		if s.Accounts[i].CreateMessageRate == 0 {
			s.Accounts[i].CreateMessageRate = DefaultMessageRate
		}
	}
	for i := range s.Traffic {
		s.Traffic[i].Generate.applyDefaults()
	}
	for i := range s.API {
		if s.API[i].Probability == 0 {
			s.API[i].Probability = 1
		}
	}
	l := &s.Lifecycle
	if l.Delivered == nil {
		l.Delivered = ptr(DefaultLifecycleDelivered)
	}
	if l.Opened == nil {
		l.Opened = ptr(DefaultLifecycleOpened)
	}
	if l.Delay == 0 {
		l.Delay = DefaultLifecycleDelay
	}
}

func (g *Generate) applyDefaults() {
	// Events and platforms stay unset: the emulator draws them from what the
	// integrations take (DefaultTrafficEvents and DefaultTrafficPlatforms without any).
	if g.Messages == 0 {
		g.Messages = DefaultTrafficMessages
	}
}

func ptr[T any](v T) *T { return &v }
