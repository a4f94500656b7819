package lifecycle_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator/catalog"
	"github.com/pwemu/pwemu/emulator/internal/lifecycle"
	"github.com/pwemu/pwemu/scenarios"
)

func share(f float64) *float64 { return &f }

// Of the Email openers, the clicked share gets Email Link Clicked one delay after the
// opening, each on a link of the message; push targets and emails without links
// never click.
func TestEmailLinkClicks(t *testing.T) {
	e, clk, rec := newEngine(7, scenarios.Lifecycle{Delivered: share(1), Opened: share(0.5), Clicked: share(0.5),
		Delay: scenarios.Duration(time.Minute)})
	var targets []lifecycle.Target
	for i := range 20 {
		targets = append(targets, lifecycle.Target{HWID: fmt.Sprintf("e%d@x.example", i), Platform: "Email"})
	}
	links := []string{"https://a.example/", "https://b.example/"}
	e.Message(lifecycle.Message{Code: "EMAIL", Targets: targets, Links: links})
	e.Message(lifecycle.Message{Code: "NOLINKS", Targets: targets})
	e.Message(lifecycle.Message{Code: "PUSH", Targets: []lifecycle.Target{{HWID: "p", Platform: "iOS"}}, Links: links})
	clk.Advance(2*time.Minute + 59*time.Second)
	if n := rec.byName()[catalog.EventEmailLinkClicked]; n != 0 {
		t.Fatalf("%d clicks before their delay", n)
	}
	clk.Advance(time.Second)
	got := rec.byName()
	// 20 delivered, 10 opened, 5 of them click, on the one message with links.
	if got[catalog.EventEmailOpened] != 20 || got[catalog.EventEmailLinkClicked] != 5 {
		t.Fatalf("events by name: %v", got)
	}
	opened := map[string]bool{}
	for _, ev := range rec.all() {
		if ev.EventName == catalog.EventEmailOpened && ev.MessageCode == "EMAIL" {
			opened[ev.HWID] = true
		}
	}
	for _, ev := range rec.all() {
		if ev.EventName != catalog.EventEmailLinkClicked {
			continue
		}
		if ev.MessageCode != "EMAIL" || !opened[ev.HWID] || (ev.Link != links[0] && ev.Link != links[1]) ||
			ev.Timestamp != clk.Now().Unix() {
			t.Errorf("click %+v", ev)
		}
	}
	if e.Pending() != 0 {
		t.Errorf("%d messages still pending", e.Pending())
	}
}

func TestClickedIsAShare(t *testing.T) {
	for _, v := range []float64{-0.1, 1.5} {
		err := (&scenarios.Scenario{Lifecycle: scenarios.Lifecycle{Clicked: share(v)}}).Validate()
		if err == nil {
			t.Errorf("clicked %v accepted", v)
		}
	}
}
