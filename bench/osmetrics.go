package bench

import (
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// userHZ is the unit of utime/stime in /proc/<pid>/task/<tid>/stat: fixed
// at 100 for user space whatever the kernel's HZ (USER_HZ).
const userHZ = 100

// threadTimes is one thread's CPU and scheduling counters.
type threadTimes struct {
	cpuNs        int64  // the thread's CPU clock: user + system, ns
	utime, stime uint64 // ticks of 1/userHZ s
	vcsw, nivcsw uint64 // voluntary, involuntary context switches
}

// threadCPUClock is the clock ID of thread tid's CPU clock
// (MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED) in the kernel's
// include/linux/posix-timers_types.h): readable for any thread of this
// process, ns-precise, unlike the tick counts of /proc.
func threadCPUClock(tid int) int32 { return int32(^uint32(tid)<<3 | 4 | 2) }

func readThread(tid int) (threadTimes, error) {
	var t threadTimes
	var ts unix.Timespec
	if err := unix.ClockGettime(threadCPUClock(tid), &ts); err != nil {
		return t, fmt.Errorf("CPU clock of thread %d: %w", tid, err)
	}
	t.cpuNs = ts.Nano()
	dir := fmt.Sprintf("/proc/self/task/%d/", tid)
	stat, err := os.ReadFile(dir + "stat")
	if err != nil {
		return t, err
	}
	if t.utime, t.stime, err = parseStatTimes(stat); err != nil {
		return t, err
	}
	status, err := os.ReadFile(dir + "status")
	if err != nil {
		return t, err
	}
	t.vcsw, t.nivcsw = parseCtxSwitches(status)
	return t, nil
}

// parseStatTimes reads utime and stime, fields 14 and 15 of a /proc stat
// line; the command name (field 2) may hold spaces and parentheses, so
// fields are counted from the last ')'.
func parseStatTimes(stat []byte) (utime, stime uint64, err error) {
	end := bytes.LastIndexByte(stat, ')')
	if end < 0 {
		return 0, 0, fmt.Errorf("malformed stat line %q", stat)
	}
	fields := strings.Fields(string(stat[end+1:])) // from field 3 (state)
	if len(fields) < 13 {
		return 0, 0, fmt.Errorf("stat line has %d fields after the command", len(fields))
	}
	if utime, err = strconv.ParseUint(fields[11], 10, 64); err == nil {
		stime, err = strconv.ParseUint(fields[12], 10, 64)
	}
	return utime, stime, err
}

// parseCtxSwitches reads the context switch counts of a /proc status file,
// which has fdinfo's "key:\tvalue" form.
func parseCtxSwitches(status []byte) (voluntary, involuntary uint64) {
	m, _ := ParseFdinfo(bytes.NewReader(status))
	voluntary, _ = strconv.ParseUint(m["voluntary_ctxt_switches"], 10, 64)
	involuntary, _ = strconv.ParseUint(m["nonvoluntary_ctxt_switches"], 10, 64)
	return voluntary, involuntary
}

// osSample is the process's and the interesting threads' counters at one
// window edge.
type osSample struct {
	ru        unix.Rusage
	producers []threadTimes
	consumer  *threadTimes
	err       error
}

func readOS(producerTIDs []int, consumerTID int) osSample {
	var s osSample
	if s.err = unix.Getrusage(unix.RUSAGE_SELF, &s.ru); s.err != nil {
		return s
	}
	for _, tid := range producerTIDs {
		t, err := readThread(tid)
		if err != nil {
			s.err = err
			return s
		}
		s.producers = append(s.producers, t)
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

func tvNs(tv unix.Timeval) int64 { return tv.Nano() }

// fillOS turns two samples into the run's OS figures, per event consumed
// in the window.
func fillOS(r *Run, a, b osSample, events uint64) {
	if a.err != nil || b.err != nil || len(a.producers) != len(b.producers) {
		why := "could not read process or thread counters"
		if err := firstErr(a.err, b.err); err != nil {
			why += ": " + err.Error()
		}
		markUnmeasured(r.Unsupported, "os", []string{"cpu_ns_per_event", "voluntary_ctx_switches", "involuntary_ctx_switches"}, why)
		return
	}
	perEvent := func(ns float64) *float64 { return ratio(ns, events) }
	// Everything the process ran but the producer threads: the consumer
	// as a Go program, runtime and worker goroutines included.
	user := float64(tvNs(b.ru.Utime) - tvNs(a.ru.Utime))
	sys := float64(tvNs(b.ru.Stime) - tvNs(a.ru.Stime))
	for i := range a.producers {
		pa, pb := a.producers[i], b.producers[i]
		user -= float64(pb.utime-pa.utime) * 1e9 / userHZ
		sys -= float64(pb.stime-pa.stime) * 1e9 / userHZ
	}
	o := &r.OS
	o.CPUMethod = "process rusage minus the producer threads (their tick counts: ±10 ms each)"
	o.CPUUserNsPerEvent, o.CPUSysNsPerEvent = perEvent(max(user, 0)), perEvent(max(sys, 0))
	o.CPUNsPerEvent = perEvent(max(user, 0) + max(sys, 0))
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
		r.Unsupported["os.consumer_thread"] = "the consumer is not locked to one OS thread (netpoll wait or --pin=false): only process figures apply"
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
