package modes

import (
	"sync/atomic"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/hist"
	"ringbench/internal/window"
)

// Recorder takes each event a consumer reads: it checks the per-CPU
// sequence, and for events emitted inside the measured window records
// latency (CLOCK_MONOTONIC now − emission time) and counts. One Recorder per
// recording goroutine: nothing in it is locked, and Record does not allocate.
type Recorder struct {
	window  *window.Window
	latency *hdrhistogram.Histogram
	seq     []cpuSeq

	Consumed      uint64 // every event handed to Record
	Measured      uint64 // events emitted inside the window
	MeasuredBytes uint64
	Lost          uint64 // events the transport reported lost (perf LOST records)
	Negative      uint64 // events stamped after they were read: a clock defect
	Malformed     uint64 // records too short or naming a CPU that does not exist
	TooSlow       uint64 // latencies beyond the histogram's range
	MinLatency    int64  // smallest latency seen in the window; 0 if none

	thread atomic.Int64 // the reading thread, when the mode locked one
}

// SetThread records the OS thread the consumer reads on, so its CPU time
// and context switches can be read from outside; 0 means not locked.
func (r *Recorder) SetThread(tid int) { r.thread.Store(int64(tid)) }

// Thread is the reading thread's ID, or 0 if the consumer is not locked to
// one (or has not started).
func (r *Recorder) Thread() int { return int(r.thread.Load()) }

// NewRecorder returns a recorder for producers on CPUs 0..cpus-1 that
// records latency for events emitted inside w.
func NewRecorder(cpus int, w *window.Window) *Recorder {
	return &Recorder{window: w, latency: hist.New(), seq: make([]cpuSeq, cpus)}
}

// Record takes one event. raw is a view of the event (it may point into the
// ring); it is not kept.
func (r *Recorder) Record(raw []byte) {
	now := clock.Now()
	h, ok := bpf.ParseEventHeader(raw)
	if !ok || int(h.CPU) >= len(r.seq) || int(h.Len) > len(raw) {
		r.Malformed++
		return
	}
	r.Consumed++
	r.seq[h.CPU].observe(h.Seq)
	lat := now - h.Timestamp
	if lat < 0 {
		r.Negative++
		return
	}
	if !r.window.Contains(h.Timestamp) {
		return
	}
	r.Measured++
	r.MeasuredBytes += uint64(h.Len)
	if r.MinLatency == 0 || lat < r.MinLatency {
		r.MinLatency = lat
	}
	if r.latency.RecordValue(lat) != nil {
		r.TooSlow++
	}
}

// AddLost counts events the transport reports as lost.
func (r *Recorder) AddLost(n uint64) { r.Lost += n }

// Latency is the histogram of the window's latencies in nanoseconds.
func (r *Recorder) Latency() *hdrhistogram.Histogram { return r.latency }

// Sequences returns the per-CPU sequence accounting, for CPUs that produced.
func (r *Recorder) Sequences() []SeqStats {
	var out []SeqStats
	for cpu := range r.seq {
		c := &r.seq[cpu]
		if c.next == 0 && c.unique == 0 {
			continue
		}
		out = append(out, SeqStats{
			CPU: cpu, Unique: c.unique, Highest: c.next, Holes: c.next - min(c.unique, c.next),
			Duplicates: c.dups, OutOfOrder: c.reorders,
		})
	}
	return out
}
