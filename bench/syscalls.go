package bench

import (
	"errors"
	"runtime"
	"sort"

	"golang.org/x/sys/unix"

	"ringbench/bpf"
)

// syscallNames names the syscalls a read mode or the Go runtime makes; the
// rest are reported by number.
var syscallNames = map[int]string{
	unix.SYS_READ: "read", unix.SYS_WRITE: "write", unix.SYS_CLOSE: "close",
	unix.SYS_MMAP: "mmap", unix.SYS_MUNMAP: "munmap", unix.SYS_MADVISE: "madvise",
	unix.SYS_FUTEX: "futex", unix.SYS_NANOSLEEP: "nanosleep", unix.SYS_CLOCK_NANOSLEEP: "clock_nanosleep",
	unix.SYS_EPOLL_PWAIT: "epoll_pwait", unix.SYS_EPOLL_CTL: "epoll_ctl",
	unix.SYS_SCHED_YIELD: "sched_yield", unix.SYS_GETPGID: "getpgid", unix.SYS_GETPID: "getpid",
	unix.SYS_TGKILL: "tgkill", unix.SYS_RT_SIGRETURN: "rt_sigreturn", unix.SYS_RT_SIGPROCMASK: "rt_sigprocmask",
	unix.SYS_SIGALTSTACK: "sigaltstack", unix.SYS_GETRUSAGE: "getrusage", unix.SYS_BPF: "bpf",
	unix.SYS_OPENAT: "openat", unix.SYS_FSTAT: "fstat", unix.SYS_NEWFSTATAT: "newfstatat",
	unix.SYS_CLOCK_GETTIME: "clock_gettime", unix.SYS_GETTID: "gettid", unix.SYS_IOCTL: "ioctl",
	unix.SYS_SCHED_GETAFFINITY: "sched_getaffinity", unix.SYS_SCHED_SETAFFINITY: "sched_setaffinity",
	unix.SYS_PRCTL: "prctl", unix.SYS_FCNTL: "fcntl", unix.SYS_EVENTFD2: "eventfd2",
}

const topSyscalls = 8

func fillSyscalls(r *Run, counts bpf.SyscallCounts, attach string, consumerTID int, events uint64, costNs *float64) {
	s := &Syscalls{Attach: attach, CounterNsPerSyscall: costNs}
	byNr := map[int]uint64{}
	for _, nrs := range counts {
		for nr, n := range nrs {
			s.ConsumerSide += n
			byNr[nr] += n
		}
	}
	if consumerTID != 0 {
		var n uint64
		for _, c := range counts[consumerTID] {
			n += c
		}
		s.ConsumerThread = &n
	}
	for nr, n := range byNr {
		s.Top = append(s.Top, SyscallCount{Nr: nr, Name: syscallNames[nr], Count: n})
	}
	sort.Slice(s.Top, func(i, j int) bool {
		if s.Top[i].Count != s.Top[j].Count {
			return s.Top[i].Count > s.Top[j].Count
		}
		return s.Top[i].Nr < s.Top[j].Nr
	})
	if len(s.Top) > topSyscalls {
		s.Top = s.Top[:topSyscalls]
	}
	r.Syscalls = s
	if events == 0 {
		return
	}
	for i := range s.Top {
		s.Top[i].PerEvent = float64(s.Top[i].Count) / float64(events)
	}
	r.OS.SyscallsPerEvent = ratio(float64(s.ConsumerSide), events)
	if costNs != nil {
		s.CounterNsPerEvent = ratio(*costNs*float64(s.ConsumerSide), events)
	}
	if s.ConsumerThread != nil {
		r.OS.ConsumerThreadSyscallsPerEvent = ratio(float64(*s.ConsumerThread), events)
	}
}

// Rounds and calls per round of the counter's cost measurement, before and
// after it is attached: 2·5·10k getppid(2) calls, some 20 ms before the
// warm-up.
const counterCostRounds, counterCostCalls = 5, 10_000

// syscallCounting is the syscall counter over one scenario: attached and
// its cost measured before the warm-up ends, read at both window edges.
type syscallCounting struct {
	counter *bpf.SyscallCounter
	err     error // why there are no counts
	costNs  *float64
	marks   []bpf.SyscallCounts
	readers []int // the threads the marks read the map on
}

func startSyscallCounting(p Params) *syscallCounting {
	s := &syscallCounting{}
	if p.NoSyscallCount {
		s.err = errors.New("not counted: --count-syscalls=false")
		return s
	}
	off := bpf.TimeSyscalls(counterCostRounds, counterCostCalls)
	if s.counter, s.err = bpf.StartSyscallCounter(0); s.err != nil {
		return s
	}
	c := max(bpf.TimeSyscalls(counterCostRounds, counterCostCalls)-off, 0)
	s.costNs = &c
	return s
}

// mark reads the counts at a window edge. Reading the map is itself a
// bpf(2) call or two per entry, counted as they happen; the reading is done
// on a locked thread whose ID is kept, so that its bpf(2) calls can be
// taken out of the window's counts.
func (s *syscallCounting) mark() {
	if s.err != nil {
		return
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s.readers = append(s.readers, unix.Gettid())
	var c bpf.SyscallCounts
	if c, s.err = s.counter.Read(); s.err == nil {
		s.marks = append(s.marks, c)
	}
}

// window is the counts between the two marks, less the marks' own reads.
func (s *syscallCounting) window() bpf.SyscallCounts {
	d := s.marks[1].Sub(s.marks[0])
	for _, tid := range s.readers {
		delete(d[tid], unix.SYS_BPF)
	}
	return d
}

func (s *syscallCounting) fill(r *Run, consumerTID int, events uint64) {
	if s.err == nil && len(s.marks) != 2 {
		s.err = errors.New("the window's edges were not both read")
	}
	if s.err != nil {
		r.Unsupported["os.syscalls_per_event"] = s.err.Error()
		r.Unsupported["os.consumer_thread_syscalls_per_event"] = s.err.Error()
		r.Unsupported["syscalls"] = s.err.Error()
		return
	}
	fillSyscalls(r, s.window(), string(s.counter.Attach), consumerTID, events, s.costNs)
	if consumerTID == 0 {
		why := "the consumer is not locked to one OS thread"
		r.Unsupported["os.consumer_thread_syscalls_per_event"], r.Unsupported["syscalls.consumer_thread"] = why, why
	}
}

func (s *syscallCounting) close() {
	if s.counter != nil {
		s.counter.Close()
	}
}
