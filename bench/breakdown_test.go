package bench

import (
	"testing"

	"ringbench/bpf"
	"ringbench/internal/testutil"
	"ringbench/modes"
)

// The matching from a synthetic stream: waits without a read, reads
// without a wait of their own, several records per wakeup, another
// thread's waits, and the phases of each split event adding up to its
// latency.
func TestMatchBreakdown(t *testing.T) {
	waits := []bpf.Wait{
		{TID: 7, Wake: 1_000, OnCPU: 1_200, Return: 1_500}, // nothing read after it before the next
		{TID: 7, Wake: 5_000, OnCPU: 5_400, Return: 6_000},
		{TID: 9, Wake: 6_100, OnCPU: 6_150, Return: 6_200}, // another thread: ignored for tid 7
		{TID: 7, Wake: 9_000, OnCPU: 9_100, Return: 9_300},
	}
	reads := []modes.TracedRead{
		{Emit: 100, Read: 500},     // before any wait returned
		{Emit: 4_000, Read: 7_000}, // woke the thread at 5_000
		{Emit: 4_500, Read: 7_000}, // same wakeup, same pass
		{Emit: 5_500, Read: 7_100}, // emitted while the thread was awake
		{Emit: 8_000, Read: 9_500},
	}
	b := matchBreakdown(waits, reads, 7)
	if b.Reads != 5 || b.Matched != 3 || b.AlreadyAwake != 1 || b.NoWait != 1 || b.Waits != 3 {
		t.Fatalf("counts %+v", b)
	}
	// Phases of the three split events: wakeup 1000, 500, 1000; run queue
	// 400, 400, 100; syscall exit 600, 600, 200; read 1000, 1000, 200.
	ph := b.Phases
	for _, c := range []struct {
		name string
		got  BreakdownPhase
		mean float64
		max  int64
	}{
		{"wakeup", ph.Wakeup, 2500.0 / 3, 1000},
		{"run queue", ph.RunQueue, 900.0 / 3, 400},
		{"syscall exit", ph.SyscallExit, 1400.0 / 3, 600},
		{"read", ph.Read, 2200.0 / 3, 1000},
	} {
		if d := c.got.MeanNs - c.mean; d > 1 || d < -1 || c.got.P99Ns < c.max-1 || c.got.P99Ns > c.max+1 {
			t.Errorf("%s: %+v, want mean %.1f, p99 %d", c.name, c.got, c.mean, c.max)
		}
	}
	// The median event (latency 2500, the p50) is the second.
	if m := b.AtMedian; m == nil || m.Events != 1 || m.WakeupNs != 500 || m.RunQueueNs != 400 || m.SyscallExitNs != 600 || m.ReadNs != 1000 {
		t.Errorf("median event %+v, want 500 + 400 + 600 + 1000", m)
	}
	// Each split event's phases add up to its latency: the means add up to
	// the latency's mean.
	sum := ph.Wakeup.MeanNs + ph.RunQueue.MeanNs + ph.SyscallExit.MeanNs + ph.Read.MeanNs
	if b.Latency == nil || sum-b.Latency.MeanNs > 1 || b.Latency.MeanNs-sum > 1 {
		t.Errorf("phase means add up to %.1f, latency mean %v", sum, b.Latency)
	}
	// Any thread (netpoll, where the thread that waits is not the one that
	// reads): thread 9's wait is the last to return before 7_000 and
	// 7_100, and it was woken after all three events were emitted.
	if any := matchBreakdown(waits, reads, 0); any.Waits != 4 || any.Matched != 4 || any.AlreadyAwake != 0 {
		t.Errorf("any thread: %+v", any)
	}
	// No wait at all: nothing split, nothing made up.
	if none := matchBreakdown(nil, reads, 7); none.Matched != 0 || none.NoWait != 5 || none.Latency != nil {
		t.Errorf("no waits: %+v", none)
	}
}

// On epoll at 10k ev/s the median event's phases add up to within 20% of
// the latency's p50 (the phases' own p50s fall short of it: the median of a
// sum is not the sum of the medians), and nearly every event is read after
// a wakeup of its own.
func TestBreakdownEpoll(t *testing.T) {
	testutil.RequireBPF(t)
	// runChecked also holds the run to leaving nothing loaded or mapped.
	run := runChecked(t, scenario(t, func(p *Params) {
		p.Mode, p.Rate, p.Breakdown, p.DurationS = "epoll", 10_000, true, 1.5
	}))
	b := run.Breakdown
	if b == nil || b.Latency == nil || b.AtMedian == nil || run.LatencyNs.P50 == nil {
		t.Fatalf("no breakdown: %+v (unsupported: %v)", b, run.Unsupported)
	}
	if b.Matched < b.Reads*8/10 || b.WaitsLost+b.TraceOverrun != 0 || b.CostNsPerEvent == nil {
		t.Errorf("matched %d of %d, lost %d, overrun %d, cost %v", b.Matched, b.Reads, b.WaitsLost, b.TraceOverrun, deref(b.CostNsPerEvent))
	}
	m := b.AtMedian
	sum := m.WakeupNs + m.RunQueueNs + m.SyscallExitNs + m.ReadNs
	p50 := float64(*run.LatencyNs.P50)
	t.Logf("median event (%d): %.0f + %.0f + %.0f + %.0f = %.0f ns; latency p50 %.0f ns; phase p50s %d, %d, %d, %d",
		m.Events, m.WakeupNs, m.RunQueueNs, m.SyscallExitNs, m.ReadNs, sum, p50,
		b.Phases.Wakeup.P50Ns, b.Phases.RunQueue.P50Ns, b.Phases.SyscallExit.P50Ns, b.Phases.Read.P50Ns)
	if r := sum / p50; r < 0.8 || r > 1.2 {
		t.Errorf("the median event's phases add up to %.2f of the latency p50, want within 20%%", r)
	}
}
