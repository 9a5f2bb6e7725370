package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/cilium/ebpf"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/cpu"
	"ringbench/internal/hist"
	"ringbench/internal/perfcount"
	"ringbench/internal/window"
	"ringbench/loadgen"
	"ringbench/modes"
	"ringbench/schema"
)

// ErrInterrupted is returned when the run's context is cancelled before the
// measured window ends; nothing of that run is reported.
var ErrInterrupted = errors.New("interrupted")

// drainLimit bounds how long a consumer may take to drain after the load
// stopped before the run is declared broken: a mode that cannot drain
// would otherwise hang the harness.
const drainLimit = 30 * time.Second

// Outcome is one repetition's result and how the producer was attached.
type Outcome struct {
	Run     Run
	Attach  bpf.AttachMethod
	Refused map[bpf.AttachMethod]string
	// The window's distributions, for .hgrm/.hlog output and plots.
	Latency, GCPauses *hdrhistogram.Histogram
}

// RunScenario runs one repetition of a resolved scenario.
//
// The load generator is a process of its own (the traced workload), started
// first so that the producer program filters on its tgid; back to back, the
// consumer thread triggers instead. Instrumentation that has a cost of its
// own (BPF run-time statistics, the syscall counter) is switched on before
// the warm-up ends. The window's edges are planned at the start and shared
// by every process: the load generator stops by itself at the window's end.
func RunScenario(ctx context.Context, params Params) (_ Outcome, err error) {
	online, err := cpu.Online()
	if err != nil {
		return Outcome{}, err
	}
	spec, err := Compile(params, online)
	if err != nil {
		return Outcome{}, err
	}
	p := spec.Params
	if p.GOMAXPROCS > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(p.GOMAXPROCS))
	}
	var lg *loadgen.Process
	if !p.B2B {
		if lg, err = loadgen.StartProcess(loadgen.Spec{Rate: p.Rate, Batch: p.Batch, CPUs: p.ProducerCPUs}, os.Stderr); err != nil {
			return Outcome{}, err
		}
		defer lg.Kill()
	}
	loadgenPID := 0
	if lg != nil {
		loadgenPID = lg.Pid()
	}
	// Every possible CPU gets a sequence tracker, and with ringbuf-sharded
	// its group a ring.
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return Outcome{}, err
	}
	prod, err := bpf.Load(bpf.Options{
		Transport: spec.Transport, UseOutput: p.Output, Wakeup: spec.Wakeup, Batch: p.Batch,
		Payload: p.Payload, RingBytes: p.RingBytes, Hash: spec.Hash, Tgid: loadgenPID, NoTimestamps: p.NoLatency,
		ShardCPUs: p.CPUsPerRing, Shards: bpf.ShardCount(ncpu, max(p.CPUsPerRing, 1)),
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("load producer: %w", err)
	}
	defer prod.Close()
	stats := enableBPFStats(prod.Program())
	defer stats.close()
	sc := startSyscallCounting(p)
	defer sc.close()
	watch := startSchedWatch(loadgenPID, stats)
	defer watch.close()

	win := window.New()
	bd := startBreakdown(p)
	defer bd.close()
	if bd.err != nil {
		return Outcome{}, fmt.Errorf("latency breakdown: %w", bd.err)
	}
	recOpts := modes.RecorderOptions{Clock: spec.Clock, NoTimestamps: p.NoLatency, Trace: bd.trace}
	recCost := modes.RecorderCostOf(p.Mode, recorderCostTime, p.Payload, recOpts)
	rec := modes.NewRecorder(ncpu, win, recOpts)
	setup := setupOf(spec, online)
	setup.Ring, setup.Shards = prod.Ring(), prod.Shards()
	var inline *loadgen.Inline
	if p.B2B {
		inline = loadgen.NewInline(win, nil)
		setup.Trigger, setup.Triggered = inline.Trigger, inline.Add
	}
	var cons modes.Consumer
	if p.Consumers > 1 {
		cons, err = modes.Split(p.Mode, splitSetups(setup, p))
	} else {
		cons, err = modes.New(p.Mode, setup)
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("start %s consumer: %w", p.Mode, err)
	}
	defer cons.Close()

	consCtx, stopConsumer := context.WithCancel(context.Background())
	defer stopConsumer()
	consDone := make(chan error, 1)
	// The Go runtime counts small allocations per cached span when the span
	// is handed back (a refill or a GC), not one by one: a GC inside the
	// window would charge it set-up allocations made before it. Collecting
	// now, before any load, leaves no cached span with uncounted objects.
	runtime.GC()
	go func() { consDone <- cons.Run(consCtx, rec) }()

	start := clock.Now()
	plan := loadgen.Plan{Start: start, Open: start + int64(seconds(p.WarmupS))}
	plan.Close = plan.Open + int64(seconds(p.DurationS))
	win.Open(plan.Open)
	win.Close(plan.Close)
	// abort stops everything in order and waits, so that Close runs on an
	// idle consumer and nothing is left running.
	abort := func(cause error) (Outcome, error) {
		if lg != nil {
			lg.Kill()
		}
		stopConsumer()
		select {
		case <-consDone:
		case <-time.After(drainLimit):
		}
		return Outcome{}, cause
	}
	if lg != nil {
		if err := lg.Begin(plan); err != nil {
			return abort(err)
		}
	}
	sleepUntil := func(t int64) error {
		timer := time.NewTimer(time.Duration(t - clock.Now()))
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return ErrInterrupted
		case err := <-consDone:
			consDone <- err // abort waits for it again
			return fmt.Errorf("consumer stopped early: %w", err)
		case <-timer.C:
			return nil
		}
	}

	if err := sleepUntil(plan.Open); err != nil {
		return abort(err)
	}
	openLate := clock.Now() - plan.Open
	// The time-based figures are sampled at the window's edges, nested:
	// what costs more (map reads, /proc files, allocations) outside, the
	// Go runtime's figures innermost, so that the window holds as little
	// of the sampling as it can. The event-based ones (the producer's
	// counters and run time) are read again once the load has stopped.
	perf := perfcount.Open(rec.Thread())
	defer perf.Close()
	before, err := prod.Counters()
	if err != nil {
		return abort(err)
	}
	usageBefore, usageErrBefore := stats.read()
	watchBefore, watchUseBefore, watchUseErrBefore := watch.edge()
	bd.edge(0)
	sc.mark()
	osBefore := readOS(rec.Thread(), loadgenPID)
	perf.Start()
	goBefore := ReadGo()
	if err := sleepUntil(plan.Close); err != nil {
		return abort(err)
	}
	closeLate := clock.Now() - plan.Close
	goAfter := ReadGo()
	perfReadings := perf.Stop()
	osAfter := readOS(rec.Thread(), loadgenPID)
	sc.mark()
	watchAfter, watchUseAfter, watchUseErrAfter := watch.edge()
	bd.edge(1)

	var load loadgen.Result
	if lg != nil {
		if load, err = lg.Wait(loadgenStopLimit); err != nil {
			return abort(err)
		}
	}
	after, err := prod.Counters()
	if err != nil {
		return abort(err)
	}
	usageAfter, usageErrAfter := stats.read()
	// The producer program runs inside the trigger syscall, so once the
	// load generator has stopped (or, back to back, the consumer stops
	// triggering) no event can appear any more: what the consumer drains
	// now is everything.
	stopConsumer()
	stopAsked := clock.Now()
	var stopNs int64
	select {
	case err := <-consDone:
		stopNs = clock.Now() - stopAsked
		if err != nil {
			return Outcome{}, fmt.Errorf("%s consumer: %w", p.Mode, err)
		}
	case <-time.After(drainLimit):
		return Outcome{}, fmt.Errorf("%s consumer did not finish draining within %v", p.Mode, drainLimit)
	}
	final, err := prod.Counters()
	if err != nil {
		return Outcome{}, err
	}
	topology := schema.TopologyProcess
	if inline != nil {
		load, topology = inline.Result(), schema.TopologyB2B
	}

	inWindow := after.Sub(before)
	got := readRecorder(rec)
	run := buildRun(p, got, load, final, inWindow, win.Seconds())
	usage, usageErr := between(usageBefore, usageAfter, usageErrBefore, usageErrAfter)
	fillBPF(&run, usage, usageErr, inWindow.Total())
	if p.Hashmap != "none" {
		w := inWindow.Total()
		run.Producer.HashInserts, run.Producer.HashFailures, run.Producer.HashMisses = &w.HashInserts, &w.HashFail, &w.HashMiss
	} else {
		markUnmeasured(run.Unsupported, "producer", []string{"hash_inserts", "hash_update_failures", "hash_misses"}, "no flow table (hashmap none)")
	}
	fillOS(&run, osBefore, osAfter, got.counts.Measured, load.WindowTriggers, plan.Close-plan.Open)
	var watchRun *bpfUsage
	if u, err := between(watchUseBefore, watchUseAfter, watchUseErrBefore, watchUseErrAfter); err == nil {
		watchRun = &u
	}
	fillInterference(&run, osBefore, osAfter, watchBefore, watchAfter, watchRun,
		scenarioCPUs(p, online), plan.Close-plan.Open, got.counts.Measured)
	goDelta := DeltaGo(goBefore, goAfter)
	fillGo(&run, goDelta, got.counts.Measured)
	fillPerf(&run, perfReadings, got.counts.Measured)
	fillMemory(&run, prod, p)
	sc.fill(&run, rec.Thread(), got.counts.Measured)
	run.Producer.Attach = string(prod.Attach)
	run.Producer.Topology, run.Producer.LoadgenPID = topology, loadgenPID
	run.Consumer.StopNs, run.Consumer.OpenLateNs, run.Consumer.CloseLateNs = stopNs, openLate, closeLate
	if stretched(run.Consumer) {
		run.Flags = append(run.Flags, schema.FlagPhaseStretched)
	}
	fillHarness(&run, p, got.counts, recCost)
	if err := bd.fill(&run, p, rec.Thread(), got.counts.Measured); err != nil {
		return Outcome{}, err
	}
	run.Checks = checks(p, run, got.counts)
	return Outcome{Run: run, Attach: prod.Attach, Refused: prod.Refused,
		Latency: got.latency, GCPauses: HistToHDR(goDelta.GCPauses)}, nil
}

// loadgenStopLimit bounds how long after the window's end the load
// generator may take to stop and report.
const loadgenStopLimit = 10 * time.Second

// recorderCostTime is how long a scenario measures its Recorder's cost,
// before the warm-up.
const recorderCostTime = 20 * time.Millisecond

// fillHarness says how latency was timed and what ringbench itself added to
// each event: the Recorder at this run's clock readings per event, and the
// syscall counter.
func fillHarness(r *Run, p Params, c modes.RecorderCounts, cost modes.RecorderCost) {
	r.Consumer.LatencyClock = p.LatencyClock
	if p.NoLatency {
		r.Consumer.LatencyClock = "none"
	}
	r.Consumer.Restamps = c.Restamps
	r.Consumer.RecorderPassNs, r.Consumer.RecorderEventNs, r.Consumer.RecorderSingleNs = &cost.PassNs, &cost.EventNs, &cost.SingleNs
	r.Consumer.ClockReadsPerEvent = ratio(float64(c.ClockReads), c.Consumed)
	if c.Consumed == 0 {
		why := "no event consumed"
		r.Unsupported["consumer.clock_reads_per_event"], r.Unsupported["consumer.harness_ns_per_event"] = why, why
		return
	}
	// The events that came a pass at a time cost EventNs each, the others
	// SingleNs: the Recorder counted which were which.
	batched := min(float64(c.Batched)/float64(c.Consumed), 1)
	perEvent := batched*cost.EventNs + (1-batched)*cost.SingleNs
	reads := *r.Consumer.ClockReadsPerEvent
	h := perEvent + reads*max(cost.PassNs-perEvent, 0)
	if s := r.Syscalls; s != nil && s.CounterNsPerEvent != nil {
		h += *s.CounterNsPerEvent
	}
	r.Consumer.HarnessNsPerEvent = &h
}

// setupOf translates the scenario into what the mode needs.
func setupOf(spec Spec, online []int) modes.Setup {
	p := spec.Params
	s := spec.Knobs // the mode's own knobs, as it applied them
	s.Transport, s.RingBytes, s.Wakeup, s.CPU = spec.Transport, p.RingBytes, spec.Wakeup, p.ConsumerCPU
	s.CPUs, s.Payload, s.Commit, s.Delivery = online, p.Payload, spec.Commit, spec.Delivery
	s.Work, s.PollTimeout = spec.Work, spec.PollTimeout
	if !p.Pin {
		s.CPU = -1
	}
	return s
}

// splitSetups deals the rings to the consumers round robin (perf's CPUs,
// ringbuf-sharded's shards), each consumer on a CPU of its own.
func splitSetups(s modes.Setup, p Params) []modes.Setup {
	out := make([]modes.Setup, p.Consumers)
	for i := range out {
		out[i] = s
		out[i].CPUs, out[i].Shards = nil, nil
		if s.CPU >= 0 {
			out[i].CPU = p.ConsumerCPUs[i]
		}
	}
	for j, c := range s.CPUs {
		out[j%len(out)].CPUs = append(out[j%len(out)].CPUs, c)
	}
	for j, r := range s.Shards {
		out[j%len(out)].Shards = append(out[j%len(out)].Shards, r)
	}
	return out
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// recorded is what a Recorder holds once its goroutine has stopped, read
// once: its counts are derived and its histogram is built on each read.
type recorded struct {
	counts  modes.RecorderCounts
	seqs    []modes.SeqStats
	latency *hdrhistogram.Histogram
}

func readRecorder(rec *modes.Recorder) recorded {
	return recorded{counts: rec.Counts(), seqs: rec.Sequences(), latency: rec.Latency()}
}

func buildRun(p Params, got recorded, load loadgen.Result, total, inWindow bpf.Counters, windowS float64) Run {
	tot, win := total.Total(), inWindow.Total()
	rc := got.counts
	r := Run{Unsupported: map[string]string{}}
	r.Events = Events{
		Emitted: tot.Emitted, Consumed: rc.Consumed, Dropped: tot.Dropped, Lost: rc.Lost,
		Negative: rc.Negative, Malformed: rc.Malformed, Triggers: tot.Triggers,
		WindowEmitted: win.Emitted, WindowDropped: win.Dropped, WindowConsumed: rc.Measured,
	}
	seqs := map[int]modes.SeqStats{}
	for _, s := range got.seqs {
		seqs[s.CPU] = s
		r.Events.Duplicates += s.Duplicates
		r.Events.OutOfOrder += s.OutOfOrder
		r.Events.Holes += s.Holes
	}
	for c, k := range total {
		s, ok := seqs[c]
		if k.Emitted == 0 && !ok {
			continue
		}
		r.PerCPU = append(r.PerCPU, CPUAccount{
			CPU: c, Emitted: k.Emitted, Dropped: k.Dropped, Received: s.Unique,
			Holes: s.Holes, Duplicates: s.Duplicates, OutOfOrder: s.OutOfOrder,
		})
	}

	if windowS > 0 {
		r.Throughput = Throughput{
			WindowS:      windowS,
			OfferedEPS:   float64(p.Rate),
			AchievedEPS:  float64(load.WindowTriggers) * float64(p.Batch) / windowS,
			ConsumedEPS:  float64(rc.Measured) / windowS,
			ConsumedMBPS: float64(rc.MeasuredBytes) / windowS / 1e6,
			DroppedEPS:   float64(win.Dropped) / windowS,
		}
	}
	r.LatencyNs = latencyOf(got.latency)
	if p.NoLatency {
		r.Unsupported["latency_ns"] = "the events carry no timestamp (latency=false): sequences and accounting only"
	} else if r.LatencyNs.Count == 0 {
		r.Unsupported["latency_ns"] = "no event emitted in the window was consumed"
	}

	r.Producer = ProducerMetrics{PacingInterval: load.Interval}
	if load.Syscall.TotalCount() > 0 {
		r.Producer.TriggerP50Ns = q(load.Syscall, 50)
		r.Producer.TriggerP99Ns = q(load.Syscall, 99)
		r.Producer.TriggerP999Ns = q(load.Syscall, 99.9)
	}
	if load.Lag.TotalCount() > 0 {
		r.Producer.LagP50Ns = q(load.Lag, 50)
		r.Producer.LagP99Ns = q(load.Lag, 99)
		m := load.Lag.Max()
		r.Producer.LagMaxNs = &m
	} else if p.Rate == 0 {
		r.Unsupported["producer.lag"] = "no schedule to lag behind: back to back (rate max or b2b)"
	}

	r.Producer.LoadgenTriggers = load.Triggers
	r.Flags = flags(p, r)
	return r
}

// fillBPF turns the window's program run time into per-event figures.
func fillBPF(r *Run, u bpfUsage, err error, win bpf.CPUCounters) {
	if err != nil {
		r.Unsupported["producer.bpf_ns_per_event"] = "BPF run-time statistics unavailable: " + err.Error()
		return
	}
	ns := float64(u.RuntimeNs)
	r.Producer.BPFRuns = &u.Runs
	r.Producer.BPFNsPerRun = ratio(ns, u.Runs)
	r.Producer.BPFNsPerTrigger = ratio(ns, win.Triggers)
	r.Producer.BPFNsPerEvent = ratio(ns, win.Emitted)
}

func q(h *hdrhistogram.Histogram, pct float64) *int64 {
	v := h.ValueAtQuantile(pct)
	return &v
}

func latencyOf(h *hdrhistogram.Histogram) Latency {
	l := Latency{Count: h.TotalCount()}
	if l.Count == 0 {
		return l
	}
	mean, sd := h.Mean(), h.StdDev()
	minV, maxV := h.Min(), h.Max()
	l.Min = &minV
	l.P50, l.P90, l.P99 = q(h, 50), q(h, 90), q(h, 99)
	l.P999, l.P9999 = q(h, 99.9), q(h, 99.99)
	l.Max, l.Mean, l.Stddev = &maxV, &mean, &sd
	return l
}

func flags(p Params, r Run) []string {
	var fs []string
	if p.Rate > 0 && r.Throughput.AchievedEPS < float64(p.Rate)*(1-schema.RateMissTolerance) {
		fs = append(fs, schema.FlagRateMissed)
	}
	if r.Producer.LagP99Ns != nil && *r.Producer.LagP99Ns > schema.LagFlagNs {
		fs = append(fs, schema.FlagScheduleLag)
	}
	return fs
}

// stretched says a window edge was sampled, or the drain ended, more than
// the tolerance late.
func stretched(c schema.ConsumerFacts) bool {
	return max(c.OpenLateNs, c.CloseLateNs, c.StopNs) > schema.PhaseToleranceNs
}

// checks are the invariants every run must satisfy; a run that breaks one
// is reported, and the command fails.
func checks(p Params, r Run, c modes.RecorderCounts) []Check {
	e := r.Events
	cs := []Check{
		{Name: "accounting", OK: e.Emitted == e.Consumed+e.Dropped,
			Detail: fmt.Sprintf("emitted %d = consumed %d + dropped %d", e.Emitted, e.Consumed, e.Dropped)},
		{Name: "no_duplicates", OK: e.Duplicates == 0, Detail: fmt.Sprintf("%d duplicates", e.Duplicates)},
		{Name: "in_order", OK: e.OutOfOrder == 0, Detail: fmt.Sprintf("%d events out of order within their CPU", e.OutOfOrder)},
		{Name: "no_negative_latency", OK: e.Negative == 0, Detail: fmt.Sprintf("%d events read before their timestamp", e.Negative)},
		{Name: "well_formed", OK: e.Malformed == 0 && c.TooSlow == 0,
			Detail: fmt.Sprintf("%d malformed records, %d latencies beyond %d s", e.Malformed, c.TooSlow, hist.MaxNs/1_000_000_000)},
	}
	perCPU := Check{Name: "per_cpu_sequences", OK: true, Detail: "every CPU: emitted − received = dropped"}
	for _, c := range r.PerCPU {
		if c.Emitted-c.Received != c.Dropped || c.Received > c.Emitted {
			perCPU.OK = false
			perCPU.Detail = fmt.Sprintf("CPU %d: emitted %d, received %d distinct, dropped %d", c.CPU, c.Emitted, c.Received, c.Dropped)
			break
		}
	}
	cs = append(cs, perCPU)
	cs = append(cs, Check{Name: "triggers_match", OK: e.Triggers == r.Producer.LoadgenTriggers,
		Detail: fmt.Sprintf("the producer program ran for %d triggers of the %s, which issued %d", e.Triggers, r.Producer.Topology, r.Producer.LoadgenTriggers)})
	if p.Transport == string(bpf.Perfbuf) {
		// A LOST record is written only when a later output finds room, so
		// the last drops of a run may never be announced: lost ≤ dropped.
		cs = append(cs, Check{Name: "perf_lost_le_dropped", OK: e.Lost <= e.Dropped,
			Detail: fmt.Sprintf("PERF_RECORD_LOST announced %d, producer counted %d dropped", e.Lost, e.Dropped)})
	}
	return cs
}
