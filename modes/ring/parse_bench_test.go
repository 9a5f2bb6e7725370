package ring

import "testing"

// The parse path runs once per event: it must not allocate. Each op drains
// a full ring of 64-byte records (the default payload), re-published by
// moving the positions back, so every op parses the same number of records.

func BenchmarkRingbufDrain(b *testing.B) {
	f := newFakeRingbuf(1<<20, 0)
	for f.prod+80 <= f.size {
		f.add(payload(1, 64), 0)
	}
	r, _ := NewRingbuf(&f.cons, &f.prod, f.data)
	var sum int
	visit := func(v []byte) { sum += int(v[0]) }
	b.ReportAllocs()
	records := 0
	for b.Loop() {
		r.cursor, f.cons = 0, 0
		n, err := r.Drain(visit)
		if err != nil {
			b.Fatal(err)
		}
		records += n
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
}

func BenchmarkPerfDrain(b *testing.B) {
	f := newFakePerf(1<<20, 0)
	for f.head+80 <= uint64(len(f.data)) {
		f.sample(payload(1, 64))
	}
	r, _ := NewPerfRing(&f.head, &f.tail, f.data)
	var sum int
	visit := func(v []byte) { sum += int(v[0]) }
	b.ReportAllocs()
	records := 0
	for b.Loop() {
		r.cursor, f.tail = 0, 0
		n, err := r.Drain(visit)
		if err != nil {
			b.Fatal(err)
		}
		records += n
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
}
