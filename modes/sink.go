package modes

import (
	"ringbench/internal/clock"
)

// keepAllocs is how many of the synthetic work's allocations stay live at
// once: enough that the GC has something to trace, few enough that the heap
// stays small.
const keepAllocs = 64

// sink records events and does the synthetic work on the recording
// goroutine.
type sink struct {
	rec  *Recorder
	work Work
	keep [keepAllocs][]byte
	next int
}

func newSink(rec *Recorder, w Work) *sink { return &sink{rec: rec, work: w} }

func (s *sink) record(view []byte) {
	s.rec.Record(view)
	if s.work.CPUNs > 0 {
		for start := clock.Now(); clock.Now()-start < s.work.CPUNs; {
		}
	}
	if s.work.AllocBytes > 0 {
		b := make([]byte, s.work.AllocBytes)
		b[0] = view[0]
		s.keep[s.next%keepAllocs] = b
		s.next++
	}
}
