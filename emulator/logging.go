package emulator

import (
	"context"
	"log/slog"
	"time"
)

// emuTimeHandler puts the emulator time beside the wall time on every log line: on a
// manual or scaled clock the two say different things, and the emulator time is the
// one the ledger, the journal and the scenario speak.
type emuTimeHandler struct {
	inner slog.Handler
	now   func() (time.Time, bool)
}

func (h emuTimeHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h emuTimeHandler) Handle(ctx context.Context, r slog.Record) error {
	if now, ok := h.now(); ok {
		r = r.Clone()
		r.AddAttrs(slog.Time("emu_time", now))
	}
	return h.inner.Handle(ctx, r)
}

func (h emuTimeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return emuTimeHandler{inner: h.inner.WithAttrs(attrs), now: h.now}
}

func (h emuTimeHandler) WithGroup(name string) slog.Handler {
	return emuTimeHandler{inner: h.inner.WithGroup(name), now: h.now}
}

// emuNow is the running world's clock, once there is one.
func (e *Emulator) emuNow() (time.Time, bool) {
	e.mu.RLock()
	w := e.w
	e.mu.RUnlock()
	if w == nil {
		return time.Time{}, false
	}
	return w.clock.Now(), true
}
