package modes

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"ringbench/schema"
)

// Delivery is how events reach the Recorder: inline (the reading goroutine
// records them) or over a Go channel to a worker goroutine, Batch events
// per send.
type Delivery struct {
	Channel bool
	Batch   int
}

// ParseDelivery accepts inline, channel (one event per send) or channel:N.
func ParseDelivery(s string) (Delivery, error) {
	switch {
	case s == "inline":
		return Delivery{}, nil
	case s == "channel":
		return Delivery{Channel: true, Batch: 1}, nil
	case strings.HasPrefix(s, "channel:"):
		n, err := strconv.Atoi(strings.TrimPrefix(s, "channel:"))
		if err == nil && n >= 1 && n <= 1<<16 {
			return Delivery{Channel: true, Batch: n}, nil
		}
	}
	return Delivery{}, fmt.Errorf("delivery %q: want inline, channel or channel:N (N events per send, 1..65536)", s)
}

func (d Delivery) String() string {
	switch {
	case !d.Channel:
		return "inline"
	case d.Batch == 1:
		return "channel"
	}
	return fmt.Sprintf("channel:%d", d.Batch)
}

// Work is synthetic per-event processing on the recording goroutine: CPUNs
// of busy CPU, and an allocation of AllocBytes kept for a while, so that GC
// behaviour is that of a program that does something with its events.
type Work struct {
	CPUNs      int64
	AllocBytes int
}

// ParseWork accepts CPU_NS[,ALLOC_BYTES]; "0" or "" is no work.
func ParseWork(s string) (Work, error) {
	if s == "" || s == "0" {
		return Work{}, nil
	}
	cpuPart, allocPart, hasAlloc := strings.Cut(s, ",")
	bad := fmt.Errorf("work %q: want CPU_NS[,ALLOC_BYTES], e.g. 500 or 500,256", s)
	ns, err := strconv.ParseInt(cpuPart, 10, 64)
	if err != nil || ns < 0 || ns > int64(time.Second) {
		return Work{}, bad
	}
	w := Work{CPUNs: ns}
	if hasAlloc {
		if w.AllocBytes, err = strconv.Atoi(allocPart); err != nil || w.AllocBytes < 0 || w.AllocBytes > 1<<24 {
			return Work{}, bad
		}
	}
	return w, nil
}

func (w Work) String() string {
	if w.AllocBytes > 0 {
		return fmt.Sprintf("%d,%d", w.CPUNs, w.AllocBytes)
	}
	return strconv.FormatInt(w.CPUNs, 10)
}

// Backoff is what the spin mode does when it finds nothing new.
type Backoff struct {
	Kind  string // none, pause, gosched, sleep
	Sleep time.Duration
	spec  string // as given, so results name it the way the user did
}

// ParseBackoff accepts none, pause, gosched or sleep:DURATION.
func ParseBackoff(s string) (Backoff, error) {
	switch s {
	case "none", "pause", "gosched":
		return Backoff{Kind: s}, nil
	}
	if d, ok := strings.CutPrefix(s, "sleep:"); ok {
		if dur, err := time.ParseDuration(d); err == nil && dur > 0 && dur <= time.Second {
			return Backoff{Kind: "sleep", Sleep: dur, spec: s}, nil
		}
	}
	return Backoff{}, fmt.Errorf("backoff %q: want none, pause, gosched or sleep:DURATION (e.g. sleep:50us, up to 1s)", s)
}

func (b Backoff) String() string {
	if b.Kind == "sleep" {
		return b.spec
	}
	return b.Kind
}

// Wait strategies of the epoll mode.
const (
	WaitThread  = schema.WaitThread  // blocking epoll_wait on a locked OS thread
	WaitNetpoll = schema.WaitNetpoll // the epoll fd parked in Go's netpoller
)

// Waits of the c-mmap mode.
const (
	WaitSpin  = schema.WaitSpin  // poll in a loop, never sleeping
	WaitEpoll = schema.WaitEpoll // sleep in epoll_wait when a drain finds nothing
)

// LatencyClock is when the Recorder reads the consumer's clock.
type LatencyClock string

const (
	// ClockPerDrain reads it once per pass over the records that became
	// visible together (the default): what the kernel benchmark's consumers
	// would pay, a clock read amortised over a batch.
	ClockPerDrain LatencyClock = schema.ClockPerDrain
	// ClockPerEvent reads it for every record: each latency is exact to
	// the record, and the clock read is part of every event's cost.
	ClockPerEvent LatencyClock = schema.ClockPerEvent
)

// ParseLatencyClock accepts per-drain or per-event.
func ParseLatencyClock(s string) (LatencyClock, error) {
	return oneOf(s, "clock %q: want per-drain (one clock read per drain pass) or per-event", ClockPerDrain, ClockPerEvent)
}

// Commit is when an mmap consumer hands ring space back to the producer.
type Commit string

const (
	// CommitBatch stores consumer_pos / data_tail once per drain, as the
	// kernel benchmark's custom consumers do (the default).
	CommitBatch Commit = schema.CommitBatch
	// CommitRecord stores it after every record, as libbpf and
	// cilium/ebpf's readers do: the producer sees space sooner, and each
	// store is a shared cache line written per event.
	CommitRecord Commit = schema.CommitRecord
)

// ParseCommit accepts batch or record.
func ParseCommit(s string) (Commit, error) {
	return oneOf(s, "commit %q: want batch (one position store per drain) or record (one per record)", CommitBatch, CommitRecord)
}

// oneOf is s as one of a knob's values, or the knob's error (a format with
// one %q for s).
func oneOf[T ~string](s, errFormat string, values ...T) (T, error) {
	if slices.Contains(values, T(s)) {
		return T(s), nil
	}
	return "", fmt.Errorf(errFormat, s)
}
