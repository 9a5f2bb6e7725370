package modes

// ReadTrace keeps, for events emitted inside the window, when each was
// emitted and when its pass read the clock: what the latency breakdown
// (bench's --breakdown) matches against the kernel's record of the
// consumer's waits. It is preallocated and never grows: past its capacity
// events are counted, not kept.
type ReadTrace struct {
	Reads   []TracedRead
	Overrun uint64 // in-window events that found the trace full
}

// TracedRead is one event's emission and read times (CLOCK_MONOTONIC ns).
type TracedRead struct {
	Emit, Read int64
}

// NewReadTrace holds up to n events.
func NewReadTrace(n int) *ReadTrace { return &ReadTrace{Reads: make([]TracedRead, 0, n)} }

func (t *ReadTrace) add(emit, read int64) {
	if len(t.Reads) == cap(t.Reads) {
		t.Overrun++
		return
	}
	t.Reads = append(t.Reads, TracedRead{Emit: emit, Read: read})
}
