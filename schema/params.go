package schema

import (
	"strconv"
)

// The knob values that defaults and IDs name. The packages that act on
// them define their typed constants from these (bpf.Ringbuf,
// modes.ClockPerDrain, …), so each is written once.
const (
	TransportRingbuf = "ringbuf"
	TransportPerfbuf = "perfbuf"
	TransportSharded = "ringbuf-sharded"
	WaitThread       = "thread"
	WaitNetpoll      = "netpoll"
	WaitSpin         = "spin"
	WaitEpoll        = "epoll"
	ClockPerDrain    = "per-drain"
	ClockPerEvent    = "per-event"
	CommitBatch      = "batch"
	CommitRecord     = "record"
)

// Params is one point of the matrix: everything that decides what a scenario
// measures. Its JSON form is the "params" object of run.json.
type Params struct {
	Transport   string `json:"transport"`
	Mode        string `json:"mode"`
	Wakeup      string `json:"wakeup"`
	Hashmap     string `json:"hashmap"`
	HashKeys    int    `json:"hash_keys"`
	HashEntries int    `json:"hash_entries"`
	HashChurn   string `json:"hash_churn"`
	Rate        uint64 `json:"rate"` // offered events/s; 0 = max (back to back)
	Batch       int    `json:"batch"`
	Payload     int    `json:"payload"`
	Producers   int    `json:"producers"`
	// Oversubscribe stacks more producers than there are CPUs besides the
	// consumer's, round robin; false refuses such a scenario. It stays
	// false when every producer has a CPU of its own.
	Oversubscribe bool `json:"oversubscribe,omitempty"`
	RingBytes     int  `json:"ring_bytes"`
	// CPUsPerRing is ringbuf-sharded's group size: each ring takes the
	// events of that many consecutive CPUs. 0 for the other transports.
	CPUsPerRing  int    `json:"cpus_per_ring,omitempty"`
	Output       bool   `json:"output"` // ringbuf: bpf_ringbuf_output instead of reserve+submit
	Delivery     string `json:"delivery"`
	Pin          bool   `json:"pin"`
	ProducerCPUs []int  `json:"producer_cpus"`
	ConsumerCPU  int    `json:"consumer_cpu"`
	// Consumers split the rings (perf's per-CPU rings, ringbuf-sharded's
	// shards) among that many consumer threads, on ConsumerCPUs (the
	// first is ConsumerCPU); 0 in results from before the knob means 1.
	Consumers    int     `json:"consumers,omitempty"`
	ConsumerCPUs []int   `json:"consumer_cpus,omitempty"`
	DurationS    float64 `json:"duration_s"`
	WarmupS      float64 `json:"warmup_s"`
	Backoff      string  `json:"backoff,omitempty"`      // spin: none, pause, gosched, sleep:D
	Wait         string  `json:"wait,omitempty"`         // epoll: thread or netpoll
	PollTimeout  string  `json:"poll_timeout,omitempty"` // longest wait when wakeups may not come
	Work         string  `json:"work"`                   // synthetic per-event work CPU_NS[,ALLOC_BYTES]
	B2B          bool    `json:"b2b"`                    // the consumer triggers the next batch itself
	// GOMAXPROCS for the scenario; 0 resolves to the runtime's default. With
	// every P held by a pinned spinning thread, the runtime can only run its
	// own goroutines by preempting one of them.
	GOMAXPROCS int `json:"gomaxprocs"`
	// LatencyClock is when the consumer reads its clock: per-drain (once
	// per pass over what became visible together) or per-event.
	LatencyClock string `json:"latency_clock"`
	// NoLatency runs the kernel benchmark's workload: 8-byte events
	// (CPU and sequence), no timestamp; sequences are checked, latency is
	// not measured.
	NoLatency bool `json:"no_latency,omitempty"`
	// Commit is when an mmap consumer hands ring space back: once per
	// drain (batch) or after every record (record).
	Commit string `json:"commit"`
	// NoSyscallCount turns the syscall counter off: no map update is added
	// to the consumer's syscalls, and syscalls/event is not measured.
	NoSyscallCount bool `json:"no_syscall_count,omitempty"`
	// Breakdown splits the latency of a sleeping mode into phases with BPF
	// programs on the scheduler and the wait syscall (Run.Breakdown).
	Breakdown bool `json:"breakdown,omitempty"`
}

// AllConsumerCPUs are the CPUs the scenario's consumer threads run on:
// ConsumerCPUs when the rings are split, else ConsumerCPU alone.
func (p Params) AllConsumerCPUs() []int {
	if len(p.ConsumerCPUs) > 0 {
		return p.ConsumerCPUs
	}
	return []int{p.ConsumerCPU}
}

// Defaults are the values of a scenario nobody specified.
func Defaults() Params {
	return Params{
		Transport: TransportRingbuf, Mode: "reader", Hashmap: "none", Rate: 100_000,
		Batch: 1, Payload: 64, Producers: 1, RingBytes: 1 << 20, Delivery: "inline",
		Pin: true, DurationS: 5, WarmupS: 1, Work: "0", PollTimeout: "10ms",
		HashKeys: 10_000, HashEntries: 65_536, HashChurn: "1:2:1",
		LatencyClock: ClockPerDrain, Commit: CommitBatch, CPUsPerRing: 1,
	}
}

// RateKey names the scenario's rate exactly, as its ID and bench.txt do:
// "100000", "max" (unpaced) or "b2b" (the consumer triggers each batch).
func (p Params) RateKey() string {
	switch {
	case p.B2B:
		return "b2b"
	case p.Rate == 0:
		return "max"
	}
	return strconv.FormatUint(p.Rate, 10)
}
