package state_test

import (
	"strconv"
	"testing"

	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
)

// A huge setTags releases the store's lock between its chunks: another
// application's registerDevice completes while the setTags is paused between two
// of them, and every tag is applied in the end.
func TestSetTagsReleasesTheLockBetweenChunks(t *testing.T) {
	plan := accounts()
	plan[0].Applications = append(plan[0].Applications, scenarios.ApplicationPlan{Code: "CCCCC-00003", Name: "C"})
	s := state.New(plan)
	s.SetLimits(state.Limits{TagsPerAccount: 10 * state.SetTagsChunk})

	n := 3*state.SetTagsChunk + 7
	tags := make(map[string]any, n)
	for i := range n {
		tags["t"+strconv.Itoa(i)] = int64(i)
	}
	paused, resume := make(chan struct{}), make(chan struct{})
	pauses := 0
	restore := state.PauseBetweenTagChunks(func() {
		pauses++
		if pauses == 1 {
			close(paused)
			<-resume
		}
	})
	defer restore()

	type result struct {
		skipped []state.Skipped
		err     error
	}
	done := make(chan result, 1)
	go func() {
		sk, err := s.SetTags("AAAAA-00001", "big", tags, now)
		done <- result{sk, err}
	}()
	<-paused
	// The setTags is between its first and second chunk: the write lock must be free.
	if _, _, err := s.RegisterDevice(state.Registration{Application: "CCCCC-00003", HWID: "other", Type: 1}, now); err != nil {
		t.Fatalf("registerDevice on another application during a paused setTags: %v", err)
	}
	partial, err := s.DeviceTags("AAAAA-00001", "big")
	if err != nil || len(partial) != state.SetTagsChunk {
		t.Fatalf("after the first chunk: %d tags (%v), want %d", len(partial), err, state.SetTagsChunk)
	}
	close(resume)
	r := <-done
	if r.err != nil || len(r.skipped) != 0 {
		t.Fatalf("setTags: skipped %v, err %v", r.skipped, r.err)
	}
	if pauses != 3 {
		t.Fatalf("%d pauses between chunks, want 3", pauses)
	}
	got, _ := s.DeviceTags("AAAAA-00001", "big")
	if len(got) != n {
		t.Fatalf("%d tags applied, want %d", len(got), n)
	}
	for i := range n {
		if v := got["t"+strconv.Itoa(i)]; v != int64(i) {
			t.Fatalf("t%d = %v, want %d", i, v, i)
		}
	}
}

// Values prepared before the lock for the type they would define are converted
// again when their tag has another type, and operations use the current value.
func TestSetTagsChunksKeepTypesAndOperations(t *testing.T) {
	s := state.New(accounts())
	if err := s.AddTag("acme", state.TagDef{Name: "n", Type: state.TagString}); err != nil {
		t.Fatal(err)
	}
	tags := map[string]any{"n": int64(5), "count": int64(1)}
	for i := range state.SetTagsChunk + 1 {
		tags["f"+strconv.Itoa(i)] = "x"
	}
	if _, err := s.SetTags("AAAAA-00001", "d", tags, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTags("AAAAA-00001", "d", map[string]any{"count": map[string]any{"operation": "increment", "value": int64(2)}}, now); err != nil {
		t.Fatal(err)
	}
	got, _ := s.DeviceTags("AAAAA-00001", "d")
	if got["n"] != "5" || got["count"] != int64(3) || len(got) != state.SetTagsChunk+3 {
		t.Fatalf("n=%#v count=%#v, %d tags", got["n"], got["count"], len(got))
	}
}
