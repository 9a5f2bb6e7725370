package modes

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/window"
)

func event(buf []byte, seq uint64, ts int64, cpu uint32) []byte {
	bpf.PutEventHeader(buf, bpf.EventHeader{Seq: seq, Timestamp: ts, CPU: cpu, Len: uint32(len(buf))})
	return buf
}

func TestRecorder(t *testing.T) {
	w := window.New()
	r := NewRecorder(2, w, RecorderOptions{Clock: ClockPerEvent})
	buf := make([]byte, 64)
	now := clock.Now()

	r.Record(event(buf, 0, now-1000, 0)) // before the window: sequence only
	w.Open(now)
	r.Record(event(buf, 1, clock.Now(), 0))
	r.Record(event(buf, 0, clock.Now(), 1))
	r.Record(event(buf, 1, clock.Now()+1e12, 1)) // from the future
	r.Record(event(buf, 0, clock.Now(), 7))      // no such CPU
	r.Record(buf[:bpf.EventHeaderSize-1])        // too short

	if r.Counts().Consumed != 4 || r.Counts().Measured != 2 || r.Counts().Negative != 1 || r.Counts().Malformed != 2 {
		t.Fatalf("consumed %d measured %d negative %d malformed %d", r.Counts().Consumed, r.Counts().Measured, r.Counts().Negative, r.Counts().Malformed)
	}
	if got := r.Latency().TotalCount(); got != 2 {
		t.Fatalf("histogram holds %d values, want 2", got)
	}
	if r.Latency().Min() <= 0 {
		t.Fatalf("min latency %d", r.Latency().Min())
	}
	seqs := r.Sequences()
	if len(seqs) != 2 || seqs[0].Unique != 2 || seqs[1].Unique != 2 || seqs[0].Holes+seqs[1].Holes != 0 {
		t.Fatalf("sequences %+v", seqs)
	}
}

// countAt is how many values the histogram holds equal to v (all test
// values are below 2048, where 3 digits keep every ns apart).
func countAt(h *hdrhistogram.Histogram, v int64) int64 {
	for _, bar := range h.Distribution() {
		if bar.From <= v && v <= bar.To {
			return bar.Count
		}
	}
	return 0
}

// fakeClock returns the readings given, in turn, and counts them.
type fakeClock struct {
	readings []int64
	n        int
}

func (f *fakeClock) read() int64 { v := f.readings[f.n]; f.n++; return v }

// Per drain, every record of a pass is timed against one clock reading,
// taken when the pass's first record arrives; a record stamped after that
// reading gets a fresh one; the next pass reads again.
func TestRecorderPerDrainClock(t *testing.T) {
	w := window.New()
	w.Open(0)
	r := NewRecorder(1, w, RecorderOptions{Clock: ClockPerDrain})
	fc := &fakeClock{readings: []int64{1000, 2000, 5000}}
	r.read = fc.read
	buf := make([]byte, 64)

	r.BeginPass()
	for i, ts := range []int64{100, 200, 1500, 1600} { // 1500 was committed after the pass's reading
		r.Record(event(buf, uint64(i), ts, 0))
	}
	r.BeginPass()
	r.Record(event(buf, 4, 4000, 0))

	want := map[int64]int64{900: 1, 800: 1, 500: 1, 400: 1, 1000: 1}
	for v, n := range want {
		if got := countAt(r.Latency(), v); got != n {
			t.Errorf("latency %d ns recorded %d times, want %d", v, got, n)
		}
	}
	if r.Counts().ClockReads != 3 || r.Counts().Restamps != 1 || fc.n != 3 {
		t.Errorf("clock reads %d (restamps %d, fake read %d times), want 3 (1)", r.Counts().ClockReads, r.Counts().Restamps, fc.n)
	}
	if r.Counts().Negative != 0 || r.Latency().Min() != 400 {
		t.Errorf("negative %d, min %d", r.Counts().Negative, r.Latency().Min())
	}
}

// Per event, every record reads the clock, pass or not.
func TestRecorderPerEventClock(t *testing.T) {
	w := window.New()
	w.Open(0)
	r := NewRecorder(1, w, RecorderOptions{Clock: ClockPerEvent})
	fc := &fakeClock{readings: []int64{1000, 1100, 1300}}
	r.read = fc.read
	buf := make([]byte, 64)
	r.BeginPass()
	for i := range 3 {
		r.Record(event(buf, uint64(i), 100, 0))
	}
	for _, v := range []int64{900, 1000, 1200} {
		if countAt(r.Latency(), v) != 1 {
			t.Errorf("latency %d ns not recorded once", v)
		}
	}
	if r.Counts().ClockReads != 3 || r.Counts().Restamps != 0 {
		t.Errorf("clock reads %d, restamps %d", r.Counts().ClockReads, r.Counts().Restamps)
	}
}

// Without timestamps, sequences are checked and an event is measured when
// its pass's clock reading falls in the window; no latency is recorded.
func TestRecorderNoTimestamps(t *testing.T) {
	w := window.New()
	w.Open(1000)
	w.Close(2000)
	r := NewRecorder(2, w, RecorderOptions{NoTimestamps: true})
	fc := &fakeClock{readings: []int64{500, 1500, 2500}}
	r.read = fc.read
	compact := func(cpu uint32, seq uint64) []byte {
		b := make([]byte, bpf.CompactEventSize)
		bpf.PutCompactEvent(b, cpu, seq)
		return b
	}
	for _, events := range [][][]byte{
		{compact(0, 0), compact(1, 0)},                // before the window
		{compact(0, 1), compact(0, 3), compact(1, 1)}, // inside; CPU 0 skips seq 2
		{compact(1, 2)},                               // after
	} {
		r.BeginPass()
		for _, e := range events {
			r.Record(e)
		}
	}
	r.Record([]byte{1, 2, 3}) // too short
	r.Record(compact(9, 0))   // no such CPU
	if r.Counts().Consumed != 6 || r.Counts().Measured != 3 || r.Counts().Malformed != 2 || r.Latency().TotalCount() != 0 {
		t.Fatalf("consumed %d measured %d malformed %d latencies %d", r.Counts().Consumed, r.Counts().Measured, r.Counts().Malformed, r.Latency().TotalCount())
	}
	if r.Counts().MeasuredBytes != 3*bpf.CompactEventSize || r.Counts().ClockReads != 3 {
		t.Errorf("measured bytes %d, clock reads %d", r.Counts().MeasuredBytes, r.Counts().ClockReads)
	}
	s := r.Sequences()
	if len(s) != 2 || s[0].Holes != 1 || s[0].Unique != 3 || s[1].Unique != 3 || s[1].Holes != 0 {
		t.Errorf("sequences %+v", s)
	}
}

// The record path must not allocate: it runs once per event. Each op is
// one pass over batch events that became visible together, laid out back to
// back as in a ring, as a drain hands them over, stamped 40 ns apart (a
// producer emitting 25M/s: real latencies differ from event to event, and so
// do the histogram buckets they land in). Enough passes for 64 KiB of events
// are built up front with consecutive sequence numbers, so every event takes
// the in-order path; after the last pass the sequence tracker rewinds. The
// events stay in cache, as they are when a drain has just parsed their ring
// records (the cache misses of reading a ring are the ring parser's cost,
// BenchmarkRingbufDrain). ns/event is the harness's cost per event: the
// header, the sequence check, the window test, the histogram, and the clock
// read per pass (or per event).
func BenchmarkRecorder(b *testing.B) {
	for _, clk := range []LatencyClock{ClockPerDrain, ClockPerEvent} {
		for _, batch := range []int{1, 64, 500} {
			b.Run(fmt.Sprintf("clock=%s/batch=%d", clk, batch), func(b *testing.B) {
				benchRecorder(b, RecorderOptions{Clock: clk}, batch, false)
			})
		}
	}
	for _, batch := range []int{64, 500} {
		b.Run(fmt.Sprintf("timestamps=false/batch=%d", batch), func(b *testing.B) {
			benchRecorder(b, RecorderOptions{NoTimestamps: true}, batch, false)
		})
	}
	// The reader mode's way: a pass of batch records, one Record call each.
	for _, batch := range []int{64, 500} {
		b.Run(fmt.Sprintf("one-at-a-time/batch=%d", batch), func(b *testing.B) {
			benchRecorder(b, RecorderOptions{Clock: ClockPerDrain}, batch, true)
		})
	}
}

func benchRecorder(b *testing.B, o RecorderOptions, batch int, single bool) {
	w := window.New()
	w.Open(0)
	r := NewRecorder(1, w, o)
	size := 64
	if o.NoTimestamps {
		size = bpf.CompactEventSize
	}
	ts := clock.Now() - int64(batch)*40
	benchPasses := max(1, 64<<10/(batch*size))
	passes := make([][][]byte, benchPasses)
	buf := make([]byte, benchPasses*batch*size)
	for p := range passes {
		for i := range batch {
			seq := uint64(p*batch + i)
			e := buf[(p*batch+i)*size : (p*batch+i+1)*size]
			if o.NoTimestamps {
				bpf.PutCompactEvent(e, 0, seq)
			} else {
				event(e, seq, ts+int64(i)*40, 0)
			}
			passes[p] = append(passes[p], e)
		}
	}
	b.ReportAllocs()
	records, p := 0, 0
	var earlier uint64 // consumed before the tracker last started over
	for b.Loop() {
		if single {
			r.BeginPass()
			for _, e := range passes[p] {
				r.Record(e)
			}
		} else {
			r.RecordPass(passes[p])
		}
		records += batch
		if p++; p == benchPasses {
			p = 0
			// Rewind: the bits of the numbers to come are set already,
			// which only a late or repeated arrival would look at.
			earlier += r.seq[0].arrivals()
			r.seq[0].next, r.seq[0].open = 0, 0
		}
	}
	// Every record must take the whole path, latency histogram included.
	hist := int64(records)
	if o.NoTimestamps {
		hist = 0
	}
	c := r.Counts()
	if earlier+c.Consumed != uint64(records) || c.Measured != uint64(records) || r.Latency().TotalCount() != hist {
		b.Fatalf("%d records: consumed %d, measured %d, histogram %d", records, earlier+c.Consumed, c.Measured, r.Latency().TotalCount())
	}
	for _, s := range r.Sequences() { // empty right after a rewind
		if s.Duplicates+s.OutOfOrder+s.Holes != 0 {
			b.Fatalf("sequences %+v: want every event in order", s)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/event")
	b.ReportMetric(float64(c.ClockReads)/float64(records), "clock-reads/event")
}

// The recorder's cost is measured on its own events: positive, finite
// figures for each way of handing events over.
func TestMeasureRecorderCost(t *testing.T) {
	for _, o := range []RecorderOptions{{Clock: ClockPerDrain}, {Clock: ClockPerEvent}, {NoTimestamps: true}} {
		c := MeasureRecorderCost(3*time.Millisecond, 64, o)
		for _, v := range []float64{c.PassNs, c.EventNs, c.SingleNs} {
			if !(v > 0) || math.IsInf(v, 0) {
				t.Errorf("%+v: cost %+v", o, c)
			}
		}
	}
}

// With a trace, each window event's emission and its pass's clock reading
// are kept, per drain as without one; events outside the window are not,
// and past the trace's capacity events are counted, not kept.
func TestRecorderTrace(t *testing.T) {
	w := window.New()
	w.Open(100)
	w.Close(10_000)
	trace := NewReadTrace(3)
	r := NewRecorder(1, w, RecorderOptions{Clock: ClockPerDrain, Trace: trace})
	fc := &fakeClock{readings: []int64{1000, 2000}}
	r.read = fc.read
	buf := make([][]byte, 3)
	for i := range buf {
		buf[i] = make([]byte, 64)
	}
	r.RecordPass([][]byte{event(buf[0], 0, 50, 0), event(buf[1], 1, 400, 0), event(buf[2], 2, 900, 0)})
	r.RecordPass([][]byte{event(buf[0], 3, 1500, 0), event(buf[1], 4, 1600, 0)})
	want := []TracedRead{{400, 1000}, {900, 1000}, {1500, 2000}}
	if len(trace.Reads) != len(want) || trace.Overrun != 1 {
		t.Fatalf("trace %v, overrun %d; want %v, 1", trace.Reads, trace.Overrun, want)
	}
	for i := range want {
		if trace.Reads[i] != want[i] {
			t.Errorf("read %d: %+v, want %+v", i, trace.Reads[i], want[i])
		}
	}
	if r.Counts().Measured != 4 || r.Counts().ClockReads != 2 {
		t.Errorf("measured %d, clock reads %d; want 4, 2", r.Counts().Measured, r.Counts().ClockReads)
	}
}
