package modes

import (
	"encoding/binary"
	"testing"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/window"
)

func event(buf []byte, seq uint64, ts int64, cpu uint32) []byte {
	binary.NativeEndian.PutUint64(buf[0:], seq)
	binary.NativeEndian.PutUint64(buf[8:], uint64(ts))
	binary.NativeEndian.PutUint32(buf[16:], cpu)
	binary.NativeEndian.PutUint32(buf[20:], uint32(len(buf)))
	return buf
}

func TestRecorder(t *testing.T) {
	w := window.New()
	r := NewRecorder(2, w)
	buf := make([]byte, 64)
	now := clock.Now()

	r.Record(event(buf, 0, now-1000, 0)) // before the window: sequence only
	w.Open(now)
	r.Record(event(buf, 1, clock.Now(), 0))
	r.Record(event(buf, 0, clock.Now(), 1))
	r.Record(event(buf, 1, clock.Now()+1e12, 1)) // from the future
	r.Record(event(buf, 0, clock.Now(), 7))      // no such CPU
	r.Record(buf[:bpf.EventHeaderSize-1])        // too short

	if r.Consumed != 4 || r.Measured != 2 || r.Negative != 1 || r.Malformed != 2 {
		t.Fatalf("consumed %d measured %d negative %d malformed %d", r.Consumed, r.Measured, r.Negative, r.Malformed)
	}
	if got := r.Latency().TotalCount(); got != 2 {
		t.Fatalf("histogram holds %d values, want 2", got)
	}
	if r.MinLatency <= 0 {
		t.Fatalf("min latency %d", r.MinLatency)
	}
	seqs := r.Sequences()
	if len(seqs) != 2 || seqs[0].Unique != 2 || seqs[1].Unique != 2 || seqs[0].Holes+seqs[1].Holes != 0 {
		t.Fatalf("sequences %+v", seqs)
	}
}

// The record path must not allocate: it runs once per event.
func BenchmarkRecorder(b *testing.B) {
	w := window.New()
	w.Open(0)
	r := NewRecorder(1, w)
	buf := make([]byte, 64)
	b.ReportAllocs()
	var seq uint64
	for b.Loop() {
		event(buf, seq, clock.Now(), 0)
		r.Record(buf)
		seq++
	}
	// Every record must take the whole path, latency histogram included.
	if r.Consumed != seq || r.Measured != seq || r.Latency().TotalCount() != int64(seq) {
		b.Fatalf("%d records: consumed %d, measured %d, histogram %d", seq, r.Consumed, r.Measured, r.Latency().TotalCount())
	}
}
