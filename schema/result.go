package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
)

// Schema versions run.json; bump it when a core key is renamed or dropped.
const Schema = "ringbench/v1"

// Result is run.json.
type Result struct {
	Schema string `json:"schema"`
	Env    Env    `json:"env"`
	// Matrix says how the scenarios were chosen; absent for ringbench run.
	Matrix    *MatrixInfo `json:"matrix,omitempty"`
	Scenarios []Scenario  `json:"scenarios"`
}

// MatrixInfo records a matrix run: what was asked for and how far it got.
type MatrixInfo struct {
	Preset string `json:"preset,omitempty"`
	File   string `json:"file,omitempty"`
	Filter string `json:"filter,omitempty"`
	// Emulated is the matrix's emulated form when it ran in that form
	// (ringbench matrix --emulated, in a TCG guest): its filter and windows.
	Emulated string `json:"emulated,omitempty"`
	Planned  int    `json:"planned"` // scenarios after filtering, skipped ones included
	// Interrupted is set when the run was stopped (SIGINT, SIGTERM) before
	// every planned scenario finished; Scenarios holds the finished ones.
	Interrupted bool `json:"interrupted,omitempty"`
}

// Scenario is one matrix point with its repetitions.
type Scenario struct {
	ID     string `json:"id"`
	Params Params `json:"params"`
	// Skipped says why this machine or kernel cannot run the scenario; a
	// skipped scenario has no runs.
	Skipped string          `json:"skipped,omitempty"`
	Runs    []Run           `json:"runs"`
	Summary map[string]Stat `json:"summary"`
	// Hgrm names the scenario's histogram files in the run folder: .hgrm of
	// the distributions merged over its completed repetitions ("latency",
	// "gc_pauses"; none for an empty one) and the .hlog with one interval
	// per repetition ("latency_hlog").
	Hgrm map[string]string `json:"hgrm,omitempty"`
}

// Run is one repetition. Figures this version cannot measure, or this
// machine cannot give, are null (nil pointers) and named in Unsupported with
// the reason; they are never 0.
type Run struct {
	// Error says why this repetition did not complete (a failed, crashed
	// or hung child); its figures are then absent and it is left out of
	// the summary.
	Error      string          `json:"error,omitempty"`
	StderrTail string          `json:"stderr_tail,omitempty"`
	Flags      []string        `json:"flags,omitempty"`
	Events     Events          `json:"events"`
	Throughput Throughput      `json:"throughput"`
	LatencyNs  Latency         `json:"latency_ns"`
	Go         GoMetrics       `json:"go"`
	OS         OSMetrics       `json:"os"`
	Producer   ProducerMetrics `json:"producer"`
	Consumer   ConsumerFacts   `json:"consumer"`
	Syscalls   *Syscalls       `json:"syscalls"`
	Memory     Memory          `json:"memory"`
	Perf       PerfCounters    `json:"perf"`
	PerCPU     []CPUAccount    `json:"per_cpu"`
	// Interference is what else ran on the scenario's CPUs in the window;
	// null, with the reason, where /proc/stat cannot say.
	Interference *Interference `json:"interference"`
	// Breakdown splits the latency of sleeping modes into phases; null
	// unless asked for (--breakdown).
	Breakdown   *Breakdown        `json:"breakdown"`
	Checks      []Check           `json:"checks"`
	Unsupported map[string]string `json:"unsupported,omitempty"`
}

// Events is the accounting of the whole run (warm-up and drain included):
// emitted = consumed + dropped must hold exactly.
type Events struct {
	Emitted    uint64 `json:"emitted"`
	Consumed   uint64 `json:"consumed"`
	Dropped    uint64 `json:"dropped"`
	Lost       uint64 `json:"lost"` // perf PERF_RECORD_LOST total, a cross-check of dropped
	OutOfOrder uint64 `json:"out_of_order"`
	Duplicates uint64 `json:"duplicates"`
	Holes      uint64 `json:"holes"` // sequence numbers never received below the highest seen
	Negative   uint64 `json:"negative_latency"`
	Malformed  uint64 `json:"malformed"`
	Triggers   uint64 `json:"triggers"`
	// The measured window alone.
	WindowEmitted  uint64 `json:"window_emitted"`
	WindowDropped  uint64 `json:"window_dropped"`
	WindowConsumed uint64 `json:"window_consumed"` // events emitted in the window and consumed
}

// Throughput is over the measured window.
type Throughput struct {
	WindowS      float64 `json:"window_s"`
	OfferedEPS   float64 `json:"offered_eps"` // 0 when back to back
	AchievedEPS  float64 `json:"achieved_eps"`
	ConsumedEPS  float64 `json:"consumed_eps"`
	ConsumedMBPS float64 `json:"consumed_mbps"`
	DroppedEPS   float64 `json:"dropped_eps"`
}

// Latency is the window's event latency distribution; all null when no event
// was measured.
type Latency struct {
	Count  int64    `json:"count"`
	Min    *int64   `json:"min"`
	P50    *int64   `json:"p50"`
	P90    *int64   `json:"p90"`
	P99    *int64   `json:"p99"`
	P999   *int64   `json:"p999"`
	P9999  *int64   `json:"p9999"`
	Max    *int64   `json:"max"`
	Mean   *float64 `json:"mean"`
	Stddev *float64 `json:"stddev"`
}

// GoMetrics are Go runtime deltas over the window (runtime/metrics). GC
// pause figures come from the runtime's bucketed distribution: p99 and max
// are bucket upper bounds and the total is an estimate from bucket
// midpoints; they are null when no pause happened in the window.
type GoMetrics struct {
	GCCycles            *float64 `json:"gc_cycles"`
	GCPauses            *float64 `json:"gc_pauses"`
	GCPauseP99Ns        *float64 `json:"gc_pause_p99_ns"`
	GCPauseMaxNs        *float64 `json:"gc_pause_max_ns"`
	GCPauseTotalNs      *float64 `json:"gc_pause_total_ns"`
	AllocBytesPerEvent  *float64 `json:"alloc_bytes_per_event"`
	AllocsPerEvent      *float64 `json:"allocs_per_event"`
	SchedEvents         *float64 `json:"sched_events"`
	SchedEventsPerEvent *float64 `json:"sched_events_per_event"`
	SchedLatencyP99Ns   *float64 `json:"sched_latency_p99_ns"`
	// SchedLatencyMaxNs is the longest a goroutine waited runnable for a
	// P in the window (the upper bound of its bucket).
	SchedLatencyMaxNs *float64 `json:"sched_latency_max_ns"`
	Goroutines        *float64 `json:"goroutines"`
	GOMAXPROCS        *float64 `json:"gomaxprocs"`
	GOGC              *float64 `json:"gogc"`
}

// PerfCounters are the reading thread's perf_event counters over the
// window, per event consumed in it. Hardware counters are null, with the
// reason under unsupported, on machines without them (most VMs); never 0.
type PerfCounters struct {
	CyclesPerEvent          *float64 `json:"cycles_per_event"`
	InstructionsPerEvent    *float64 `json:"instructions_per_event"`
	IPC                     *float64 `json:"ipc"`
	CacheReferencesPerEvent *float64 `json:"cache_references_per_event"`
	CacheMissesPerEvent     *float64 `json:"cache_misses_per_event"`
	LLCMissesPerEvent       *float64 `json:"llc_misses_per_event"`
	TaskClockNsPerEvent     *float64 `json:"task_clock_ns_per_event"`
	ContextSwitches         *float64 `json:"context_switches"`
	PageFaults              *float64 `json:"page_faults"`
	CPUMigrations           *float64 `json:"cpu_migrations"`
}

// Memory is what the BPF side holds: each map's memlock as the kernel
// charges it (/proc/self/fdinfo), and for perf the per-CPU rings the
// consumer maps (/proc/self/maps), which the kernel charges to the user's
// locked memory instead of to a map.
type Memory struct {
	MapMemlock    map[string]uint64 `json:"map_memlock"`
	PerfRingBytes *uint64           `json:"perf_ring_bytes"`
}

// OSMetrics are the consumer's operating-system costs over the window.
type OSMetrics struct {
	// CPU of the consumer side: the process minus the producer threads.
	CPUNsPerEvent     *float64 `json:"cpu_ns_per_event"`
	CPUUserNsPerEvent *float64 `json:"cpu_user_ns_per_event"`
	CPUSysNsPerEvent  *float64 `json:"cpu_sys_ns_per_event"`
	CPUMethod         string   `json:"cpu_method,omitempty"`
	// Process-wide counts over the window.
	VoluntaryCtxSwitches   *float64 `json:"voluntary_ctx_switches"`
	InvoluntaryCtxSwitches *float64 `json:"involuntary_ctx_switches"`
	MinorFaults            *float64 `json:"minor_faults"`
	MajorFaults            *float64 `json:"major_faults"`
	MaxRSSKB               *float64 `json:"max_rss_kb"`
	// The reading thread alone, when the mode locks one.
	ConsumerThreadCPUNsPerEvent    *float64 `json:"consumer_thread_cpu_ns_per_event"`
	ConsumerVoluntaryCtxSwitches   *float64 `json:"consumer_voluntary_ctx_switches"`
	ConsumerInvoluntaryCtxSwitches *float64 `json:"consumer_involuntary_ctx_switches"`
	// Syscalls of every thread but the producers, per event (counted by
	// ringbench's own BPF program; see Run.Syscalls), and of the reading
	// thread alone.
	SyscallsPerEvent               *float64 `json:"syscalls_per_event"`
	ConsumerThreadSyscallsPerEvent *float64 `json:"consumer_thread_syscalls_per_event"`
}

// ProducerMetrics are what producing costs the traced workload.
type ProducerMetrics struct {
	Attach string `json:"attach"`
	// Topology is where the triggers come from: TopologyProcess (the load
	// generator, a process of its own: the traced workload) or TopologyB2B
	// (the consumer thread itself, back to back).
	Topology string `json:"topology"`
	// LoadgenPID is the load generator's process, whose tgid the producer
	// program filters on; 0 back to back.
	LoadgenPID int `json:"loadgen_pid,omitempty"`
	// LoadgenTriggers is what the load generator says it issued over the
	// whole run; the producer program's own count must equal it.
	LoadgenTriggers uint64 `json:"loadgen_triggers"`
	// LoadgenCPUNsPerTrigger is the load generator process's CPU time over
	// the window (its CPU clock) per trigger it issued in it: pacing, the
	// trigger syscall, and the producer program and the wakeups it runs.
	LoadgenCPUNsPerTrigger *float64 `json:"loadgen_cpu_ns_per_trigger"`
	BPFNsPerEvent          *float64 `json:"bpf_ns_per_event"`
	// BPF run time per trigger, per program run, and the runs: with the
	// tracepoint attach methods the program runs on every syscall of the
	// machine and filters, so runs exceed triggers and that filtering is
	// part of the cost per event.
	BPFNsPerTrigger *float64 `json:"bpf_ns_per_trigger"`
	BPFNsPerRun     *float64 `json:"bpf_ns_per_run"`
	BPFRuns         *uint64  `json:"bpf_runs"`
	TriggerP50Ns    *int64   `json:"trigger_p50_ns"`
	TriggerP99Ns    *int64   `json:"trigger_p99_ns"`
	TriggerP999Ns   *int64   `json:"trigger_p999_ns"`
	LagP50Ns        *int64   `json:"lag_p50_ns"`
	LagP99Ns        *int64   `json:"lag_p99_ns"`
	LagMaxNs        *int64   `json:"lag_max_ns"`
	PacingInterval  int64    `json:"pacing_interval_ns"` // 0 when back to back
	// The flow table over the window (null without one): inserts, inserts
	// the kernel refused (map full, or no memory), updates that found no
	// flow.
	HashInserts  *uint64 `json:"hash_inserts"`
	HashFailures *uint64 `json:"hash_update_failures"`
	HashMisses   *uint64 `json:"hash_misses"`
}

// Where the triggers come from (ProducerMetrics.Topology).
const (
	TopologyProcess = "loadgen-process"
	TopologyB2B     = "consumer-thread-b2b"
)

// ConsumerFacts are how the consumer behaved as a piece of software.
type ConsumerFacts struct {
	// LatencyClock is when the consumer's clock is read (modes.LatencyClock):
	// "per-drain" or "per-event"; "none" when the events carry no timestamp.
	LatencyClock string `json:"latency_clock"`
	// ClockReadsPerEvent is how many clock readings the recorder took per
	// event consumed, and Restamps how many events were newer than their
	// pass's reading and were timed against a fresh one.
	ClockReadsPerEvent *float64 `json:"clock_reads_per_event"`
	Restamps           uint64   `json:"restamps"`
	// The Recorder's cost, measured in the scenario's process before the
	// warm-up (modes.MeasureRecorderCost): a pass of one event, clock
	// reading included, and each event of a long pass, handed over all at
	// once (the mmap modes' drains, channel batches) or one at a time (the
	// reader mode's library, commit per record, synthetic work).
	RecorderPassNs   *float64 `json:"recorder_pass_ns"`
	RecorderEventNs  *float64 `json:"recorder_event_ns"`
	RecorderSingleNs *float64 `json:"recorder_single_ns"`
	// HarnessNsPerEvent is what ringbench added to each event consumed in
	// this run, as far as it can tell: the Recorder at this run's clock
	// readings per event, plus the syscall counter's cost per event. It is
	// part of os.cpu_ns_per_event.
	HarnessNsPerEvent *float64 `json:"harness_ns_per_event"`
	// StopNs is from cancelling the consumer (after the load stopped) to
	// its Run returning: the final drain plus noticing the cancellation.
	StopNs int64 `json:"stop_ns"`
	// OpenLateNs and CloseLateNs are how long after the window's planned
	// edges the runner sampled them: a main goroutine kept from its CPU
	// stretches what the time-based figures cover (FlagPhaseStretched).
	OpenLateNs  int64 `json:"open_late_ns,omitempty"`
	CloseLateNs int64 `json:"close_late_ns,omitempty"`
}

// Interference is the CPU time others took on the scenario's CPUs during
// the window (see InterferenceMethod), all of it scaled to the window.
type Interference struct {
	CPUs   []int  `json:"cpus"`
	Method string `json:"method"` // InterferenceMethodWatch or InterferenceMethodProcStat
	// ForeignCPUNs is the CPU time that ran on those CPUs and was not
	// ringbench's. From /proc/stat alone it can be slightly negative,
	// within ResolutionNs.
	ForeignCPUNs *float64 `json:"foreign_cpu_ns"`
	// ForeignShare is ForeignCPUNs over the window's CPU time on those
	// CPUs (window × CPUs).
	ForeignShare *float64 `json:"foreign_share"`
	// UntaskedNs is /proc/stat's busy time on those CPUs less every task's
	// run time: kernel work charged to no task, mostly interrupts taken
	// while a CPU idles (on a VM, the wakeups' IPIs). ±ResolutionNs.
	UntaskedNs *float64 `json:"untasked_ns"`
	// ResolutionNs bounds the error of what /proc/stat enters into: its
	// 10 ms step, for three columns, on each CPU.
	ResolutionNs *float64 `json:"resolution_ns"`
	// StealNs is the time the hypervisor ran something else on those
	// CPUs (0 on bare metal, and where the hypervisor does not report it).
	StealNs *float64 `json:"steal_ns"`
	// ConsumerRunDelayNs is the time the locked consumer thread spent
	// runnable, waiting for its CPU (its schedstat run_delay): exact, and
	// whoever made it wait.
	ConsumerRunDelayNs *float64 `json:"consumer_run_delay_ns"`
	// The scheduler watch's own cost: its program's run time in the
	// window per event consumed, and per context switch it saw (on every
	// CPU: it runs on each switch of the machine).
	WatchNsPerEvent  *float64 `json:"watch_ns_per_event"`
	WatchNsPerSwitch *float64 `json:"watch_ns_per_switch"`
	// WatchMissedSwitches counts switches whose outgoing task was not the
	// one the watch saw come on (a switch it did not see): those slices
	// are not charged, so foreign time is a lower bound when it is not 0.
	WatchMissedSwitches uint64 `json:"watch_missed_switches"`
	// WatchSwitches are the context switches the watch saw in the window,
	// on every CPU (its program's runs).
	WatchSwitches uint64 `json:"watch_switches"`
	// Others are the processes that took the most of the foreign time, in
	// slices that ended in the window, busiest first (at most three).
	Others []ForeignProcess `json:"others,omitempty"`
	// Flagged: foreign time exceeded InterferenceLimit of the window's CPU
	// time (beyond ResolutionNs when measured from /proc/stat alone); the
	// run carries FlagInterference.
	Flagged bool `json:"flagged"`
}

// ForeignProcess is a process other than ringbench's and the CPU time it
// took in the window.
type ForeignProcess struct {
	PID   int     `json:"pid"`
	Comm  string  `json:"comm"`
	CPUNs float64 `json:"cpu_ns"`
}

// Breakdown is where the latency of events read after a wait went (see
// BreakdownMethod), for the events of the window.
type Breakdown struct {
	Method string `json:"method"`
	// Reads is the window's events traced; Matched were emitted before the
	// consumer's last wakeup ahead of their read, and are split; the others
	// were emitted while it was already awake (AlreadyAwake) or read
	// before any wait returned (NoWait).
	Reads        uint64 `json:"reads"`
	Matched      uint64 `json:"matched"`
	AlreadyAwake uint64 `json:"already_awake"`
	NoWait       uint64 `json:"no_wait"`
	// Waits that slept, waits that found data ready, and the log's and the
	// trace's losses (both 0 in a sound run).
	Waits        uint64 `json:"waits"`
	NoSleepWaits uint64 `json:"no_sleep_waits"`
	WaitsLost    uint64 `json:"waits_lost"`
	TraceOverrun uint64 `json:"trace_overrun"`
	// Phases in order; each event's four add up to its latency, whose
	// distribution over the matched events is Latency.
	Phases  BreakdownPhases `json:"phases"`
	Latency *BreakdownPhase `json:"latency"`
	// AtMedian splits the median event: each phase's mean over the events
	// whose latency is within 5% of the p50. Unlike the phases' own p50s,
	// these add up to the latency's p50.
	AtMedian *BreakdownAtMedian `json:"at_median"`
	// CostNsPerEvent is the breakdown programs' run time in the window per
	// event consumed (they run on every syscall and context switch of the
	// machine, and filter); its Recorder path is in harness_ns_per_event.
	CostNsPerEvent *float64 `json:"cost_ns_per_event"`
}

// AtMedianShare is how close to the latency's p50 an event must be for
// the breakdown's median event (at_median) to average it: within 5% of it.
const AtMedianShare = 0.05

// BreakdownPhases are the latency's four phases, emission to read.
type BreakdownPhases struct {
	Wakeup      BreakdownPhase `json:"wakeup"`       // emission → the consumer thread is woken
	RunQueue    BreakdownPhase `json:"run_queue"`    // woken → on a CPU
	SyscallExit BreakdownPhase `json:"syscall_exit"` // on a CPU → the wait syscall returns to user space
	Read        BreakdownPhase `json:"read"`         // → the record is read (netpoller, goroutine scheduling, draining)
}

// BreakdownAtMedian is the median event's latency split into the phases.
type BreakdownAtMedian struct {
	Events        int     `json:"events"` // events within 5% of the p50, averaged
	WakeupNs      float64 `json:"wakeup_ns"`
	RunQueueNs    float64 `json:"run_queue_ns"`
	SyscallExitNs float64 `json:"syscall_exit_ns"`
	ReadNs        float64 `json:"read_ns"`
}

// BreakdownPhase is one phase's distribution over the matched events.
type BreakdownPhase struct {
	P50Ns  int64   `json:"p50_ns"`
	P90Ns  int64   `json:"p90_ns"`
	P99Ns  int64   `json:"p99_ns"`
	MeanNs float64 `json:"mean_ns"`
}

// CPUAccount is one producer CPU's accounting: emitted − received = dropped.
type CPUAccount struct {
	CPU        int    `json:"cpu"`
	Emitted    uint64 `json:"emitted"`
	Dropped    uint64 `json:"dropped"`
	Received   uint64 `json:"received"`
	Holes      uint64 `json:"holes"`
	Duplicates uint64 `json:"duplicates"`
	OutOfOrder uint64 `json:"out_of_order"`
}

// Check is one invariant of a run and whether it held.
type Check struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// Incomplete reports whether this repetition did not complete.
func (r Run) Incomplete() bool { return r.Error != "" }

// Trusted reports whether this repetition's figures may be used: it
// completed and every invariant it checked held. A repetition that is not
// stays in run.json and is reported (verify, report.md's flags), but no
// statistic — summary, bench.txt, compare, claims — is computed from it.
func (r Run) Trusted() bool { return !r.Incomplete() && len(r.Failed()) == 0 }

// Failed lists the checks of r that did not hold.
func (r Run) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

// Stat summarises one metric over repetitions; Stddev is the sample
// standard deviation (n−1), null with fewer than two runs.
type Stat struct {
	Mean   float64  `json:"mean"`
	Stddev *float64 `json:"stddev"`
	Min    float64  `json:"min"`
	Max    float64  `json:"max"`
	N      int      `json:"n"`
}

// Summarize computes, for every numeric figure the completed repetitions
// share (its dotted JSON path: "latency_ns.p99", "go.allocs_per_event", …),
// mean, sample standard deviation, min, max and n. Repetitions that are
// not Trusted (incomplete, or with a failed check) and figures that are
// null in any of the others are left out.
func Summarize(runs []Run) map[string]Stat {
	series := map[string][]float64{}
	complete := 0
	for _, r := range runs {
		if !r.Trusted() {
			continue
		}
		complete++
		figures(r, func(path string, v any) {
			if x, ok := v.(float64); ok {
				series[path] = append(series[path], x)
			}
		})
	}
	out := map[string]Stat{}
	for k, xs := range series {
		if len(xs) == complete && complete > 0 {
			out[k] = stat(xs)
		}
	}
	return out
}

// Figures are one run's numeric figures by dotted path, as Summarize
// names them.
func Figures(run Run) map[string]float64 {
	out := map[string]float64{}
	figures(run, func(path string, v any) {
		if x, ok := v.(float64); ok {
			out[path] = x
		}
	})
	return out
}

// figures visits every leaf of r's JSON form outside arrays (per-CPU
// accounts, checks, top syscalls are per-run detail) by its dotted path:
// numbers, strings, booleans and nulls. Summarize and Unexplained read a
// run through it.
func figures(r Run, visit func(path string, v any)) {
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	var tree map[string]any
	if json.Unmarshal(b, &tree) != nil {
		return
	}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, sub := range x {
				if prefix != "" {
					k = prefix + "." + k
				}
				walk(k, sub)
			}
		case []any:
		default:
			visit(prefix, x)
		}
	}
	walk("", tree)
}

func stat(xs []float64) Stat {
	s := Stat{N: len(xs), Min: math.Inf(1), Max: math.Inf(-1)}
	var sum float64
	for _, x := range xs {
		sum += x
		s.Min, s.Max = math.Min(s.Min, x), math.Max(s.Max, x)
	}
	s.Mean = sum / float64(len(xs))
	if len(xs) > 1 {
		var ss float64
		for _, x := range xs {
			ss += (x - s.Mean) * (x - s.Mean)
		}
		sd := math.Sqrt(ss / float64(len(xs)-1))
		s.Stddev = &sd
	}
	return s
}

// WriteJSON writes v to path atomically: a temp file in the same folder,
// synced, then renamed, so readers see the old file or the new one.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, append(b, '\n'))
}

// WriteFileAtomic writes data to path through a temp file and a rename.
func WriteFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	// CreateTemp makes the file private; results are for everyone to read.
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// RunPath is path itself, or path/run.json when path is a run folder:
// every command that reads a run accepts either.
func RunPath(path string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return filepath.Join(path, "run.json")
	}
	return path
}

// ReadResult reads a run.json and checks its schema.
func ReadResult(path string) (*Result, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("%s: schema %q, this ringbench reads %q", path, r.Schema, Schema)
	}
	return &r, nil
}

// ReadClaims reads a claims.json as `ringbench claims --json` writes it; a
// missing file is no claims.
func ReadClaims(path string) ([]Claim, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cl []Claim
	if err := json.Unmarshal(b, &cl); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cl, nil
}
