package emulator

import (
	"github.com/pwemu/pwemu/emulator/internal/clock"
	"github.com/pwemu/pwemu/emulator/internal/control"
	"github.com/pwemu/pwemu/emulator/internal/journal"
	"github.com/pwemu/pwemu/emulator/internal/ledger"
)

// What callers of the façade read and build. The runtime packages behind them are
// internal; these names are the public face of their types.

// ClockConfig selects the emulator clock: real, scaled or manual. The zero value is
// a real clock.
type ClockConfig = clock.Config

// ClockMode names how the emulator clock relates to wall time.
type ClockMode = clock.Mode

// The clock modes.
const (
	ClockReal   = clock.ModeReal
	ClockScaled = clock.ModeScaled
	ClockManual = clock.ModeManual
)

// ParseClock reads the command-line form of a clock: "real", "manual", or a speed
// such as "3600x".
func ParseClock(s string) (ClockConfig, error) { return clock.ParseFlag(s) }

// Totals are the ledger's counts by state: generated = delivered + dropped +
// filtered + pending, always.
type Totals = ledger.Totals

// Record is one event's history in the ledger: its attempts and its state.
type Record = ledger.Record

// RecordQuery selects ledger records.
type RecordQuery = ledger.Query

// RecordState is where an event stands in the ledger.
type RecordState = ledger.State

// The states of a ledger record.
const (
	Pending   = ledger.Pending
	Delivered = ledger.Delivered
	Dropped   = ledger.Dropped
	Filtered  = ledger.Filtered
)

// Summary is what the ledger's attempts add up to (Emulator.Summary).
type Summary = ledger.Summary

// Causes group one integration's failed delivery attempts by what went wrong.
type Causes = ledger.Causes

// Call is one API call in the journal, with what was answered.
type Call = journal.Entry

// The control API's bodies, as its clients (testkit.Client) read and write them.
type (
	// WaitCondition is the body of POST /_pwemu/wait.
	WaitCondition = control.WaitRequest
	// LedgerView is the answer of GET /_pwemu/ledger.
	LedgerView = control.LedgerView
	// JournalView is the answer of GET /_pwemu/journal.
	JournalView = control.JournalView
	// ClockInfo is the answer of GET /_pwemu/clock and POST /_pwemu/clock/advance.
	ClockInfo = control.ClockInfo
)

// ControlPrefix is the path under which the control API is served.
const ControlPrefix = control.Prefix
