package bench

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"ringbench/bpf"
	"ringbench/schema"
)

// procStatTickNs is /proc/stat's unit, USER_HZ (100 on every Linux ABI):
// the kernel keeps these times in ns but prints them in 10 ms steps.
const procStatTickNs = 10_000_000

// How Run.Interference's foreign time is measured: by the scheduler watch
// when it could be attached, else from /proc/stat alone.
const (
	InterferenceMethodWatch = "per CPU, the time tasks outside ringbench's processes (the consumer's and the load generator's) " +
		"ran, charged at every context switch by a BPF program on sched_switch (bpf/sched.bpf.c), exact to the ns; " +
		"/proc/stat's busy time less that and ringbench's CPU clocks is the kernel time no task was charged for (untasked_ns)"
	InterferenceMethodProcStat = "per CPU, the window's wall time minus /proc/stat's idle, iowait and steal (printed in 10 ms steps) " +
		"less the consumer process's and the load generator's CPU clocks; this also counts the interrupts a CPU takes " +
		"while idle, which ringbench's own wakeups cause, so it overstates others' work"
)

// cpuStat is one CPU's /proc/stat times that are not running work, in ns.
type cpuStat struct {
	idle, iowait, steal int64
}

// parseProcStat reads the per-CPU lines of /proc/stat ("cpuN user nice
// system idle iowait irq softirq steal …", in USER_HZ ticks).
func parseProcStat(b []byte) (map[int]cpuStat, error) {
	out := map[int]cpuStat{}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		f := strings.Fields(s.Text())
		if len(f) == 0 || !strings.HasPrefix(f[0], "cpu") || f[0] == "cpu" {
			continue
		}
		cpu, err := strconv.Atoi(f[0][3:])
		if err != nil || len(f) < 9 {
			return nil, fmt.Errorf("/proc/stat: malformed line %q", s.Text())
		}
		var v [3]int64
		for i, col := range []int{4, 5, 8} { // idle, iowait, steal
			if v[i], err = strconv.ParseInt(f[col], 10, 64); err != nil {
				return nil, fmt.Errorf("/proc/stat: %s column %d: %w", f[0], col, err)
			}
		}
		out[cpu] = cpuStat{idle: v[0] * procStatTickNs, iowait: v[1] * procStatTickNs, steal: v[2] * procStatTickNs}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("/proc/stat: no per-CPU line")
	}
	return out, s.Err()
}

func readProcStat() (map[int]cpuStat, error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return nil, err
	}
	return parseProcStat(b)
}

// parseRunDelay reads a task's schedstat ("run_ns run_delay_ns slices"):
// the time it spent runnable, waiting for a CPU.
func parseRunDelay(b []byte) (int64, error) {
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0, fmt.Errorf("schedstat %q: want three fields", strings.TrimSpace(string(b)))
	}
	return strconv.ParseInt(f[1], 10, 64)
}

// scenarioCPUs are the CPUs a scenario's threads are confined to: the
// producers' and, when pinned, the consumer's; every online CPU when the
// consumer may run anywhere.
func scenarioCPUs(p Params, online []int) []int {
	if !p.Pin {
		return slices.Clone(online)
	}
	cpus := append(slices.Clone(p.ProducerCPUs), p.AllConsumerCPUs()...)
	slices.Sort(cpus)
	return slices.Compact(cpus)
}

// interferenceEdge is what fillInterference needs from one window edge
// besides the OS sample: the scheduler watch's foreign time per CPU (nil
// without the watch).
type interferenceEdge struct {
	foreign    []int64
	mismatches uint64
	tasks      map[int]bpf.ForeignTask
	err        error
}

// fillInterference says how much CPU time others took on the scenario's
// CPUs in the window, and flags the repetition when that is more than
// schema.InterferenceLimit of it (beyond /proc/stat's resolution when that is all
// there is). watchRun is the watch program's own run time in the window.
func fillInterference(r *Run, a, b osSample, wa, wb interferenceEdge, watchRun *bpfUsage, cpus []int, windowNs int64, events uint64) {
	const field = "interference"
	if a.err != nil || b.err != nil || a.cpus == nil || b.cpus == nil {
		why := "could not read /proc/stat or the CPU clocks at both edges"
		if err := firstErr(a.err, b.err, a.cpusErr, b.cpusErr); err != nil {
			why += ": " + err.Error()
		}
		r.Unsupported[field] = why
		return
	}
	span := b.at - a.at
	if span <= 0 || windowNs <= 0 {
		r.Unsupported[field] = "the window's edges were not sampled in order"
		return
	}
	var busy, steal, watched int64
	watch := wa.err == nil && wb.err == nil && wa.foreign != nil && wb.foreign != nil
	for _, c := range cpus {
		x, okA := a.cpus[c]
		y, okB := b.cpus[c]
		if !okA || !okB {
			r.Unsupported[field] = fmt.Sprintf("/proc/stat has no line for CPU %d", c)
			return
		}
		idle := (y.idle - x.idle) + (y.iowait - x.iowait)
		busy += span - idle - (y.steal - x.steal)
		steal += y.steal - x.steal
		if watch && c < len(wa.foreign) && c < len(wb.foreign) {
			watched += wb.foreign[c] - wa.foreign[c]
		}
	}
	own := b.cpuNs - a.cpuNs
	if a.loadgenNs != nil && b.loadgenNs != nil {
		own += *b.loadgenNs - *a.loadgenNs
	}
	// Times over the samples' span, scaled to the window as the OS figures
	// are; each of the three /proc/stat columns read twice is off by under
	// a tick.
	scale := float64(windowNs) / float64(span)
	capacity := float64(windowNs) * float64(len(cpus))
	resolution := float64(3 * procStatTickNs * len(cpus))
	stealW := float64(steal) * scale
	in := &Interference{CPUs: cpus, StealNs: &stealW, ResolutionNs: &resolution}
	var foreign, margin float64
	if watch {
		in.Method = InterferenceMethodWatch
		foreign = float64(watched) * scale
		untasked := float64(busy-own-watched) * scale
		in.UntaskedNs = &untasked
		in.Others = topForeign(wa.tasks, wb.tasks, scale)
		in.WatchMissedSwitches = wb.mismatches - wa.mismatches
		if watchRun != nil {
			in.WatchNsPerEvent = ratio(float64(watchRun.RuntimeNs)*scale, events)
			in.WatchNsPerSwitch = ratio(float64(watchRun.RuntimeNs), watchRun.Runs)
			in.WatchSwitches = watchRun.Runs
		}
	} else {
		in.Method = InterferenceMethodProcStat
		foreign, margin = float64(busy-own)*scale, resolution
		why := "no scheduler watch"
		if err := firstErr(wa.err, wb.err); err != nil {
			why += ": " + err.Error()
		}
		r.Unsupported[field+".untasked_ns"] = why
	}
	if in.WatchNsPerEvent == nil {
		why := "no scheduler watch, or no BPF run-time statistics for it"
		if events == 0 {
			why = "no event consumed"
		}
		r.Unsupported[field+".watch_ns_per_event"], r.Unsupported[field+".watch_ns_per_switch"] = why, why
	}
	share := foreign / capacity
	in.ForeignCPUNs, in.ForeignShare = &foreign, &share
	if a.consumer != nil && b.consumer != nil && a.consumer.runDelayNs >= 0 && b.consumer.runDelayNs >= 0 {
		d := float64(b.consumer.runDelayNs-a.consumer.runDelayNs) * scale
		in.ConsumerRunDelayNs = &d
	} else {
		r.Unsupported[field+".consumer_run_delay_ns"] = "no locked consumer thread, or no schedstat for it (CONFIG_SCHED_INFO)"
	}
	in.Flagged = foreign-margin > schema.InterferenceLimit*capacity
	if in.Flagged {
		r.Flags = append(r.Flags, schema.FlagInterference)
	}
	r.Interference = in
}

// schedWatching is a scenario's scheduler watch, attached before the
// warm-up like the other BPF instruments, with its program's run time.
type schedWatching struct {
	w     *bpf.SchedWatch
	err   error
	stats *bpfStats
}

// startSchedWatch attaches the watch with this process and the load
// generator (0: none) as ringbench's own; stats, already enabled for the
// producer, time its program too.
func startSchedWatch(loadgenPID int, stats *bpfStats) *schedWatching {
	s := &schedWatching{}
	if s.w, s.err = bpf.StartSchedWatch([2]uint32{uint32(os.Getpid()), uint32(loadgenPID)}); s.err == nil {
		s.stats = &bpfStats{prog: s.w.Program(), err: stats.err}
	}
	return s
}

// edge reads the watch at a window edge: foreign time per CPU and its
// program's run time so far.
func (s *schedWatching) edge() (interferenceEdge, bpfUsage, error) {
	if s.err != nil {
		return interferenceEdge{err: s.err}, bpfUsage{}, s.err
	}
	f, mis, err := s.w.Foreign()
	tasks, terr := s.w.ForeignTasks()
	u, uerr := s.stats.read()
	return interferenceEdge{foreign: f, mismatches: mis, tasks: tasks, err: firstErr(err, terr)}, u, uerr
}

func (s *schedWatching) close() {
	if s.w != nil {
		s.w.Close()
	}
}

// topForeign are the three processes whose foreign time grew most between
// the edges, busiest first.
func topForeign(a, b map[int]bpf.ForeignTask, scale float64) []schema.ForeignProcess {
	var out []schema.ForeignProcess
	for pid, t := range b {
		if d := t.Ns - a[pid].Ns; d > 0 {
			out = append(out, schema.ForeignProcess{PID: pid, Comm: t.Comm, CPUNs: float64(d) * scale})
		}
	}
	slices.SortFunc(out, func(x, y schema.ForeignProcess) int { return cmp.Compare(y.CPUNs, x.CPUNs) })
	return out[:min(len(out), 3)]
}
