package schema

// SyscallCount is one syscall's count in the window.
type SyscallCount struct {
	Nr       int     `json:"nr"`
	Name     string  `json:"name,omitempty"`
	Count    uint64  `json:"count"`
	PerEvent float64 `json:"per_event"`
}

// Syscalls are the window's syscalls of the consumer process, as counted by
// ringbench's own BPF program: all its threads (the load generator is
// another process), the reading thread alone when the mode locks one, and
// the most frequent ones; the counter's own map reads at the window's edges
// (bpf(2) on the thread that read) are left out. Counting costs each counted
// syscall a map update:
// CounterNsPerSyscall is that cost as measured before the warm-up ended, and
// CounterNsPerEvent what it added per event consumed (cost × syscalls/event),
// to set beside the CPU figures it inflates.
type Syscalls struct {
	Attach              string         `json:"attach"`
	ConsumerSide        uint64         `json:"consumer_side"`
	ConsumerThread      *uint64        `json:"consumer_thread"`
	Top                 []SyscallCount `json:"top"`
	CounterNsPerSyscall *float64       `json:"counter_ns_per_syscall"`
	CounterNsPerEvent   *float64       `json:"counter_ns_per_event"`
}
