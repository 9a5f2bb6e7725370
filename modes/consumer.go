package modes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cilium/ebpf"

	"ringbench/bpf"
	"ringbench/modes/ring"
)

// Consumer reads events from one producer's ring.
type Consumer interface {
	// Run consumes until ctx is done, then drains what is left and
	// returns. Every event goes to rec.
	Run(ctx context.Context, rec *Recorder) error
	// Close releases what the consumer opened. It is safe after Run and
	// on a consumer that never ran.
	Close() error
}

// Setup is what a mode needs to build its consumer.
type Setup struct {
	Transport bpf.Transport
	Ring      *ebpf.Map  // the ringbuf map, or the perf event array to fill
	RingBytes int        // ringbuf data size, or each perf ring's data size
	Wakeup    bpf.Wakeup // perfbuf policies are applied by the consumer
	CPU       int        // consumer CPU to pin to; negative: not pinned
	CPUs      []int      // CPUs that may produce (perf rings are per CPU)
	Payload   int        // event size, for copies the reader mode must make

	Delivery    Delivery
	Work        Work
	Backoff     Backoff       // spin
	Wait        string        // epoll: WaitThread or WaitNetpoll
	Commit      Commit        // mmap modes: when ring space goes back
	PollTimeout time.Duration // longest wait when wakeups may not come

	// Trigger, when set, is the kernel benchmark's back-to-back topology:
	// the consumer triggers the next batch itself after each drain instead
	// of waiting for a producer thread.
	Trigger func()
}

// needsTimeout reports whether the wakeup policy can leave events in the
// ring with no wakeup to come, so waits must time out.
func (s Setup) needsTimeout() bool {
	switch s.Wakeup.Kind {
	case bpf.Sampled, bpf.NoWakeup, bpf.Watermark:
		return true
	case bpf.WakeupEvents:
		return s.Wakeup.N > 1
	}
	return false
}

// perfWakeup is the perf events' wakeup setting for the policy; both the
// reader mode's library and the mmap modes' own perf events take it.
func (s Setup) perfWakeup() ring.PerfWakeup {
	switch s.Wakeup.Kind {
	case bpf.WakeupEvents:
		return ring.PerfWakeup{Events: s.Wakeup.N}
	case bpf.Watermark:
		return ring.PerfWakeup{Watermark: s.Wakeup.N}
	}
	return ring.PerfWakeup{}
}

type factory func(Setup) (Consumer, error)

// registry lists the modes; each mode's file holds its factory.
var registry = map[string]factory{
	"reader": newReader,
	"spin":   newSpin,
	"epoll":  newEpoll,
}

// Names lists the modes, sorted.
func Names() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// Valid reports whether mode names a known read mode.
func Valid(mode string) error {
	if _, ok := registry[mode]; !ok {
		return fmt.Errorf("unknown mode %q (want %s)", mode, strings.Join(Names(), ", "))
	}
	return nil
}

// New builds the consumer of mode for setup. For perfbuf it opens the
// per-CPU perf events and puts them into the array, so the producer has
// somewhere to write from then on.
func New(mode string, s Setup) (Consumer, error) {
	if err := Valid(mode); err != nil {
		return nil, err
	}
	return registry[mode](s)
}
