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

// beginPass starts a pass over records that became visible together.
func (s *sink) beginPass() { s.rec.BeginPass() }

// recordPass records a pass's views in one call when there is no work to
// interleave, one at a time otherwise.
func (s *sink) recordPass(views [][]byte) {
	if s.work == (Work{}) {
		s.rec.RecordPass(views)
		return
	}
	s.rec.BeginPass()
	for _, v := range views {
		s.record(v)
	}
}

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
