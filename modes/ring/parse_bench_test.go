package ring

import "testing"

// The parse path runs once per event: it must not allocate. Each op drains
// a full 1 MiB ring of 64-byte payloads, re-published by moving the
// positions back (the records stay in place), so every op parses the same
// records, and the op fails if it did not.

const benchRing = 1 << 20

func BenchmarkRingbufDrain(b *testing.B) {
	f := newFakeRingbuf(benchRing, 0)
	records := 0
	for f.prod+72 <= f.size {
		f.add(payload(records, 64), 0)
		records++
	}
	r := f.ring(b)
	benchDrain(b, r, records, f.prod, func() { r.cursor, f.cons = 0, 0 })
}

func BenchmarkPerfDrain(b *testing.B) {
	f := newFakePerf(benchRing, 0)
	records := 0
	for f.head+80 <= benchRing { // 8 + 4 + 64, padded to 80
		f.sample(payload(records, 64))
		records++
	}
	r := f.ring(b)
	benchDrain(b, r, records, f.head, func() { r.cursor, f.tail = 0, 0 })
}

// benchDrain drains r once per op after rewind has moved its positions
// back, and fails unless every op visits all records.
func benchDrain(b *testing.B, r drainer, records int, bytes uint64, rewind func()) {
	var sum int
	visit := func(v []byte) { sum += int(v[0]) }
	b.ReportAllocs()
	b.SetBytes(int64(bytes))
	for b.Loop() {
		rewind()
		if n, err := r.Drain(visit); n != records || err != nil {
			b.Fatalf("drained %d of %d records: %v", n, records, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
}
