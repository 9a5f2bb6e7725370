package modes

import (
	"encoding/binary"
	"testing"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/window"
	"ringbench/modes/ring"
)

// The delivery benchmarks run the mmap modes' hot path: parse a ring of
// events in place and record each one (clock read, sequence check,
// histogram). It must not allocate. Records of 56 + 8 bytes tile the ring
// exactly, so each op publishes one more lap of the same memory by moving
// the producer position a ring size ahead, once the previous lap has been
// handed back, after writing the lap's sequence numbers as a producer would
// (those stores are counted in ns/record).

// BenchmarkRingbufParseAndRecord is inline delivery.
func BenchmarkRingbufParseAndRecord(b *testing.B) {
	benchDelivery(b, Delivery{})
}

// BenchmarkRingbufChannel is channel delivery in batches of 64: zero-copy
// views handed to a worker goroutine, ring space released as batches return.
func BenchmarkRingbufChannel(b *testing.B) {
	benchDelivery(b, Delivery{Channel: true, Batch: 64})
}

func benchDelivery(b *testing.B, delivery Delivery) {
	const size, payload = 1 << 20, 56
	data := make([]byte, 2*size)
	var cons, prod uint64
	now := clock.Now()
	for seq := uint64(0); prod < size; seq++ {
		rec := data[prod : prod+8+payload]
		binary.NativeEndian.PutUint32(rec[0:], payload) // the ring record's header
		bpf.PutEventHeader(rec[8:], bpf.EventHeader{Seq: seq, Timestamp: now, Len: payload})
		copy(data[size+prod:], rec)
		prod += 8 + payload
	}
	w := window.New()
	w.Open(0)
	rec := NewRecorder(1, w, RecorderOptions{})
	r, err := ring.NewRingbuf(&cons, &prod, data)
	if err != nil {
		b.Fatal(err)
	}
	// The ringbuf source the modes use, over plain memory instead of a mapping.
	d := newDeliverer(Setup{Delivery: delivery}, &ringbufSource{m: &ring.RingbufMapping{Ring: r}}, rec, false)
	perOp := size / (8 + payload)
	b.ReportAllocs()
	records := 0
	prod = 0
	lap := uint64(0)
	for b.Loop() {
		for cons != prod { // the worker still holds views of the last lap
			if _, err := d.drain(); err != nil {
				b.Fatal(err)
			}
		}
		for i := range uint64(perOp) {
			binary.NativeEndian.PutUint64(data[i*(8+payload)+8:], lap*uint64(perOp)+i)
		}
		lap++
		prod += size
		n, err := d.drain()
		if err != nil || n != perOp {
			b.Fatalf("drained %d of %d records: %v", n, perOp, err)
		}
		records += n
	}
	if err := d.finish(); err != nil {
		b.Fatal(err)
	}
	if cons != prod || rec.Counts().Consumed != uint64(records) || rec.Counts().Measured != rec.Counts().Consumed {
		b.Fatalf("recorded %d (%d measured) of %d records, consumer at %d of %d", rec.Counts().Consumed, rec.Counts().Measured, records, cons, prod)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
}
