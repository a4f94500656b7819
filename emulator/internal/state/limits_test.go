package state_test

import (
	"errors"
	"strconv"
	"testing"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
)

func TestDevicesPerApplicationAreBounded(t *testing.T) {
	s := state.New(accounts())
	s.SetLimits(state.Limits{DevicesPerApp: 2})
	for _, h := range []string{"h1", "h2"} {
		if _, _, err := s.RegisterDevice(state.Registration{Application: "AAAAA-00001", HWID: h}, now); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.RegisterDevice(state.Registration{Application: "AAAAA-00001", HWID: "h3"}, now); !errors.Is(err, state.ErrLimit) {
		t.Fatalf("third device: %v, want ErrLimit", err)
	}
	if _, err := s.SetTags("AAAAA-00001", "h3", map[string]any{"Language": "en"}, now); !errors.Is(err, state.ErrLimit) {
		t.Fatalf("setTags making a third device: %v, want ErrLimit", err)
	}
	// Known devices still update, and another application has its own room.
	if _, _, err := s.RegisterDevice(state.Registration{Application: "AAAAA-00001", HWID: "h1", PushToken: "p"}, now); err != nil {
		t.Fatalf("known device refused: %v", err)
	}
	if _, err := s.SetTags("AAAAA-00001", "h2", map[string]any{"Language": "en"}, now); err != nil {
		t.Fatalf("setTags on a known device refused: %v", err)
	}
	if err := s.CreateApplication(state.Application{Code: "CCCCC-00003", AccountID: "acme"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RegisterDevice(state.Registration{Application: "CCCCC-00003", HWID: "h3"}, now); err != nil {
		t.Fatalf("device of another application: %v", err)
	}
}

func TestTagDefinitionsPerAccountAreBounded(t *testing.T) {
	s := state.New(accounts())
	defaults := len(s.Tags("acme"))
	s.SetLimits(state.Limits{TagsPerAccount: defaults + 1})
	if err := s.AddTag("acme", state.TagDef{Name: "one", Type: state.TagString}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTag("acme", state.TagDef{Name: "two", Type: state.TagString}); !errors.Is(err, state.ErrLimit) {
		t.Fatalf("addTag past the limit: %v, want ErrLimit", err)
	}
	if err := s.AddTag("acme", state.TagDef{Name: "one", Type: state.TagString}); !errors.Is(err, state.ErrExists) {
		t.Fatalf("addTag of a known name at the limit: %v, want ErrExists", err)
	}
	skipped, err := s.SetTags("AAAAA-00001", "h", map[string]any{"one": "x", "two": "y"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0].Tag != "two" || skipped[0].Reason != catalog.MsgTagLimit {
		t.Fatalf("skipped %+v, want only two for the tag limit", skipped)
	}
	tags, _ := s.DeviceTags("AAAAA-00001", "h")
	if tags["one"] != "x" || tags["two"] != nil || s.HasTag("acme", "two") {
		t.Fatalf("tags %v; two defined: %v", tags, s.HasTag("acme", "two"))
	}
	// Deleting a definition makes room again.
	if err := s.DeleteTag("acme", "one"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTag("acme", state.TagDef{Name: "two", Type: state.TagString}); err != nil {
		t.Fatalf("addTag after a delete: %v", err)
	}
}

func TestStoredMessagesForgetTheOldestSent(t *testing.T) {
	s := state.New(accounts())
	s.SetLimits(state.Limits{Messages: 3})
	code := func(id uint64) string { return "M-" + strconv.FormatUint(id, 10) }
	add := func(status string) (state.Message, error) {
		return s.AddMessage(state.Message{AccountID: "acme", Applications: []string{"AAAAA-00001"}, Status: status}, code)
	}
	for _, st := range []string{state.MessageScheduled, state.MessageSent, state.MessageSent} {
		if _, err := add(st); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := add(state.MessageSent); err != nil { // forgets M-2, the oldest sent
		t.Fatal(err)
	}
	for c, want := range map[string]bool{"M-1": true, "M-2": false, "M-3": true, "M-4": true} {
		if _, ok := s.Message("acme", c); ok != want {
			t.Errorf("message %s kept: %v, want %v", c, ok, want)
		}
	}
	// Only scheduled messages left: a new one is refused rather than one forgotten.
	s2 := state.New(accounts())
	s2.SetLimits(state.Limits{Messages: 2})
	add2 := func() error {
		_, err := s2.AddMessage(state.Message{AccountID: "acme", Applications: []string{"AAAAA-00001"}, Status: state.MessageScheduled}, code)
		return err
	}
	if err := add2(); err != nil {
		t.Fatal(err)
	}
	if err := add2(); err != nil {
		t.Fatal(err)
	}
	if err := add2(); !errors.Is(err, state.ErrLimit) {
		t.Fatalf("third scheduled message: %v, want ErrLimit", err)
	}
}

func TestDeletedMessagesDoNotGrowTheOrder(t *testing.T) {
	s := state.New(accounts())
	s.SetLimits(state.Limits{Messages: 2})
	code := func(id uint64) string { return "M-" + strconv.FormatUint(id, 10) }
	for range 10_000 {
		m, err := s.AddMessage(state.Message{AccountID: "acme", Applications: []string{"AAAAA-00001"}, Status: state.MessageSent}, code)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteMessage("acme", m.Code); err != nil {
			t.Fatal(err)
		}
	}
	if n := state.MessageOrderLen(s); n > 2*2+64 {
		t.Fatalf("%d codes kept for 0 messages", n)
	}
}
