package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"ringbench/internal/clock"
)

// CPU clocks (include/linux/posix-timers_types.h): a pid's or tid's CPU
// clock ID is ~id << 3 | PERTHREAD (4, threads only) | SCHED (2). They count
// the scheduler's sum_exec_runtime: exact to the ns, unlike the tick-sampled
// utime/stime of /proc.
const (
	cpuClockSched     = 2
	cpuClockPerThread = 4
)

// threadCPUClock is the clock ID of thread tid's CPU clock, readable for any
// thread of this process.
func threadCPUClock(tid int) int32 { return int32(^uint32(tid)<<3 | cpuClockPerThread | cpuClockSched) }

// processCPUClock is the clock ID of process pid's CPU clock (all its
// threads, live and exited); 0 is this process.
func processCPUClock(pid int) int32 {
	if pid == 0 {
		return unix.CLOCK_PROCESS_CPUTIME_ID
	}
	return int32(^uint32(pid)<<3 | cpuClockSched)
}

func readCPUClock(id int32) (int64, error) {
	var ts unix.Timespec
	if err := unix.ClockGettime(id, &ts); err != nil {
		return 0, err
	}
	return ts.Nano(), nil
}

// threadTimes is one thread's CPU time and context switches.
type threadTimes struct {
	cpuNs        int64
	vcsw, nivcsw uint64 // voluntary, involuntary context switches
	runDelayNs   int64  // time spent runnable, waiting for a CPU; -1 unknown
}

func readThread(tid int) (threadTimes, error) {
	var t threadTimes
	var err error
	if t.cpuNs, err = readCPUClock(threadCPUClock(tid)); err != nil {
		return t, fmt.Errorf("CPU clock of thread %d: %w", tid, err)
	}
	status, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/status", tid))
	if err != nil {
		return t, err
	}
	t.vcsw, t.nivcsw = parseCtxSwitches(status)
	t.runDelayNs = -1
	if b, err := os.ReadFile(fmt.Sprintf("/proc/self/task/%d/schedstat", tid)); err == nil {
		if d, err := parseRunDelay(b); err == nil {
			t.runDelayNs = d
		}
	}
	return t, nil
}

// parseCtxSwitches reads the context switch counts of a /proc status file,
// which has fdinfo's "key:\tvalue" form.
func parseCtxSwitches(status []byte) (voluntary, involuntary uint64) {
	m, _ := ParseFdinfo(bytes.NewReader(status))
	voluntary, _ = strconv.ParseUint(m["voluntary_ctxt_switches"], 10, 64)
	involuntary, _ = strconv.ParseUint(m["nonvoluntary_ctxt_switches"], 10, 64)
	return voluntary, involuntary
}

// osSample is the consumer process's counters at one window edge, with the
// reading thread's and the load generator's CPU clocks.
type osSample struct {
	at        int64 // CLOCK_MONOTONIC when it was taken
	cpuNs     int64 // the consumer process's CPU clock
	ru        unix.Rusage
	consumer  *threadTimes
	loadgenNs *int64 // the load generator process's CPU clock; nil without one
	err       error
	cpus      map[int]cpuStat // /proc/stat; nil when cpusErr says why
	cpusErr   error
}

// readOS samples this process, its reading thread (0: none) and the load
// generator process (0: none).
func readOS(consumerTID, loadgenPID int) osSample {
	s := osSample{at: clock.Now()}
	s.cpus, s.cpusErr = readProcStat()
	if loadgenPID != 0 {
		ns, err := readCPUClock(processCPUClock(loadgenPID))
		if err != nil {
			s.err = fmt.Errorf("CPU clock of the load generator (pid %d): %w", loadgenPID, err)
			return s
		}
		s.loadgenNs = &ns
	}
	if s.cpuNs, s.err = readCPUClock(processCPUClock(0)); s.err != nil {
		return s
	}
	if s.err = unix.Getrusage(unix.RUSAGE_SELF, &s.ru); s.err != nil {
		return s
	}
	if consumerTID != 0 {
		t, err := readThread(consumerTID)
		if err != nil {
			s.err = err
			return s
		}
		s.consumer = &t
	}
	return s
}

// CPUMethod states how os.cpu_ns_per_event is measured.
const CPUMethod = "the consumer process's CPU clock (CLOCK_PROCESS_CPUTIME_ID, ns) between the samples at the window's edges, " +
	"scaled to the window's length; the user/sys split is getrusage's, whose proportions the kernel samples per tick"

// fillOS turns two samples into the run's OS figures, per event consumed in
// the window, and the load generator's CPU per trigger it issued in it. The
// samples are taken a little after each edge (a timer's wake-up); CPU
// times are scaled from the interval between them to the window's length,
// windowNs, so that a late first sample does not shorten the time they
// cover against the events counted.
func fillOS(r *Run, a, b osSample, events, triggers uint64, windowNs int64) {
	if a.err != nil || b.err != nil {
		why := "could not read process or thread counters"
		if err := firstErr(a.err, b.err); err != nil {
			why += ": " + err.Error()
		}
		markUnmeasured(r.Unsupported, "os", []string{"cpu_ns_per_event", "cpu_user_ns_per_event", "cpu_sys_ns_per_event",
			"voluntary_ctx_switches", "involuntary_ctx_switches", "minor_faults", "major_faults", "max_rss_kb"}, why)
		r.Unsupported["producer.loadgen_cpu_ns_per_trigger"] = why
		return
	}
	scale := 1.0
	if span := b.at - a.at; span > 0 && windowNs > 0 {
		scale = float64(windowNs) / float64(span)
	}
	perEvent := func(ns float64) *float64 { return ratio(ns*scale, events) }
	o := &r.OS
	o.CPUMethod = CPUMethod
	total := float64(b.cpuNs - a.cpuNs)
	o.CPUNsPerEvent = perEvent(total)
	user := float64(b.ru.Utime.Nano() - a.ru.Utime.Nano())
	sys := float64(b.ru.Stime.Nano() - a.ru.Stime.Nano())
	if user+sys > 0 {
		o.CPUUserNsPerEvent = perEvent(total * user / (user + sys))
		o.CPUSysNsPerEvent = perEvent(total * sys / (user + sys))
	} else {
		why := "getrusage charged no tick to the process in the window, so there is no split to apply"
		r.Unsupported["os.cpu_user_ns_per_event"], r.Unsupported["os.cpu_sys_ns_per_event"] = why, why
	}
	vol, invol := float64(b.ru.Nvcsw-a.ru.Nvcsw), float64(b.ru.Nivcsw-a.ru.Nivcsw)
	o.VoluntaryCtxSwitches, o.InvoluntaryCtxSwitches = &vol, &invol
	minflt, majflt := float64(b.ru.Minflt-a.ru.Minflt), float64(b.ru.Majflt-a.ru.Majflt)
	o.MinorFaults, o.MajorFaults = &minflt, &majflt
	rss := float64(b.ru.Maxrss)
	o.MaxRSSKB = &rss
	if a.consumer != nil && b.consumer != nil {
		ca, cb := a.consumer, b.consumer
		o.ConsumerThreadCPUNsPerEvent = perEvent(float64(cb.cpuNs - ca.cpuNs))
		v, i := float64(cb.vcsw-ca.vcsw), float64(cb.nivcsw-ca.nivcsw)
		o.ConsumerVoluntaryCtxSwitches, o.ConsumerInvoluntaryCtxSwitches = &v, &i
	} else {
		why := "the consumer is not locked to one OS thread (netpoll wait or --pin=false): only process figures apply"
		markUnmeasured(r.Unsupported, "os", []string{"consumer_thread_cpu_ns_per_event",
			"consumer_voluntary_ctx_switches", "consumer_involuntary_ctx_switches"}, why)
	}
	if a.loadgenNs != nil && b.loadgenNs != nil {
		r.Producer.LoadgenCPUNsPerTrigger = ratio(float64(*b.loadgenNs-*a.loadgenNs)*scale, triggers)
		if triggers == 0 {
			r.Unsupported["producer.loadgen_cpu_ns_per_trigger"] = "the load generator issued no trigger in the window"
		}
	} else {
		r.Unsupported["producer.loadgen_cpu_ns_per_trigger"] = "no load generator process: back to back, the consumer thread triggers (its CPU is the consumer's)"
	}
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
