package testkit_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/pwemu/pwemu/emulator"
	"github.com/pwemu/pwemu/testkit"
)

// A client given the control token drives a token-protected emulator; without it
// the same call is a 401.
func TestClientWithTokenDrivesAProtectedEmulator(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Addr: "127.0.0.1:0", ControlToken: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if err := emu.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { emu.Close() })
	ctx := context.Background()
	bare := testkit.NewClient(emu.URL(), nil)
	var apiErr *testkit.APIError
	if _, err := bare.Totals(ctx); !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized {
		t.Fatalf("without the token: %v, want HTTP 401", err)
	}
	if _, err := bare.WithToken("wrong").Totals(ctx); !errors.As(err, &apiErr) || apiErr.Status != http.StatusUnauthorized {
		t.Fatalf("with a wrong token: %v, want HTTP 401", err)
	}
	c := bare.WithToken("s3cret")
	if _, err := c.Totals(ctx); err != nil {
		t.Fatalf("with the token: %v", err)
	}
	if err := c.Reset(ctx); err != nil { // a mutating call too
		t.Fatalf("reset with the token: %v", err)
	}
}
