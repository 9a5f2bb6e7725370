package modes

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
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
	Ring      *ebpf.Map   // the ringbuf map, or the perf event array to fill
	Shards    []*ebpf.Map // ringbuf-sharded: its rings, in shard order
	RingBytes int         // ringbuf data size, or each perf ring's data size
	Wakeup    bpf.Wakeup  // perfbuf policies are applied by the consumer
	CPU       int         // consumer CPU to pin to; negative: not pinned
	CPUs      []int       // CPUs that may produce (perf rings are per CPU)
	Payload   int         // event size, for copies the reader mode must make

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
	// Triggered, set beside Trigger, takes the triggers a C loop issued
	// itself instead of calling Trigger: how many, how many in the
	// window, and each window trigger's duration.
	Triggered func(triggers, windowTriggers uint64, durations *hdrhistogram.Histogram)
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

// Mode is one read mode, declared in its own file in the kernel benchmark
// framework's style: its name, what it is, the knobs that belong to it
// alone, and its constructor. Adding a mode is its file and one line in
// registry; every list of modes (help, validation, claims) reads registry.
type Mode struct {
	Name string
	Doc  string // one line, for help
	// Knobs are the scenario knobs only this mode takes; a scenario of
	// another mode that sets one is refused.
	Knobs []Knob
	// Waits are the ways it waits, for a mode that has several (epoll:
	// WaitThread, WaitNetpoll); nil for one.
	Waits []string
	// Sleeps says it sleeps in a wait syscall, so its latency can be
	// split at the wakeup (bench's --breakdown).
	Sleeps bool
	// Polls lists the waits under which the mode never sleeps for want of
	// events ("" for a mode with one way to wait): no wakeup reaches it, so
	// its natural wakeup policy is the quiet one (schema.NaturalWakeups).
	Polls []string
	// InC says the consumer loop runs in C (modes/cring) and records
	// there: the knobs that act on the Go side — channel delivery, --work,
	// the latency breakdown's trace — do not apply to it.
	InC bool
	// OneRing says the mode reads a single ring buffer (cilium/ebpf's
	// ringbuf.Reader does), so ringbuf-sharded is not for it.
	OneRing bool
	// OwnCommit is how the mode hands ring space back when that is not
	// the scenario's choice (a library's readers commit per record); the
	// commit knob does not apply to it.
	OwnCommit Commit
	// GoTwin, for a mode that does in C what a Go mode does, names that
	// mode (its label, schema.ModeLabel) for each of its waits, so the
	// report can set the two side by side.
	GoTwin func(wait string) string
	// Unavailable says why this binary cannot run the mode; "" when it
	// can.
	Unavailable string
	// Cost measures what recording costs, for a mode that does not record
	// with the Go Recorder; nil means MeasureRecorderCost.
	Cost func(d time.Duration, payload int, o RecorderOptions) RecorderCost
	New  func(Setup) (Consumer, error)
}

// RecorderCostOf measures what recording costs for mode (see Mode.Cost).
func RecorderCostOf(mode string, d time.Duration, payload int, o RecorderOptions) RecorderCost {
	if m, err := Lookup(mode); err == nil && m.Cost != nil {
		return m.Cost(d, payload, o)
	}
	return MeasureRecorderCost(d, payload, o)
}

// Knob is a scenario knob that belongs to one mode: its name (the flag and
// matrix key), its default, and its check, which returns the value in the
// form results name it.
type Knob struct {
	Name    string
	Doc     string // what it does, for help
	Default string
	// Apply parses a value, keeps its typed form in the mode's Setup, and
	// returns the value's canonical text (run.json's and the ID's). It is
	// the one place the knob is parsed.
	Apply func(s *Setup, v string) (string, error)
}

// waitKnob is the wait knob of a mode that can wait several ways, the
// first the default: the same list as the mode's Waits.
func waitKnob(doc string, waits ...string) Knob {
	return Knob{Name: "wait", Default: waits[0], Doc: doc,
		Apply: func(s *Setup, v string) (string, error) {
			if !slices.Contains(waits, v) {
				return "", fmt.Errorf("wait %q: want %s", v, strings.Join(waits, " or "))
			}
			s.Wait = v
			return v, nil
		}}
}

// WaitsOrOne are the mode's waits, or the one unnamed wait ("") of a mode
// that has no choice.
func (m Mode) WaitsOrOne() []string {
	if len(m.Waits) == 0 {
		return []string{""}
	}
	return m.Waits
}

// PollsWith says the mode, waiting as wait ("" for its default), never
// sleeps for want of events.
func (m Mode) PollsWith(wait string) bool {
	if wait == "" {
		wait = m.WaitsOrOne()[0]
	}
	return slices.Contains(m.Polls, wait)
}

// registry lists the modes in the order help and charts show them.
var registry = []Mode{readerMode, spinMode, epollMode, libbpfMode, cmmapMode}

// Modes lists the read modes.
func Modes() []Mode { return slices.Clone(registry) }

// Names lists the modes' names, in registry order.
func Names() []string { return NamesWhere(func(Mode) bool { return true }) }

// NamesWhere lists the names of the modes that have a property, in
// registry order: for a refusal that names the modes that would do.
func NamesWhere(has func(Mode) bool) []string {
	var names []string
	for _, m := range registry {
		if has(m) {
			names = append(names, m.Name)
		}
	}
	return names
}

// Lookup is the mode named name, or an error naming the modes there are.
func Lookup(name string) (Mode, error) {
	for _, m := range registry {
		if m.Name == name {
			return m, nil
		}
	}
	return Mode{}, fmt.Errorf("unknown mode %q (want %s)", name, strings.Join(Names(), ", "))
}

// KnobOwners are the names of the modes that take knob.
func KnobOwners(knob string) []string {
	var out []string
	for _, m := range registry {
		if slices.ContainsFunc(m.Knobs, func(k Knob) bool { return k.Name == knob }) {
			out = append(out, m.Name)
		}
	}
	return out
}

// New builds the consumer of mode for setup. For perfbuf it opens the
// per-CPU perf events and puts them into the array, so the producer has
// somewhere to write from then on.
func New(mode string, s Setup) (Consumer, error) {
	m, err := Lookup(mode)
	if err != nil {
		return nil, err
	}
	return m.New(s)
}
