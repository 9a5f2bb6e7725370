package modes

import (
	"encoding/binary"
	"testing"

	"ringbench/internal/clock"
	"ringbench/internal/window"
	"ringbench/modes/ring"
)

// BenchmarkRingbufParseAndRecord is the inline hot path of the mmap modes:
// parse a ring of events in place and record each one (clock read,
// sequence check, histogram). It must not allocate. Records of 56 + 8 bytes
// tile the ring exactly, so each op publishes one more lap of the same
// memory by moving the producer position a ring size ahead; sequence
// numbers then repeat and the tracker counts duplicates, which costs the
// same as in-order arrivals.
func BenchmarkRingbufParseAndRecord(b *testing.B) {
	const size, payload = 1 << 20, 56
	data := make([]byte, 2*size)
	var cons, prod uint64
	now := clock.Now()
	for seq := uint64(0); prod < size; seq++ {
		rec := data[prod : prod+8+payload]
		binary.NativeEndian.PutUint32(rec[0:], payload)
		binary.NativeEndian.PutUint64(rec[8:], seq)
		binary.NativeEndian.PutUint64(rec[16:], uint64(now))
		binary.NativeEndian.PutUint32(rec[28:], payload)
		copy(data[size+prod:], rec)
		prod += 8 + payload
	}
	w := window.New()
	w.Open(0)
	rec := NewRecorder(1, w)
	sk := newSink(rec, Work{})
	src := &benchRingbuf{}
	var err error
	if src.r, err = ring.NewRingbuf(&cons, &prod, data); err != nil {
		b.Fatal(err)
	}
	d := &inline{src: src, visit: sk.take}
	b.ReportAllocs()
	records := 0
	prod = 0
	for b.Loop() {
		prod += size
		n, err := d.drain()
		if err != nil {
			b.Fatal(err)
		}
		records += n
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
}

// benchRingbuf is a source over plain memory.
type benchRingbuf struct{ r *ring.Ringbuf }

func (s *benchRingbuf) read(v func([]byte) bool) (int, error) { return s.r.Read(v) }
func (s *benchRingbuf) mark(m []uint64) []uint64              { return append(m[:0], s.r.Cursor()) }
func (s *benchRingbuf) commit(m []uint64)                     { s.r.Commit(m[0]) }
func (s *benchRingbuf) commitRead()                           { s.r.Commit(s.r.Cursor()) }
func (s *benchRingbuf) pending() bool                         { return s.r.Pending() > 0 }
func (s *benchRingbuf) fds() []int                            { return nil }
func (s *benchRingbuf) lost() uint64                          { return 0 }
func (s *benchRingbuf) close() error                          { return nil }
