package modes

import (
	"testing"

	"ringbench/internal/window"
)

// The sink bounds a pass: passViews records at most, and one record when
// there is synthetic work (the work on earlier records delays later ones).
func TestSinkPasses(t *testing.T) {
	views := func(n int) [][]byte {
		out := make([][]byte, n)
		for i := range out {
			out[i] = event(make([]byte, 64), uint64(i), 1, 0)
		}
		return out
	}
	for _, c := range []struct {
		name  string
		work  Work
		each  bool // one record at a time, as the reader and commit=record do
		n     int
		reads uint64
	}{
		{"batch", Work{}, false, 2*passViews + 1, 3},
		{"one at a time", Work{}, true, 2*passViews + 1, 3},
		{"work", Work{CPUNs: 1}, false, 5, 5},
		{"work, one at a time", Work{CPUNs: 1}, true, 5, 5},
	} {
		w := window.New()
		w.Open(0)
		rec := NewRecorder(1, w, RecorderOptions{})
		s := newSink(rec, c.work)
		if c.each {
			s.beginPass()
			for _, v := range views(c.n) {
				s.record(v)
			}
		} else {
			s.recordPass(views(c.n))
		}
		if got := rec.Counts(); got.ClockReads != c.reads || got.Consumed != uint64(c.n) {
			t.Errorf("%s: %d clock readings for %d records (consumed %d), want %d", c.name, got.ClockReads, c.n, got.Consumed, c.reads)
		}
		// Only a batch without work reaches the Recorder a pass at a time.
		batched := uint64(0)
		if !c.each && c.work == (Work{}) {
			batched = uint64(c.n)
		}
		if got := rec.Counts().Batched; got != batched {
			t.Errorf("%s: %d records batched, want %d", c.name, got, batched)
		}
	}
}
