package modes

import (
	"time"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/window"
)

// RecorderCost is what recording costs on this machine, measured in the
// process that will record: a pass of one event (the clock reading, the
// call, the event) and each event of a long pass.
type RecorderCost struct {
	PassNs   float64 // RecordPass of one event
	EventNs  float64 // per event, in passes of costPass events (RecordPass)
	SingleNs float64 // per event, in passes of costPass, taken one Record at a time
}

const costPass = 256

// MeasureRecorderCost records synthetic in-order events of payload bytes
// (or compact ones) for about d, a third in passes of one event, a third in
// passes of costPass, a third in such passes one Record at a time, with a
// Recorder of its own.
func MeasureRecorderCost(d time.Duration, payload int, o RecorderOptions) RecorderCost {
	size := max(payload, bpf.EventHeaderSize)
	if o.NoTimestamps {
		size = bpf.CompactEventSize
	}
	buf := make([]byte, costPass*size)
	views := make([][]byte, costPass)
	for i := range views {
		views[i] = buf[i*size : (i+1)*size]
	}
	w := window.New()
	w.Open(0)
	if o.Trace != nil {
		// A trace of its own, as large as the events it will record
		// (about 20 ms at ~50 ns each), so the cost holds the trace's.
		o.Trace = NewReadTrace(1 << 19)
	}
	r := NewRecorder(1, w, o)
	var seq uint64
	run := func(n int, single bool) float64 {
		var events, ns int64
		for deadline := clock.Now() + int64(d/3); clock.Now() < deadline; {
			ts := clock.Now()
			for i := range n { // as a producer would have written them
				if o.NoTimestamps {
					bpf.PutCompactEvent(views[i], 0, seq)
				} else {
					bpf.PutEventHeader(views[i], bpf.EventHeader{Seq: seq, Timestamp: ts, Len: uint32(size)})
				}
				seq++
			}
			t0 := clock.Now()
			if single {
				r.BeginPass()
				for _, v := range views[:n] {
					r.Record(v)
				}
			} else {
				r.RecordPass(views[:n])
			}
			ns += clock.Now() - t0
			events += int64(n)
		}
		return float64(ns) / float64(events)
	}
	// What is timed holds one clock reading of the timing's own per pass;
	// it is subtracted.
	overhead := clockReadNs()
	return RecorderCost{
		PassNs:   max(run(1, false)-overhead, 0),
		EventNs:  max(run(costPass, false)-overhead/costPass, 0),
		SingleNs: max(run(costPass, true)-overhead/costPass, 0),
	}
}

// clockReadNs is the cost of one clock reading, from a thousand in a row.
func clockReadNs() float64 {
	t0 := clock.Now()
	for range 1000 {
		clock.Now()
	}
	return float64(clock.Now()-t0) / 1000
}
