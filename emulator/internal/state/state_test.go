package state_test

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/state"
	"github.com/pwemu/pwemu/scenarios"
)

var now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// accounts is one account as scenarios.Plan resolves it (the store trusts it: what
// would be ambiguous is refused by the scenario's checks).
func accounts() []scenarios.AccountPlan {
	return []scenarios.AccountPlan{{
		ID:                "acme",
		CreateMessageRate: scenarios.DefaultMessageRate,
		Tokens: []scenarios.TokenPlan{
			{Value: "srv", Kind: scenarios.TokenServer, Allow: []string{"createMessage"}},
			{Value: "dev", Kind: scenarios.TokenDevice, Applications: []string{"AAAAA-00001"}},
		},
		Applications: []scenarios.ApplicationPlan{{Code: "AAAAA-00001", Name: "A"}, {Code: "BBBBB-00002", Suspended: true}},
		Groups:       []scenarios.GroupPlan{{Code: "G1", Applications: []string{"AAAAA-00001", "BBBBB-00002"}}},
	}}
}

func TestLookups(t *testing.T) {
	in := accounts()
	s := state.New(in)
	in[0].Applications[0].Name = "changed by the caller" // the store keeps its own copy
	tok, ok := s.Token("srv")
	if !ok || tok.AccountID != "acme" || !tok.Allows("createMessage") || tok.Allows("listTags") || !tok.Covers("anything") {
		t.Fatalf("server token: %+v", tok)
	}
	if dev, _ := s.Token("dev"); dev.Covers("BBBBB-00002") || !dev.Covers("AAAAA-00001") {
		t.Fatalf("device token coverage: %+v", dev)
	}
	if a, ok := s.Application("AAAAA-00001"); !ok || a.Name != "A" || a.AccountID != "acme" {
		t.Fatalf("application: %+v", a)
	}
	if acc, _ := s.Account("acme"); acc.CreateMessageRate != scenarios.DefaultMessageRate {
		t.Fatalf("rate: %d", acc.CreateMessageRate)
	}
	if _, _, err := s.RegisterDevice(state.Registration{Application: "AAAAA-00001", HWID: "h", PushToken: "p", Type: catalog.DeviceIOS}, now); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.RegisterDevice(state.Registration{Application: "NOPE", HWID: "h"}, now); !errors.Is(err, state.ErrNotFound) {
		t.Fatalf("device of an unknown application: %v", err)
	}
	if err := s.CreateApplication(state.Application{Code: "AAAAA-00001", AccountID: "acme"}); !errors.Is(err, state.ErrExists) {
		t.Fatalf("duplicate application: %v", err)
	}
	m, err := s.AddMessage(state.Message{AccountID: "acme", Applications: []string{"AAAAA-00001"}}, func(id uint64) string { return "CODE-" + string(rune('0'+id)) })
	if err != nil || m.ID != 1 || m.Code != "CODE-1" {
		t.Fatalf("AddMessage: %+v %v", m, err)
	}
	for range 600 {
		s.AllowCreateMessage("acme", now)
	}
	if s.AllowCreateMessage("acme", now) {
		t.Fatal("601st createMessage allowed")
	}
	if a, _ := s.Application("AAAAA-00001"); a.Name != "A" {
		t.Fatalf("the store took the caller's change: %q", a.Name)
	}
}

func TestPushTokenMovesToTheNewDevice(t *testing.T) {
	s := state.New(accounts())
	reg := func(hwid, token string) {
		if _, _, err := s.RegisterDevice(state.Registration{Application: "AAAAA-00001", HWID: hwid, PushToken: token, Type: catalog.DeviceAndroid}, now); err != nil {
			t.Fatal(err)
		}
	}
	reg("old", "tok")
	reg("new", "tok") // a reinstall: same token, new hwid
	found, unknown := s.ResolveDevices("AAAAA-00001", []string{"tok", "old", "new"}, nil)
	if len(found) != 1 || found[0].HWID != "new" || len(unknown) != 1 || unknown[0] != "old" {
		t.Fatalf("found %+v unknown %v", found, unknown)
	}
	if n := s.RegisteredDevices("acme"); n != 1 {
		t.Fatalf("registered devices = %d, want 1", n)
	}
}

func TestSetTagsTypes(t *testing.T) {
	s := state.New(accounts())
	if err := s.AddTag("acme", state.TagDef{Name: "born", Type: state.TagDate}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddTag("acme", state.TagDef{Name: "ver", Type: state.TagVersion}); err != nil {
		t.Fatal(err)
	}
	skipped, err := s.SetTags("AAAAA-00001", "h", map[string]any{
		"born": "2000-02-03", "ver": "1.2.x", "n": float64(3), "n2": 2.5, "flag": true, "Language": "en",
	}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(skipped) != 1 || skipped[0].Tag != "ver" {
		t.Fatalf("skipped %+v, want ver only", skipped)
	}
	tags, _ := s.DeviceTags("AAAAA-00001", "h")
	if tags["born"] != "2000-02-03 00:00" || tags["n"] != int64(3) || tags["n2"] != 2.5 || tags["flag"] != true || tags["Language"] != "en" {
		t.Fatalf("tags %#v", tags)
	}
	s.SetTags("AAAAA-00001", "h", map[string]any{"n": map[string]any{"operation": "increment", "value": float64(4)}}, now)
	if tags, _ := s.DeviceTags("AAAAA-00001", "h"); tags["n"] != int64(7) {
		t.Fatalf("increment: %#v", tags["n"])
	}
	if d, _ := s.Device("AAAAA-00001", "h"); d.Subscribed {
		t.Fatal("setTags subscribed an unregistered device")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := state.New(accounts())
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				hwid := string(rune('a'+g)) + strings.Repeat("x", i%7)
				s.RegisterDevice(state.Registration{Application: "AAAAA-00001", HWID: hwid, PushToken: hwid, Type: 1}, now)
				s.SetTags("AAAAA-00001", hwid, map[string]any{"i": float64(i)}, now)
				s.SubscribedDevices("AAAAA-00001", nil)
				s.AddMessage(state.Message{AccountID: "acme"}, func(id uint64) string { return strings.Repeat("m", 1) + string(rune(id)) })
				s.AllowCreateMessage("acme", now)
			}
		}()
	}
	wg.Wait()
	if n := s.RegisteredDevices("acme"); n != 28 {
		t.Fatalf("registered devices = %d, want 28 (4 goroutines × 7 hwids)", n)
	}
}

func TestSetTagsIncrementOverflowSkipped(t *testing.T) {
	s := state.New(accounts())
	inc := func(by float64) []state.Skipped {
		t.Helper()
		skipped, err := s.SetTags("AAAAA-00001", "h", map[string]any{"n": map[string]any{"operation": "increment", "value": by}}, now)
		if err != nil {
			t.Fatal(err)
		}
		return skipped
	}
	if err := s.AddTag("acme", state.TagDef{Name: "n", Type: state.TagInteger}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTags("AAAAA-00001", "h", map[string]any{"n": int64(math.MaxInt64)}, now); err != nil {
		t.Fatal(err)
	}
	skipped := inc(1)
	want := []state.Skipped{{Tag: "n", Reason: "Increment overflows the integer tag"}}
	if !slices.Equal(skipped, want) {
		t.Fatalf("skipped %+v, want %+v", skipped, want)
	}
	if tags, _ := s.DeviceTags("AAAAA-00001", "h"); tags["n"] != int64(math.MaxInt64) {
		t.Fatalf("n = %#v after an overflowing increment, want MaxInt64 unchanged", tags["n"])
	}
	if skipped := inc(-1); len(skipped) != 0 {
		t.Fatalf("skipped %+v for MaxInt64-1", skipped)
	}
	if _, err := s.SetTags("AAAAA-00001", "h", map[string]any{"n": int64(math.MinInt64)}, now); err != nil {
		t.Fatal(err)
	}
	if skipped := inc(-1); !slices.Equal(skipped, want) {
		t.Fatalf("skipped %+v for MinInt64-1, want %+v", skipped, want)
	}
}

func TestSetTagsLongListAppendAndRemove(t *testing.T) {
	s := state.New(accounts())
	const n = 50000
	items := make([]any, n)
	for i := range items {
		items[i] = "v" + strconv.Itoa(i)
	}
	op := func(name string, vals []any) {
		t.Helper()
		skipped, err := s.SetTags("AAAAA-00001", "h", map[string]any{"L": map[string]any{"operation": name, "value": vals}}, now)
		if err != nil || len(skipped) != 0 {
			t.Fatalf("%s: skipped %+v err %v", name, skipped, err)
		}
	}
	op("append", items)
	op("append", append(items[:3:3], "new", "new")) // already there, and a repeat
	tags, _ := s.DeviceTags("AAAAA-00001", "h")
	l := tags["L"].([]string)
	if len(l) != n+1 || l[0] != "v0" || l[n-1] != "v"+strconv.Itoa(n-1) || l[n] != "new" {
		t.Fatalf("list has %d items (%q … %q), want %d deduplicated in order", len(l), l[0], l[len(l)-1], n+1)
	}
	op("remove", items[1:])
	tags, _ = s.DeviceTags("AAAAA-00001", "h")
	if got := tags["L"].([]string); !slices.Equal(got, []string{"v0", "new"}) {
		t.Fatalf("after remove: %q", got)
	}
}

func TestSetTagsRemoveTakesOneOccurrencePerValue(t *testing.T) {
	s := state.New(accounts())
	s.SetTags("AAAAA-00001", "h", map[string]any{"L": []any{"a", "b", "a", "a"}}, now)
	s.SetTags("AAAAA-00001", "h", map[string]any{"L": map[string]any{"operation": "remove", "value": []any{"a", "a", "z"}}}, now)
	tags, _ := s.DeviceTags("AAAAA-00001", "h")
	if got := tags["L"].([]string); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatalf("after remove: %q, want [b a]", got)
	}
}
