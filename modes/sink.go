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
//
// It also bounds what one clock reading times: a pass is at most passViews
// records, and with synthetic work every record is a pass of its own — the
// work done on the records before it delays it, and its latency must show
// that.
type sink struct {
	rec    *Recorder
	work   Work
	keep   [keepAllocs][]byte
	next   int
	inPass int
}

func newSink(rec *Recorder, w Work) *sink { return &sink{rec: rec, work: w} }

// beginPass starts a pass over records that became visible together.
func (s *sink) beginPass() {
	s.rec.BeginPass()
	s.inPass = 0
}

// recordPass records views that became visible together: passViews at a
// time in one call when there is no work to interleave, one at a time
// otherwise.
func (s *sink) recordPass(views [][]byte) {
	if s.work != (Work{}) {
		for _, v := range views {
			s.record(v)
		}
		return
	}
	for len(views) > 0 {
		n := min(len(views), passViews)
		s.rec.RecordPass(views[:n])
		views = views[n:]
	}
}

// record records one view of the current pass (beginPass), starting a new
// pass when this one is full or there is work.
func (s *sink) record(view []byte) {
	if s.inPass == passViews || s.work != (Work{}) {
		s.beginPass()
	}
	s.inPass++
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
