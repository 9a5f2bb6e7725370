package modes

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/cilium/ebpf"

	"ringbench/bpf"
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
}

type factory func(Setup) (Consumer, error)

// registry lists the modes; each mode's file holds its factory.
var registry = map[string]factory{
	"reader": newReader,
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
