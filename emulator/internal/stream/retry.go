package stream

import "time"

// RetryPolicy says when a failed send is tried again (event streaming docs): the first retry
// goes Delays[0] after the failure, the second Delays[1] after the first retry failed,
// and so on; when the delays are used up the events are dropped. With the docs'
// 1 s, 3 s, 8 s and instant 5xx answers, attempts go out at t, t+1 s, t+4 s, t+12 s.
type RetryPolicy struct {
	Delays []time.Duration
}

// Next reports how long to wait before retrying after attempt number attempt (0 for
// the first send) failed, and false when no retry is left.
func (p RetryPolicy) Next(attempt int) (time.Duration, bool) {
	if attempt < 0 || attempt >= len(p.Delays) {
		return 0, false
	}
	return p.Delays[attempt], true
}
