package state

// Limits bound what API calls can make the store hold, so a long-running emulator
// keeps its memory. Zero means the default.
type Limits struct {
	// DevicesPerApp bounds the devices of one application; a new device past it is
	// refused (known devices still update).
	DevicesPerApp int
	// Messages bounds the stored messages of all accounts; past it the oldest sent
	// message is forgotten (scheduled ones are kept; when all are, new ones are refused).
	Messages int
	// TagsPerAccount bounds an account's tag definitions, the default ones included;
	// addTag past it is refused and setTags skips the tags it would define.
	TagsPerAccount int
}

// Defaults of Limits.
const (
	DefaultDevicesPerApp  = 1_000_000
	DefaultMessages       = 100_000
	DefaultTagsPerAccount = 10_000
)

func (l Limits) withDefaults() Limits {
	if l.DevicesPerApp <= 0 {
		l.DevicesPerApp = DefaultDevicesPerApp
	}
	if l.Messages <= 0 {
		l.Messages = DefaultMessages
	}
	if l.TagsPerAccount <= 0 {
		l.TagsPerAccount = DefaultTagsPerAccount
	}
	return l
}

// SetLimits sets the store's limits; it is meant to be called once, before use.
func (s *Store) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limits = l.withDefaults()
}

// Limits returns the store's limits.
func (s *Store) Limits() Limits {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.limits
}

// makeRoomForMessageLocked forgets the oldest sent messages until one more fits;
// ErrLimit when every stored message is scheduled.
func (s *Store) makeRoomForMessageLocked() error {
	w := s.w
	for tries := len(w.msgOrder); len(w.messages) >= s.limits.Messages; tries-- {
		if tries <= 0 || len(w.msgOrder) == 0 {
			return ErrLimit
		}
		code := w.msgOrder[0]
		w.msgOrder = w.msgOrder[1:]
		m, ok := w.messages[code]
		switch {
		case !ok: // deleted already
		case m.Status == MessageScheduled:
			w.msgOrder = append(w.msgOrder, code)
		default:
			delete(w.messages, code)
			delete(w.tally.messages, code)
			delete(w.tally.openers, code)
		}
	}
	// Deleted messages leave their codes behind; compact once they dominate.
	if len(w.msgOrder) > 2*len(w.messages)+64 {
		kept := w.msgOrder[:0:0]
		for _, c := range w.msgOrder {
			if _, ok := w.messages[c]; ok {
				kept = append(kept, c)
			}
		}
		w.msgOrder = kept
	}
	return nil
}
