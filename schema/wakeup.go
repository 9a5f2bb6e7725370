package schema

import "fmt"

// The wakeup policies, by transport, that the scenario IDs, the natural
// wakeups of the matrices and the report's base sweeps all name.

// NaturalSample is the period of the sampled policy a sleeping mode runs
// with in practice: a wakeup per 64 events per CPU.
const NaturalSample = 64

// The symbolic wakeups a matrix block or `run --wakeup` may give: each
// mode's own policy, resolved per mode by bench.
const (
	// WakeupNatural: none for a mode that polls (a wakeup it never sleeps
	// on only costs the producer), the transport's default for a mode that
	// sleeps.
	WakeupNatural = "natural"
	// WakeupNaturalSampled: none for a mode that polls, a sampled policy
	// (NaturalSample) for a mode that sleeps.
	WakeupNaturalSampled = "natural-sampled"
)

func perf(transport string) bool { return transport == TransportPerfbuf }

// DefaultWakeup is the policy a transport uses when none is given: the
// kernel's behaviour for ring buffers (wake a consumer that has caught
// up), a wakeup per sample for perf (cilium/ebpf's perf.Reader default).
func DefaultWakeup(transport string) string {
	if perf(transport) {
		return "wakeup_events=1"
	}
	return "adaptive"
}

// QuietWakeup is the policy for a consumer that never sleeps: ring buffers
// send none; a perf ring cannot be told never to wake, so it wakes per a
// million samples — and, as every perf ring does, whenever another
// watermark's worth of bytes was written, half the ring unless set
// (kernel/events/ring_buffer.c: ring_buffer_init, __perf_output_begin).
func QuietWakeup(transport string) string {
	if perf(transport) {
		return "wakeup_events=1000000"
	}
	return "none"
}

// SampledWakeup wakes per NaturalSample events per CPU.
func SampledWakeup(transport string) string {
	if perf(transport) {
		return fmt.Sprintf("wakeup_events=%d", NaturalSample)
	}
	return fmt.Sprintf("sampled:%d", NaturalSample)
}

// NaturalWakeups are the policies a mode runs with in practice: a polling
// mode the quiet one; a sleeping mode the default, then the sampled one.
func NaturalWakeups(transport string, polls bool) []string {
	if polls {
		return []string{QuietWakeup(transport)}
	}
	return []string{DefaultWakeup(transport), SampledWakeup(transport)}
}
