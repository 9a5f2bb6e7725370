package modes

import (
	"reflect"
	"strings"
	"testing"

	"ringbench/internal/clock"
	"ringbench/internal/window"
)

// Recorders that read disjoint rings merge into what one recorder reading
// everything would have: the same counts, sequences and histogram size.
func TestAbsorb(t *testing.T) {
	w := window.New()
	w.Open(clock.Now() - 1e9)
	one := NewRecorder(2, w, RecorderOptions{})
	a, b := NewRecorder(2, w, RecorderOptions{}), NewRecorder(2, w, RecorderOptions{})
	buf := make([]byte, 64)
	for seq := range uint64(100) {
		if seq == 40 {
			continue // a hole on both CPUs
		}
		for cpu := range uint32(2) {
			ev := event(buf, seq, clock.Now()-1000, cpu)
			one.BeginPass()
			one.Record(ev)
			into := a
			if cpu == 1 {
				into = b
			}
			into.BeginPass()
			into.Record(ev)
		}
	}
	merged := NewRecorder(2, w, RecorderOptions{})
	if err := merged.absorb([]*Recorder{a, b}); err != nil {
		t.Fatal(err)
	}
	g, m := one.Counts(), merged.Counts()
	g.ClockReads, m.ClockReads, g.Restamps, m.Restamps = 0, 0, 0, 0
	if g != m || g.Consumed != 198 {
		t.Errorf("counts: one %+v, merged %+v", g, m)
	}
	if !reflect.DeepEqual(one.Sequences(), merged.Sequences()) {
		t.Errorf("sequences: one %+v, merged %+v", one.Sequences(), merged.Sequences())
	}
	if one.Latency().TotalCount() != merged.Latency().TotalCount() {
		t.Errorf("latencies: one %d, merged %d", one.Latency().TotalCount(), merged.Latency().TotalCount())
	}
	// One CPU's events in two recorders: the rings were not split.
	c := NewRecorder(2, w, RecorderOptions{})
	c.BeginPass()
	c.Record(event(buf, 0, clock.Now()-1000, 0))
	if err := NewRecorder(2, w, RecorderOptions{}).absorb([]*Recorder{a, c}); err == nil || !strings.Contains(err.Error(), "CPU 0's events reached consumers 0 and 1") {
		t.Errorf("overlap: %v", err)
	}
}
