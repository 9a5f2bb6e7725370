package modes

import (
	"encoding/binary"
	"sync/atomic"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/hist"
	"ringbench/internal/window"
)

// Recorder takes each event a consumer reads: it checks the per-CPU
// sequence, and for events emitted inside the measured window records
// latency (CLOCK_MONOTONIC now − emission time). One Recorder per recording
// goroutine: nothing in it is locked, and Record does not allocate.
//
// The clock is read once per pass (ClockPerDrain): a mode calls BeginPass
// each time it starts on the records that became visible together (a drain
// of the ring, a batch off a channel), and the pass's first record reads the
// clock; every record of the pass is timed against that reading. A record
// stamped after it (committed while the pass ran) is timed against a fresh
// reading instead, so a latency is never negative by construction of the
// harness — only by a clock defect. ClockPerEvent reads the clock for every
// record. A clock read costs ~28 ns on a VM's kvm-clock, five times the
// parse of a record, so per event it would be most of what is measured.
//
// Record is the harness's cost per event, so it keeps as little as it can
// per event: counts that can be derived at the end (events consumed and
// measured, bytes) are, from the sequence trackers and the histogram.
type Recorder struct {
	window   *window.Window
	latency  *hist.Counts
	seq      []cpuSeq
	opts     RecorderOptions
	perEvent bool  // opts.Clock == ClockPerEvent, as one load
	longWay  bool  // every event through unusual: per-event clock, or a trace to keep
	now      int64 // the pass's clock reading; 0: not read yet in this pass
	read     func() int64
	// The window's bounds as of the last clock reading: it is planned
	// before the first event, so a per-event test reads two fields, not
	// two atomics.
	winStart, winEnd int64
	eventLen         uint32 // the events' length, from the first one; all are alike

	c       RecorderCounts // what cannot be derived
	inWin   uint64         // events without timestamps counted in the window
	tooSlow uint64

	thread atomic.Int64 // the reading thread, when the mode locked one
}

// RecorderCounts are what a Recorder counted.
type RecorderCounts struct {
	Consumed      uint64 // events taken, malformed ones aside
	Measured      uint64 // events emitted inside the window
	MeasuredBytes uint64
	Lost          uint64 // events the transport reported lost (perf LOST records)
	Negative      uint64 // events stamped after they were read: a clock defect
	Malformed     uint64 // records too short, naming a CPU that does not exist, or of another length
	TooSlow       uint64 // latencies beyond the histogram's range
	ClockReads    uint64 // clock readings taken by Record
	Restamps      uint64 // of those, for records newer than their pass's reading
	// Batched is how many records came a pass at a time (RecordPass); the
	// others came one Record call each. The two ways cost differently
	// (MeasureRecorderCost's EventNs and SingleNs).
	Batched uint64
}

// RecorderOptions say what a Recorder measures.
type RecorderOptions struct {
	Clock LatencyClock
	// NoTimestamps: the events are the 8-byte kind without a timestamp
	// (bpf.ParseCompactEvent); only sequences are checked, and an event
	// counts as measured when its pass's clock reading is in the window.
	NoTimestamps bool
	// Trace, when set, keeps every window event's emission and read time.
	// Those events take the long way (unusual), so the common loop stays
	// as it is without one.
	Trace *ReadTrace
}

// SetThread records the OS thread the consumer reads on, so its CPU time
// and context switches can be read from outside; 0 means not locked.
func (r *Recorder) SetThread(tid int) { r.thread.Store(int64(tid)) }

// Thread is the reading thread's ID, or 0 if the consumer is not locked to
// one (or has not started).
func (r *Recorder) Thread() int { return int(r.thread.Load()) }

// NewRecorder returns a recorder for producers on CPUs 0..cpus-1 that
// records latency for events emitted inside w.
func NewRecorder(cpus int, w *window.Window, o RecorderOptions) *Recorder {
	return &Recorder{window: w, latency: hist.NewCounts(), seq: make([]cpuSeq, cpus), opts: o,
		perEvent: o.Clock == ClockPerEvent, longWay: o.Clock == ClockPerEvent || o.Trace != nil, read: clock.Now}
}

// BeginPass starts a pass over records that became visible together: the
// next Record reads the clock.
func (r *Recorder) BeginPass() { r.now = 0 }

// restamp reads the clock for an event stamped ts: the pass's first, an
// event newer than the pass's reading, or every event per event. It returns
// the reading and the window's bounds.
func (r *Recorder) restamp(ts int64) (now, winStart, winEnd int64) {
	if r.now != 0 && !r.perEvent && ts >= r.now {
		r.c.Restamps++
	}
	r.now = r.read()
	r.c.ClockReads++
	r.winStart, r.winEnd = r.window.Bounds()
	return r.now, r.winStart, r.winEnd
}

// RecordPass takes the events of one pass, views of records that became
// visible together (a drain of the ring, a batch off a channel): the clock
// is read once for all of them.
func (r *Recorder) RecordPass(views [][]byte) {
	r.c.Batched += uint64(len(views))
	r.BeginPass()
	r.record(views)
}

// Record takes one event of the current pass (BeginPass). raw is a view of
// the event (it may point into the ring); it is not kept. It is the reader
// mode's way in, once per record its library hands out, so it goes straight
// to the common loop.
func (r *Recorder) Record(raw []byte) {
	if !r.opts.NoTimestamps && !r.longWay {
		seq, ts, cpu, length, ok := header(raw)
		if ok && cpu < uint32(len(r.seq)) && length == r.eventLen && seq == r.seq[cpu].next && ts < r.now {
			r.seq[cpu].next = seq + 1
			if ts >= r.winStart && ts < r.winEnd && !count(r.latency.Raw(), r.now-ts) {
				r.tooSlow++
			}
			return
		}
	}
	r.unusualOrCompact(raw)
}

// header decodes an event's header in place (bpf.EventHeader's layout); ok
// is false if raw is too short or says it is longer than it is.
func header(raw []byte) (seq uint64, ts int64, cpu, length uint32, ok bool) {
	if len(raw) < bpf.EventHeaderSize {
		return 0, 0, 0, 0, false
	}
	h := raw[:bpf.EventHeaderSize]
	length = binary.NativeEndian.Uint32(h[20:])
	return binary.NativeEndian.Uint64(h[0:]), int64(binary.NativeEndian.Uint64(h[8:])),
		binary.NativeEndian.Uint32(h[16:]), length, uint64(length) <= uint64(len(raw))
}

// count files a latency in the histogram's counts; false if out of range.
func count(counts []int64, lat int64) bool {
	if i := hist.Index(lat); uint(i) < uint(len(counts)) {
		counts[i]++
		return true
	}
	return false
}

// record is the harness's cost per event. Its loop (common) calls nothing,
// so the compiler keeps its state in registers; whatever the loop cannot
// take — the pass's first event (the clock), an event newer than the pass's
// reading, one out of sequence, the run's first event or a malformed one —
// it leaves to unusual, one event at a time, and resumes after it.
func (r *Recorder) record(views [][]byte) {
	if r.opts.NoTimestamps || r.longWay {
		for _, raw := range views {
			r.unusualOrCompact(raw)
		}
		return
	}
	for len(views) > 0 {
		n := r.common(views)
		if views = views[n:]; len(views) > 0 {
			r.unusual(views[0])
			views = views[1:]
		}
	}
}

// common takes events for as long as they are the usual kind: well formed,
// next in their CPU's sequence, stamped before the pass's clock reading. It
// returns how many it took.
func (r *Recorder) common(views [][]byte) int {
	now, winStart, winEnd := r.now, r.winStart, r.winEnd
	seqs, eventLen, counts := r.seq, r.eventLen, r.latency.Raw()
	// The header is decoded and the histogram counted here rather than by
	// header() and count(): written out, the loop compiles tighter (6.5
	// against 9 ns per event in BenchmarkRecorder, interleaved).
	for k, raw := range views {
		if len(raw) < bpf.EventHeaderSize {
			return k
		}
		h := raw[:bpf.EventHeaderSize]
		seq := binary.NativeEndian.Uint64(h[0:])
		ts := int64(binary.NativeEndian.Uint64(h[8:]))
		cpu := binary.NativeEndian.Uint32(h[16:])
		length := binary.NativeEndian.Uint32(h[20:])
		if cpu >= uint32(len(seqs)) || length != eventLen || uint64(length) > uint64(len(raw)) ||
			seq != seqs[cpu].next || ts >= now {
			return k
		}
		seqs[cpu].next = seq + 1 // cpuSeq.observe's common case
		if ts < winStart || ts >= winEnd {
			continue
		}
		if i := hist.Index(now - ts); uint(i) < uint(len(counts)) {
			counts[i]++
		} else {
			r.tooSlow++
		}
	}
	return len(views)
}

// unusualOrCompact takes one event the long way.
func (r *Recorder) unusualOrCompact(raw []byte) {
	if r.opts.NoTimestamps {
		r.recordCompact(raw)
		return
	}
	r.unusual(raw)
}

// unusual takes one event the common loop would not, the long way.
func (r *Recorder) unusual(raw []byte) {
	seq, ts, cpu, length, ok := header(raw)
	if !ok && len(raw) < bpf.EventHeaderSize {
		r.c.Malformed++
		return
	}
	if !ok || cpu >= uint32(len(r.seq)) || length != r.eventLen {
		if !r.firstEvent(raw, cpu, length) {
			return
		}
	}
	r.seq[cpu].observe(seq)
	now, winStart, winEnd := r.now, r.winStart, r.winEnd
	if ts >= now || r.perEvent {
		now, winStart, winEnd = r.restamp(ts)
	}
	lat := now - ts
	if lat < 0 {
		r.c.Negative++
		return
	}
	if ts < winStart || ts >= winEnd {
		return
	}
	if !count(r.latency.Raw(), lat) {
		r.tooSlow++
	}
	if r.opts.Trace != nil {
		r.opts.Trace.add(ts, now)
	}
}

// firstEvent takes the length of the first well-formed event, which every
// other must share, and reports whether raw is that event; anything else
// that reaches it is malformed.
func (r *Recorder) firstEvent(raw []byte, cpu, length uint32) bool {
	if r.eventLen == 0 && cpu < uint32(len(r.seq)) && length >= bpf.EventHeaderSize && uint64(length) <= uint64(len(raw)) {
		r.eventLen = length
		return true
	}
	r.c.Malformed++
	return false
}

// recordCompact takes an event without a timestamp.
func (r *Recorder) recordCompact(raw []byte) {
	cpu, seq, ok := bpf.ParseCompactEvent(raw)
	if !ok || int(cpu) >= len(r.seq) {
		r.c.Malformed++
		return
	}
	r.seq[cpu].observe(seq)
	// Without a timestamp an event counts as measured when its pass's
	// clock reading falls in the window.
	if r.now == 0 || r.perEvent {
		r.restamp(0)
	}
	if r.now >= r.winStart && r.now < r.winEnd {
		r.inWin++
	}
}

// AddLost counts events the transport reports as lost.
func (r *Recorder) AddLost(n uint64) { r.c.Lost += n }

// Counts is what the recorder counted; call it after the recording
// goroutine has stopped.
func (r *Recorder) Counts() RecorderCounts {
	c := r.c
	for i := range r.seq {
		c.Consumed += r.seq[i].arrivals()
	}
	c.TooSlow = r.tooSlow
	if r.opts.NoTimestamps {
		c.Measured = r.inWin
		c.MeasuredBytes = r.inWin * bpf.CompactEventSize
	} else {
		c.Measured = uint64(r.latency.Total()) + r.tooSlow
		c.MeasuredBytes = c.Measured * uint64(r.eventLen)
	}
	// Events with a negative latency took part in the sequence check but
	// not in the window.
	return c
}

// Latency is the histogram of the window's latencies in nanoseconds, built
// from the counts on each call: call it once, after recording.
func (r *Recorder) Latency() *hdrhistogram.Histogram { return r.latency.Histogram() }

// Sequences returns the per-CPU sequence accounting, for CPUs that produced.
func (r *Recorder) Sequences() []SeqStats {
	var out []SeqStats
	for cpu := range r.seq {
		c := &r.seq[cpu]
		if c.next == 0 && c.arrivals() == 0 {
			continue
		}
		out = append(out, c.stats(cpu))
	}
	return out
}
