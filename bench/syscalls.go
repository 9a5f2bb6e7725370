package bench

import (
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

// SyscallCount is one syscall's count in the window.
type SyscallCount struct {
	Nr       int     `json:"nr"`
	Name     string  `json:"name,omitempty"`
	Count    uint64  `json:"count"`
	PerEvent float64 `json:"per_event"`
}

// Syscalls are the window's syscalls of the harness, as counted by its own
// BPF program: the consumer side (every thread but the producers), the
// reading thread alone when the mode locks one, and the most frequent ones.
type Syscalls struct {
	Attach         string         `json:"attach"`
	ConsumerSide   uint64         `json:"consumer_side"`
	ConsumerThread *uint64        `json:"consumer_thread"`
	Producers      uint64         `json:"producers"`
	Top            []SyscallCount `json:"top"`
}

const topSyscalls = 8

func fillSyscalls(r *Run, counts bpf.SyscallCounts, attach string, producerTIDs []int, consumerTID int, events uint64) {
	isProducer := map[int]bool{}
	for _, t := range producerTIDs {
		isProducer[t] = true
	}
	s := &Syscalls{Attach: attach}
	byNr := map[int]uint64{}
	for tid, nrs := range counts {
		for nr, n := range nrs {
			if isProducer[tid] {
				s.Producers += n
				continue
			}
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
	if s.ConsumerThread != nil {
		r.OS.ConsumerThreadSyscallsPerEvent = ratio(float64(*s.ConsumerThread), events)
	}
}
