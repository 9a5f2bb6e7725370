package bench

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/cilium/ebpf"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/cpu"
	"ringbench/internal/hist"
	"ringbench/internal/window"
	"ringbench/loadgen"
	"ringbench/modes"
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
func RunScenario(ctx context.Context, p Params) (_ Outcome, err error) {
	tr := bpf.Transport(p.Transport)
	wake, err := bpf.ParseWakeup(tr, p.Wakeup)
	if err != nil {
		return Outcome{}, err
	}
	if p.GOMAXPROCS > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(p.GOMAXPROCS))
	}
	hash, err := p.hash()
	if err != nil {
		return Outcome{}, err
	}
	prod, err := bpf.Load(bpf.Options{
		Transport: tr, UseOutput: p.Output, Wakeup: wake, Batch: p.Batch,
		Payload: p.Payload, RingBytes: p.RingBytes, Hash: hash,
	})
	if err != nil {
		return Outcome{}, fmt.Errorf("load producer: %w", err)
	}
	defer prod.Close()

	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return Outcome{}, err
	}
	online, err := cpu.Online()
	if err != nil {
		return Outcome{}, err
	}
	win := window.New()
	rec := modes.NewRecorder(ncpu, win)

	setup, err := p.setup(tr, wake, online)
	if err != nil {
		return Outcome{}, err
	}
	setup.Ring = prod.Ring()
	var inline *loadgen.Inline
	if p.B2B {
		inline = loadgen.NewInline(win, nil)
		setup.Trigger = inline.Trigger
	}
	cons, err := modes.New(p.Mode, setup)
	if err != nil {
		return Outcome{}, fmt.Errorf("start %s consumer: %w", p.Mode, err)
	}
	defer cons.Close()

	consCtx, stopConsumer := context.WithCancel(context.Background())
	defer stopConsumer()
	consDone := make(chan error, 1)
	go func() { consDone <- cons.Run(consCtx, rec) }()

	loadCtx, stopLoad := context.WithCancel(context.Background())
	defer stopLoad()
	type loadResult struct {
		r   loadgen.Result
		err error
	}
	loadDone := make(chan loadResult, 1)
	producerTIDs := &tidSet{}
	go func() {
		if p.B2B { // the consumer triggers; its figures are read after it stops
			<-loadCtx.Done()
			loadDone <- loadResult{}
			return
		}
		r, err := loadgen.Run(loadCtx, loadgen.Config{Rate: p.Rate, Batch: p.Batch, CPUs: p.ProducerCPUs, Window: win,
			OnThread: producerTIDs.add})
		loadDone <- loadResult{r, err}
	}()

	// abort stops everything in order and waits, so that Close runs on an
	// idle consumer and nothing is left running.
	abort := func(cause error) (Outcome, error) {
		stopLoad()
		<-loadDone
		stopConsumer()
		select {
		case <-consDone:
		case <-time.After(drainLimit):
		}
		return Outcome{}, cause
	}
	sleep := func(d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ErrInterrupted
		case err := <-consDone:
			consDone <- err // abort waits for it again
			return fmt.Errorf("consumer stopped early: %w", err)
		case <-t.C:
			return nil
		}
	}

	if err := sleep(seconds(p.WarmupS)); err != nil {
		return abort(err)
	}
	// Window edges and counter snapshots are taken back to back, in the
	// same order at both ends, so a delay of this goroutine between them
	// (it shares the CPUs with pinned producers) shifts both edges alike.
	counter, counterErr := bpf.StartSyscallCounter(0)
	if counterErr == nil {
		defer counter.Close()
	}
	perf := openThreadCounters(rec.Thread())
	defer perf.close()
	osBefore := readOS(producerTIDs.list(), rec.Thread())
	goBefore := ReadGo()
	perf.start()
	win.Open(clock.Now())
	before, err := prod.Counters()
	if err != nil {
		return abort(err)
	}
	stats := startBPFStats(prod.Program())
	defer stats.close()
	if err := sleep(seconds(p.DurationS)); err != nil {
		return abort(err)
	}
	win.Close(clock.Now())
	after, err := prod.Counters()
	if err != nil {
		return abort(err)
	}
	usage, usageErr := stats.stop()
	perfReadings := perf.stop()
	goAfter := ReadGo()
	osAfter := readOS(producerTIDs.list(), rec.Thread())
	var counts bpf.SyscallCounts
	if counterErr == nil {
		counts, counterErr = counter.Stop()
	}

	stopLoad()
	load := <-loadDone
	if load.err != nil {
		return abort(fmt.Errorf("load generator: %w", load.err))
	}
	// The producer program runs inside the trigger syscall, so once the
	// load generator has returned no event can appear any more: what the
	// consumer drains now is everything.
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
	if inline != nil {
		load.r = inline.Result()
	}

	inWindow := after.Sub(before)
	run := buildRun(p, rec, load.r, final, inWindow, win.Seconds())
	fillBPF(&run, usage, usageErr, inWindow.Total())
	if p.Hashmap != "none" {
		w := inWindow.Total()
		run.Producer.HashInserts, run.Producer.HashFailures, run.Producer.HashMisses = &w.HashInserts, &w.HashFail, &w.HashMiss
	}
	fillOS(&run, osBefore, osAfter, rec.Measured)
	goDelta := DeltaGo(goBefore, goAfter)
	fillGo(&run, goDelta, rec.Measured)
	fillPerf(&run, perfReadings, rec.Measured)
	fillMemory(&run, prod, p)
	if counterErr != nil {
		run.Unsupported["os.syscalls_per_event"] = counterErr.Error()
	} else {
		fillSyscalls(&run, counts, string(counter.Attach), producerTIDs.list(), rec.Thread(), rec.Measured)
	}
	run.Producer.Attach = string(prod.Attach)
	run.Consumer.StopNs = stopNs
	return Outcome{Run: run, Attach: prod.Attach, Refused: prod.Refused,
		Latency: rec.Latency(), GCPauses: HistToHDR(goDelta.GCPauses)}, nil
}

// tidSet collects the producer threads as they start.
type tidSet struct {
	mu   sync.Mutex
	tids []int
}

func (s *tidSet) add(tid int) {
	s.mu.Lock()
	s.tids = append(s.tids, tid)
	s.mu.Unlock()
}

func (s *tidSet) list() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.tids...)
}

// setup translates the scenario into what the mode needs.
func (p Params) setup(tr bpf.Transport, wake bpf.Wakeup, online []int) (modes.Setup, error) {
	s := modes.Setup{Transport: tr, RingBytes: p.RingBytes, Wakeup: wake, CPU: p.ConsumerCPU,
		CPUs: online, Payload: p.Payload, Wait: p.Wait}
	if !p.Pin {
		s.CPU = -1
	}
	var err error
	if s.Delivery, err = modes.ParseDelivery(p.Delivery); err != nil {
		return s, err
	}
	if s.Work, err = modes.ParseWork(p.Work); err != nil {
		return s, err
	}
	if p.Backoff != "" {
		if s.Backoff, err = modes.ParseBackoff(p.Backoff); err != nil {
			return s, err
		}
	}
	s.PollTimeout, err = time.ParseDuration(p.PollTimeout)
	return s, err
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func buildRun(p Params, rec *modes.Recorder, load loadgen.Result, total, inWindow bpf.Counters, windowS float64) Run {
	tot, win := total.Total(), inWindow.Total()
	r := Run{Unsupported: map[string]string{}}
	r.Events = Events{
		Emitted: tot.Emitted, Consumed: rec.Consumed, Dropped: tot.Dropped, Lost: rec.Lost,
		Negative: rec.Negative, Malformed: rec.Malformed, Triggers: tot.Triggers,
		WindowEmitted: win.Emitted, WindowDropped: win.Dropped, WindowConsumed: rec.Measured,
	}
	seqs := map[int]modes.SeqStats{}
	for _, s := range rec.Sequences() {
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
			ConsumedEPS:  float64(rec.Measured) / windowS,
			ConsumedMBPS: float64(rec.MeasuredBytes) / windowS / 1e6,
			DroppedEPS:   float64(win.Dropped) / windowS,
		}
	}
	r.LatencyNs = latencyOf(rec.Latency(), rec.MinLatency)

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

	r.Checks = checks(p, r, rec)
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

func latencyOf(h *hdrhistogram.Histogram, minimum int64) Latency {
	l := Latency{Count: h.TotalCount()}
	if l.Count == 0 {
		return l
	}
	mean, sd := h.Mean(), h.StdDev()
	maxV := h.Max()
	l.Min = &minimum
	l.P50, l.P90, l.P99 = q(h, 50), q(h, 90), q(h, 99)
	l.P999, l.P9999 = q(h, 99.9), q(h, 99.99)
	l.Max, l.Mean, l.Stddev = &maxV, &mean, &sd
	return l
}

// Thresholds past which a repetition is flagged as not having offered the
// load it claims: it is kept and reported, never dropped.
const (
	RateMissTolerance = 0.05
	LagFlagNs         = 1_000_000
)

// The flags a repetition can carry (Run.Flags); readers such as report
// name them through these.
const (
	FlagRateMissed  = "offered-rate-missed"
	FlagScheduleLag = "schedule-lag-p99-over-1ms" // the name states LagFlagNs
)

func flags(p Params, r Run) []string {
	var fs []string
	if p.Rate > 0 && r.Throughput.AchievedEPS < float64(p.Rate)*(1-RateMissTolerance) {
		fs = append(fs, FlagRateMissed)
	}
	if r.Producer.LagP99Ns != nil && *r.Producer.LagP99Ns > LagFlagNs {
		fs = append(fs, FlagScheduleLag)
	}
	return fs
}

// checks are the invariants every run must satisfy; a run that breaks one
// is reported, and the command fails.
func checks(p Params, r Run, rec *modes.Recorder) []Check {
	e := r.Events
	cs := []Check{
		{Name: "accounting", OK: e.Emitted == e.Consumed+e.Dropped,
			Detail: fmt.Sprintf("emitted %d = consumed %d + dropped %d", e.Emitted, e.Consumed, e.Dropped)},
		{Name: "no_duplicates", OK: e.Duplicates == 0, Detail: fmt.Sprintf("%d duplicates", e.Duplicates)},
		{Name: "in_order", OK: e.OutOfOrder == 0, Detail: fmt.Sprintf("%d events out of order within their CPU", e.OutOfOrder)},
		{Name: "no_negative_latency", OK: e.Negative == 0, Detail: fmt.Sprintf("%d events read before their timestamp", e.Negative)},
		{Name: "well_formed", OK: e.Malformed == 0 && rec.TooSlow == 0,
			Detail: fmt.Sprintf("%d malformed records, %d latencies beyond %d s", e.Malformed, rec.TooSlow, hist.MaxNs/1_000_000_000)},
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
	if p.Transport == string(bpf.Perfbuf) {
		// A LOST record is written only when a later output finds room, so
		// the last drops of a run may never be announced: lost ≤ dropped.
		cs = append(cs, Check{Name: "perf_lost_le_dropped", OK: e.Lost <= e.Dropped,
			Detail: fmt.Sprintf("PERF_RECORD_LOST announced %d, producer counted %d dropped", e.Lost, e.Dropped)})
	}
	return cs
}
