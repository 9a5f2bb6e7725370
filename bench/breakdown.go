package bench

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/bpf"
	"ringbench/internal/hist"
	"ringbench/modes"
	"ringbench/schema"
)

// BreakdownMethod states how Run.Breakdown is measured.
const BreakdownMethod = "BPF programs on sys_enter/sys_exit, sched_wakeup and sched_switch record, for each epoll wait of " +
	"the consumer that slept, when its thread was last woken, came on a CPU and returned to user space; each event " +
	"emitted in the window and read after such a return is split at those times: emission → woken, woken → on CPU, " +
	"on CPU → syscall return, syscall return → read. The phases of one event add up to its latency. Events read " +
	"without a wait of their own (the consumer was awake when they were emitted) are counted, not split"

// traceLimit bounds a breakdown's trace of window events (16 bytes each).
const traceLimit = 4 << 20

// matchBreakdown splits each traced read at the last wait (of thread tid,
// or of any thread when tid is 0) that returned at or before it was read.
// waits need not be sorted; reads are in read order, as the Recorder
// keeps them.
func matchBreakdown(waits []bpf.Wait, reads []modes.TracedRead, tid int) *Breakdown {
	ws := make([]bpf.Wait, 0, len(waits))
	for _, w := range waits {
		if tid == 0 || w.TID == tid {
			ws = append(ws, w)
		}
	}
	sort.Slice(ws, func(i, j int) bool { return ws[i].Return < ws[j].Return })
	b := &Breakdown{Method: BreakdownMethod, Reads: uint64(len(reads)), Waits: uint64(len(ws))}
	hs := [4]*hdrhistogram.Histogram{}
	for i := range hs {
		hs[i] = hist.New()
	}
	total := hist.New()
	var split [][4]int64 // each split event's phases
	next := 0            // the first wait that returned after the current read
	for _, r := range reads {
		for next < len(ws) && ws[next].Return <= r.Read {
			next++
		}
		if next == 0 {
			b.NoWait++
			continue
		}
		w := ws[next-1]
		if r.Emit > w.Wake {
			b.AlreadyAwake++
			continue
		}
		b.Matched++
		phases := [4]int64{w.Wake - r.Emit, w.OnCPU - w.Wake, w.Return - w.OnCPU, r.Read - w.Return}
		for i, d := range phases {
			_ = hs[i].RecordValue(max(d, 1))
		}
		split = append(split, phases)
		_ = total.RecordValue(max(r.Read-r.Emit, 1))
	}
	if b.Matched == 0 {
		return b
	}
	ph := []*BreakdownPhase{&b.Phases.Wakeup, &b.Phases.RunQueue, &b.Phases.SyscallExit, &b.Phases.Read}
	for i, h := range hs {
		*ph[i] = phaseOf(h)
	}
	t := phaseOf(total)
	b.Latency = &t
	b.AtMedian = atMedian(split, t.P50Ns)
	return b
}

// atMedian splits the median event: the mean of each phase over the events
// whose latency is within schema.AtMedianShare of the p50. The phases' own p50s
// do not add up to the latency's (the median of a sum is not the sum of
// the medians; here they fall 5–25% short): these do, to within the band.
func atMedian(split [][4]int64, p50 int64) *schema.BreakdownAtMedian {
	var sum [4]float64
	n := 0
	for _, ph := range split {
		lat := ph[0] + ph[1] + ph[2] + ph[3]
		if d := float64(lat - p50); d <= schema.AtMedianShare*float64(p50) && -d <= schema.AtMedianShare*float64(p50) {
			for i, v := range ph {
				sum[i] += float64(v)
			}
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return &schema.BreakdownAtMedian{Events: n, WakeupNs: sum[0] / float64(n), RunQueueNs: sum[1] / float64(n),
		SyscallExitNs: sum[2] / float64(n), ReadNs: sum[3] / float64(n)}
}

func phaseOf(h *hdrhistogram.Histogram) BreakdownPhase {
	return BreakdownPhase{P50Ns: h.ValueAtQuantile(50), P90Ns: h.ValueAtQuantile(90),
		P99Ns: h.ValueAtQuantile(99), MeanNs: h.Mean()}
}

// breakdownRun is a scenario's breakdown while it runs: the programs, the
// Recorder's trace, and the programs' run time at the window's edges.
type breakdownRun struct {
	bd    *bpf.Breakdown
	trace *modes.ReadTrace
	err   error
	edges [2]bpfUsage
	stats error
}

// startBreakdown attaches the breakdown's programs for this process and
// sizes the trace for the window's events.
func startBreakdown(p Params) *breakdownRun {
	b := &breakdownRun{}
	if !p.Breakdown {
		return b
	}
	if b.bd, b.err = bpf.StartBreakdown(os.Getpid()); b.err != nil {
		return b
	}
	n := min(int(float64(p.Rate)*p.DurationS*1.25)+1024, traceLimit)
	b.trace = modes.NewReadTrace(n)
	return b
}

// edge reads the programs' run time at window edge i (0 open, 1 close).
func (b *breakdownRun) edge(i int) {
	if b.bd == nil {
		return
	}
	var u bpfUsage
	for _, prog := range b.bd.Programs() {
		s, err := prog.Stats()
		if err != nil {
			b.stats = err
			return
		}
		u.RuntimeNs += uint64(s.Runtime)
		u.Runs += s.RunCount
	}
	b.edges[i] = u
}

// fill stops the programs and writes the run's breakdown: the consumer's
// thread when it has one locked, every thread of the process else.
func (b *breakdownRun) fill(r *Run, p Params, tid int, events uint64) error {
	if !p.Breakdown {
		r.Unsupported["breakdown"] = "not asked for (--breakdown)"
		return nil
	}
	if b.err != nil {
		return fmt.Errorf("latency breakdown: %w", b.err)
	}
	waits, counts, err := b.bd.Stop()
	if err != nil {
		return fmt.Errorf("latency breakdown: %w", err)
	}
	bd := matchBreakdown(waits, b.trace.Reads, tid)
	bd.TraceOverrun, bd.WaitsLost, bd.NoSleepWaits = b.trace.Overrun, counts.Lost, counts.NoSleep
	if b.stats == nil {
		bd.CostNsPerEvent = ratio(float64(b.edges[1].RuntimeNs-b.edges[0].RuntimeNs), events)
	} else {
		r.Unsupported["breakdown.cost_ns_per_event"] = "BPF run-time statistics: " + b.stats.Error()
	}
	if bd.Latency == nil {
		r.Unsupported["breakdown.latency"] = "no event was read after a wait of its own"
		r.Unsupported["breakdown.phases"] = r.Unsupported["breakdown.latency"]
		r.Unsupported["breakdown.at_median"] = r.Unsupported["breakdown.latency"]
	}
	if bd.CostNsPerEvent == nil && events == 0 {
		r.Unsupported["breakdown.cost_ns_per_event"] = "no event consumed"
	}
	r.Breakdown = bd
	return nil
}

func (b *breakdownRun) close() {
	if b.bd != nil {
		b.bd.Close()
	}
}

// errBreakdownMode refuses a breakdown where nothing sleeps.
func errBreakdownMode(mode string) error {
	sleepers := modes.NamesWhere(func(m modes.Mode) bool { return m.Sleeps && !m.InC })
	return fmt.Errorf("breakdown applies to the modes that sleep in a wait (%s), at a paced rate (mode is %s)",
		strings.Join(sleepers, ", "), mode)
}
