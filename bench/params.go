package bench

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"ringbench/bpf"
	"ringbench/internal/cpu"
	"ringbench/modes"
)

// Params is one point of the matrix: everything that decides what a scenario
// measures. Its JSON form is the "params" object of run.json.
type Params struct {
	Transport    string  `json:"transport"`
	Mode         string  `json:"mode"`
	Wakeup       string  `json:"wakeup"`
	Hashmap      string  `json:"hashmap"`
	HashKeys     int     `json:"hash_keys"`
	HashEntries  int     `json:"hash_entries"`
	HashChurn    string  `json:"hash_churn"`
	Rate         uint64  `json:"rate"` // offered events/s; 0 = max (back to back)
	Batch        int     `json:"batch"`
	Payload      int     `json:"payload"`
	Producers    int     `json:"producers"`
	RingBytes    int     `json:"ring_bytes"`
	Output       bool    `json:"output"` // ringbuf: bpf_ringbuf_output instead of reserve+submit
	Delivery     string  `json:"delivery"`
	Pin          bool    `json:"pin"`
	ProducerCPUs []int   `json:"producer_cpus"`
	ConsumerCPU  int     `json:"consumer_cpu"`
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

// Defaults are the values of a scenario nobody specified.
func Defaults() Params {
	return Params{
		Transport: string(bpf.Ringbuf), Mode: "reader", Hashmap: "none", Rate: 100_000,
		Batch: 1, Payload: 64, Producers: 1, RingBytes: 1 << 20, Delivery: "inline",
		Pin: true, DurationS: 5, WarmupS: 1, Work: "0", PollTimeout: "10ms",
		HashKeys: 10_000, HashEntries: 65_536, HashChurn: "1:2:1",
		LatencyClock: string(modes.ClockPerDrain), Commit: string(modes.CommitBatch),
	}
}

// ID names the scenario in results: the DESIGN.md path plus the knobs that
// differ from their defaults.
func (p Params) ID() string {
	rate := "max"
	if p.B2B {
		rate = "b2b"
	} else if p.Rate > 0 {
		rate = strconv.FormatUint(p.Rate, 10)
	}
	hash := "nohash"
	if p.Hashmap != "none" && p.Hashmap != "" {
		hash = p.Hashmap
	}
	id := fmt.Sprintf("%s/%s/%s/%s/rate=%s/batch=%d/payload=%d", p.Transport, p.Mode, p.Wakeup, hash, rate, p.Batch, p.Payload)
	d := Defaults()
	if p.Producers != d.Producers {
		id += fmt.Sprintf("/producers=%d", p.Producers)
	}
	if p.RingBytes != d.RingBytes {
		id += fmt.Sprintf("/ring=%d", p.RingBytes)
	}
	if p.Hashmap != "none" && p.Hashmap != "" &&
		(p.HashKeys != d.HashKeys || p.HashEntries != d.HashEntries || p.HashChurn != d.HashChurn) {
		id += fmt.Sprintf("/hash=%d,%d,%s", p.HashKeys, p.HashEntries, p.HashChurn)
	}
	if p.Output {
		id += "/output"
	}
	if p.Wait != "" && p.Wait != modes.WaitThread {
		id += "/wait=" + p.Wait
	}
	if p.Backoff != "" && p.Backoff != "none" {
		id += "/backoff=" + p.Backoff
	}
	if p.Delivery != d.Delivery {
		id += "/delivery=" + p.Delivery
	}
	if p.Work != d.Work {
		id += "/work=" + p.Work
	}
	if !p.Pin && p.Wait != modes.WaitNetpoll {
		id += "/nopin"
	}
	if p.GOMAXPROCS != 0 && p.GOMAXPROCS != runtime.NumCPU() {
		id += fmt.Sprintf("/gomaxprocs=%d", p.GOMAXPROCS)
	}
	if p.NoLatency {
		id += "/latency=false"
	} else if p.LatencyClock != "" && p.LatencyClock != d.LatencyClock {
		id += "/clock=" + p.LatencyClock
	}
	if p.Commit != "" && p.Commit != d.Commit && p.Mode != "reader" {
		id += "/commit=" + p.Commit
	}
	if p.NoSyscallCount {
		id += "/count-syscalls=false"
	}
	if p.Breakdown {
		id += "/breakdown"
	}
	return id
}

// ParseRate accepts a positive number of events per second or "max".
func ParseRate(s string) (uint64, error) {
	if s == "max" {
		return 0, nil
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || !(n >= 1 && n <= 1e12) || n != math.Trunc(n) {
		return 0, fmt.Errorf("rate %q: want a whole number of events per second from 1 to 1e12, or max", s)
	}
	return uint64(n), nil
}

// ParseCPUs parses a placement "PRODUCERS:CONSUMER", e.g. "0:1" or "0,1:1";
// either side may be empty for the default.
func ParseCPUs(s string) (producers []int, consumer int, err error) {
	prod, cons, ok := strings.Cut(s, ":")
	if !ok {
		return nil, 0, fmt.Errorf("cpus %q: want PRODUCER_CPUS:CONSUMER_CPU, e.g. 0:1 or 0,1:1", s)
	}
	consumer = -1
	if prod != "" {
		if producers, err = cpu.ParseList(prod); err != nil {
			return nil, 0, fmt.Errorf("cpus %q: producer CPUs: %v", s, err)
		}
	}
	if cons != "" {
		if consumer, err = strconv.Atoi(cons); err != nil || consumer < 0 {
			return nil, 0, fmt.Errorf("cpus %q: consumer CPU must be one CPU number", s)
		}
	}
	return producers, consumer, nil
}

// Resolve fills what depends on the machine and checks everything, so a
// scenario that cannot run is refused before anything is loaded. The error
// is one line saying what is wrong and what is allowed.
func (p *Params) Resolve(online []int) error {
	tr, err := bpf.ParseTransport(p.Transport)
	if err != nil {
		return err
	}
	if err := modes.Valid(p.Mode); err != nil {
		return err
	}
	w, err := bpf.ParseWakeup(tr, p.Wakeup)
	if err != nil {
		return err
	}
	p.Wakeup = w.String()
	if p.NoLatency {
		if p.Payload != bpf.CompactEventSize && p.Payload != Defaults().Payload {
			return fmt.Errorf("latency=false sends %d-byte events (CPU and sequence, no timestamp); payload %d does not apply", bpf.CompactEventSize, p.Payload)
		}
		p.Payload = bpf.CompactEventSize
	}
	page := os.Getpagesize()
	switch {
	case p.Batch < 1 || p.Batch > 1<<20:
		return fmt.Errorf("batch %d: want 1..%d events per trigger", p.Batch, 1<<20)
	case p.RingBytes < page || p.RingBytes&(p.RingBytes-1) != 0:
		return fmt.Errorf("ring size %d: want a power of two of at least the page size (%d)", p.RingBytes, page)
	case !p.NoLatency && (p.Payload < bpf.EventHeaderSize || p.Payload > bpf.MaxPayload):
		return fmt.Errorf("payload %d: want %d..%d bytes (the event header up to the producer's per-CPU scratch)", p.Payload, bpf.EventHeaderSize, bpf.MaxPayload)
	case p.Payload+16 > p.RingBytes:
		return fmt.Errorf("payload %d does not fit a %d-byte ring with its record header", p.Payload, p.RingBytes)
	case w.Kind == bpf.Watermark && w.N >= p.RingBytes:
		return fmt.Errorf("watermark %d: must be below the ring size %d", w.N, p.RingBytes)
	case p.Output && tr != bpf.Ringbuf:
		return fmt.Errorf("output applies to the ringbuf transport only")
	case p.Producers < 1 || p.Producers > 1024:
		return fmt.Errorf("producers %d: want at least 1", p.Producers)
	case p.DurationS <= 0:
		return fmt.Errorf("duration must be positive")
	case p.WarmupS < 0:
		return fmt.Errorf("warm-up must not be negative")
	}
	if err := p.resolveMode(); err != nil {
		return err
	}
	if _, err := p.hash(); err != nil {
		return err
	}
	if p.GOMAXPROCS < 0 || p.GOMAXPROCS > 1024 {
		return fmt.Errorf("gomaxprocs %d: want 1..1024, or 0 for the runtime's default", p.GOMAXPROCS)
	}
	if p.GOMAXPROCS == 0 {
		p.GOMAXPROCS = runtime.GOMAXPROCS(0)
	}
	if p.B2B {
		// The kernel benchmark's back-to-back topology: one thread, on the
		// consumer's CPU, triggers and consumes in turn.
		if p.Producers != 1 || len(p.ProducerCPUs) > 1 {
			return fmt.Errorf("b2b: the consumer is the only producer (got %d producers)", p.Producers)
		}
		p.Rate = 0
		if err := p.place(online); err != nil {
			return err
		}
		p.ProducerCPUs = []int{p.ConsumerCPU}
		return nil
	}
	return p.place(online)
}

// resolveMode checks the options that belong to one mode and normalises
// them, so a result names only the knobs that applied.
func (p *Params) resolveMode() error {
	d, err := modes.ParseDelivery(p.Delivery)
	if err != nil {
		return err
	}
	p.Delivery = d.String()
	w, err := modes.ParseWork(p.Work)
	if err != nil {
		return err
	}
	p.Work = w.String()
	if p.LatencyClock == "" {
		p.LatencyClock = string(modes.ClockPerDrain)
	}
	if _, err := modes.ParseLatencyClock(p.LatencyClock); err != nil {
		return err
	}
	if p.Commit == "" {
		p.Commit = string(modes.CommitBatch)
	}
	if _, err := modes.ParseCommit(p.Commit); err != nil {
		return err
	}
	switch {
	case p.Mode == "reader":
		p.Commit = string(modes.CommitRecord) // cilium/ebpf's readers commit per record
	case p.Commit == string(modes.CommitRecord) && d.Channel:
		return fmt.Errorf("commit record applies to inline delivery: with a channel, ring space goes back per batch the worker returns")
	}
	if pt, err := time.ParseDuration(p.PollTimeout); err != nil || pt <= 0 || pt > time.Minute {
		return fmt.Errorf("poll timeout %q: want a duration from 1ns to 1m, e.g. 10ms", p.PollTimeout)
	}
	switch p.Mode {
	case "spin":
		if p.Backoff == "" {
			p.Backoff = "none"
		}
		b, err := modes.ParseBackoff(p.Backoff)
		if err != nil {
			return err
		}
		p.Backoff = b.String()
	case "epoll":
		if p.Wait == "" {
			p.Wait = modes.WaitThread
		}
		if p.Wait != modes.WaitThread && p.Wait != modes.WaitNetpoll {
			return fmt.Errorf("wait %q: want thread or netpoll", p.Wait)
		}
		if p.Wait == modes.WaitNetpoll {
			p.Pin = false // a goroutine parked in the netpoller has no thread to pin
		}
	}
	if p.Mode != "spin" && p.Backoff != "" {
		return fmt.Errorf("backoff applies to the spin mode only (mode is %s)", p.Mode)
	}
	if p.Mode != "epoll" && p.Wait != "" {
		return fmt.Errorf("wait applies to the epoll mode only (mode is %s)", p.Mode)
	}
	if p.Breakdown && (!slices.Contains(breakdownModes, p.Mode) || p.Rate == 0 || p.B2B) {
		return fmt.Errorf("%w (mode is %s)", errBreakdownMode, p.Mode)
	}
	return nil
}

// hash is the flow-table configuration of the producer.
func (p Params) hash() (bpf.Hash, error) {
	h := bpf.Hash{Kind: p.Hashmap, Keys: p.HashKeys, Entries: p.HashEntries}
	if p.Hashmap != "none" {
		var err error
		if h.Ins, h.Upd, h.Del, err = bpf.ParseChurn(p.HashChurn); err != nil {
			return h, err
		}
	}
	return h, bpf.Options{Transport: bpf.Ringbuf, Batch: 1, Payload: bpf.EventHeaderSize,
		RingBytes: os.Getpagesize(), Hash: h}.Check()
}

// place picks CPUs: the consumer on the last online CPU, producers round
// robin over the others (all of them if there is only one), unless given.
func (p *Params) place(online []int) error {
	isOnline := map[int]bool{}
	for _, c := range online {
		isOnline[c] = true
	}
	if p.ConsumerCPU < 0 {
		p.ConsumerCPU = online[len(online)-1]
	}
	if !isOnline[p.ConsumerCPU] {
		return MachineError{fmt.Sprintf("consumer CPU %d does not exist or is offline (online: %v)", p.ConsumerCPU, online)}
	}
	if len(p.ProducerCPUs) == 0 {
		pool := make([]int, 0, len(online))
		for _, c := range online {
			if c != p.ConsumerCPU {
				pool = append(pool, c)
			}
		}
		if len(pool) == 0 {
			pool = online
		}
		for i := range p.Producers {
			p.ProducerCPUs = append(p.ProducerCPUs, pool[i%len(pool)])
		}
	}
	if len(p.ProducerCPUs) != p.Producers {
		return fmt.Errorf("%d producer CPUs given for %d producers", len(p.ProducerCPUs), p.Producers)
	}
	for _, c := range p.ProducerCPUs {
		if !isOnline[c] {
			return MachineError{fmt.Sprintf("producer CPU %d does not exist or is offline (online: %v)", c, online)}
		}
	}
	return nil
}

// MachineError is a scenario this machine cannot run though it is well
// formed (a CPU it does not have): a matrix lists it as skipped, where a
// malformed scenario is refused.
type MachineError struct{ Reason string }

func (e MachineError) Error() string { return e.Reason }
