package stream

import (
	"errors"

	"github.com/pwemu/pwemu/emulator/clock"
	"github.com/pwemu/pwemu/scenarios"
)

// newGRPCTransport dials a gRPC receiver (issue 4 replaces this).
func newGRPCTransport(cfg scenarios.Stream, clk clock.Clock) (Transport, error) {
	return nil, errors.New("grpc transport: not built yet")
}
