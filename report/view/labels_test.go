package view

import (
	"strings"
	"testing"

	"ringbench/schema"
)

func scenario(transport, mode, wait, wakeup string, rate uint64) schema.Scenario {
	p := schema.Defaults()
	p.Transport, p.Mode, p.Wait, p.Wakeup, p.Rate = transport, mode, wait, wakeup, rate
	return schema.Scenario{ID: p.ID(), Params: p}
}

func TestNaturalWakeups(t *testing.T) {
	polling := []string{"spin", "c-mmap-spin"}
	for _, tc := range []struct {
		transport, mode, wait, wakeup string
		natural, wasted               bool
	}{
		{"ringbuf", "spin", "", "none", true, false},
		{"ringbuf", "spin", "", "adaptive", false, true},
		{"perfbuf", "spin", "", "wakeup_events=1", false, true},
		{"perfbuf", "spin", "", "wakeup_events=1000000", true, false},
		{"ringbuf", "c-mmap", "spin", "none", true, false},
		{"ringbuf", "c-mmap", "epoll", "none", false, false},
		{"ringbuf", "epoll", "thread", "adaptive", true, false},
		{"ringbuf-sharded", "epoll", "thread", "sampled:64", true, false},
		{"ringbuf", "epoll", "thread", "forced", false, false},
		{"perfbuf", "reader", "", "wakeup_events=64", true, false},
		{"perfbuf", "reader", "", "wakeup_events=16", false, false},
	} {
		p := scenario(tc.transport, tc.mode, tc.wait, tc.wakeup, 1000).Params
		if got := Natural(p, polling); got != tc.natural {
			t.Errorf("%s %s %s: natural %v, want %v", tc.transport, ModeLabel(p), tc.wakeup, got, tc.natural)
		}
		if got := WastedWakeups(p, polling); got != tc.wasted {
			t.Errorf("%s %s %s: wasted %v, want %v", tc.transport, ModeLabel(p), tc.wakeup, got, tc.wasted)
		}
	}
}

// The base sweep takes each mode at its natural policies, named in its
// lines; a mode the run never gave one is swept as it ran.
func TestBaseSweepNatural(t *testing.T) {
	var ss []schema.Scenario
	for _, rate := range []uint64{10_000, 100_000} {
		ss = append(ss,
			scenario("ringbuf", "spin", "", "none", rate),
			scenario("ringbuf", "spin", "", "adaptive", rate),
			scenario("ringbuf", "epoll", "thread", "adaptive", rate),
			scenario("ringbuf", "epoll", "thread", "sampled:64", rate),
			scenario("ringbuf", "epoll", "thread", "forced", rate),
			scenario("ringbuf", "reader", "", "forced", rate))
	}
	variant, sweep := BaseSweep(ss, "ringbuf", []string{"spin"})
	if strings.Contains(variant, "wakeup") {
		t.Errorf("variant %q names a wakeup", variant)
	}
	var lines []string
	for _, s := range sweep {
		if s.Params.Rate == 10_000 {
			lines = append(lines, LineLabel(s.Params))
		}
	}
	want := "spin · none, epoll-thread · adaptive, epoll-thread · sampled:64, reader · forced"
	if got := strings.Join(lines, ", "); got != want {
		t.Errorf("lines %q, want %q", got, want)
	}
	if len(sweep) != 8 {
		t.Errorf("%d scenarios in the sweep, want 8", len(sweep))
	}
}
