package scenarios

import "time"

// The docs' values (SPEC.md §1), used where a scenario says nothing.
const (
	DefaultHTTPBatchSize = 100
	DefaultGRPCBatchSize = 1000
	DefaultBatchInterval = Duration(time.Hour)
	DefaultTimeout       = Duration(30 * time.Second)
	DefaultMessageRate   = 600 // createMessage calls per account per minute
)

// DefaultRetryDelays are the waits before the 1st, 2nd and 3rd retry.
var DefaultRetryDelays = []Duration{Duration(time.Second), Duration(3 * time.Second), Duration(8 * time.Second)}

// ApplyDefaults fills every unset value with the docs' default, so that the emulator
// reads one complete scenario.
func (s *Scenario) ApplyDefaults() {
	for i := range s.Streams {
		st := &s.Streams[i]
		if st.Transport == "" {
			st.Transport = TransportHTTP
		}
		if st.Name == "" {
			st.Name = "streams[" + itoa(i) + "]"
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
		if st.Framing == "" {
			st.Framing = "array"
		}
		if st.Concurrency == 0 {
			st.Concurrency = 1
		}
	}
	for i := range s.Webhooks {
		w := &s.Webhooks[i]
		if w.Name == "" {
			w.Name = "webhooks[" + itoa(i) + "]"
		}
		if len(w.Events) == 0 {
			w.Events = append([]string(nil), emailStatusEvents...)
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
}

var emailStatusEvents = []string{"Email Sent", "Email Delivered", "Email Bounced", "Email Opened",
	"Email Link Clicked", "Email Unsubscribed", "Email Complained", "Email Rejected"}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}
