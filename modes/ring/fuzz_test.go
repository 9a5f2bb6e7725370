package ring

import (
	"errors"
	"testing"
	"unsafe"
)

// within reports whether view lies entirely inside mem.
func within(view, mem []byte) bool {
	if len(view) == 0 {
		return true
	}
	v, m := uintptr(unsafe.Pointer(unsafe.SliceData(view))), uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	return v >= m && v+uintptr(len(view)) <= m+uintptr(len(mem))
}

// FuzzRingbuf feeds the ringbuf parser arbitrary ring contents and
// positions: it must not panic or loop, every view must lie in the data
// area with at most a ring's worth of bytes, the cursor must stay within the
// published range, and every error must be ErrCorrupt.
func FuzzRingbuf(f *testing.F) {
	valid := newFakeRingbuf(256, 1<<32-8)
	for i := range 5 {
		valid.add(payload(i, 20+i), 0)
	}
	f.Add(valid.data[:256], valid.cons, valid.prod, uint8(3))
	f.Add(make([]byte, 256), uint64(0), uint64(64), uint8(0))
	f.Fuzz(func(t *testing.T, contents []byte, cons, prod uint64, stopAfter uint8) {
		const size = 256
		ring := newFakeRingbuf(size, 0)
		ring.write(0, contents[:min(len(contents), size)])
		ring.cons, ring.prod = cons, prod
		r, err := NewRingbuf(&ring.cons, &ring.prod, ring.data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("NewRingbuf: %v", err)
			}
			return
		}
		start := r.Cursor()
		seen := 0
		check := func(view []byte) {
			if !within(view, ring.data) || len(view) > size {
				t.Fatalf("view of %d bytes outside the data area", len(view))
			}
		}
		_, err = r.Read(func(v []byte) bool { check(v); seen++; return seen <= int(stopAfter) })
		if err == nil {
			_, err = r.Drain(check)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error is not ErrCorrupt: %v", err)
		}
		if moved, published := r.Cursor()-start, prod-start; moved > published {
			t.Fatalf("cursor moved %d bytes, only %d were published", moved, published)
		}
	})
}

// FuzzPerfRing is the same for the perf ring parser; views may also point
// into the scratch buffer (wrapped records).
func FuzzPerfRing(f *testing.F) {
	valid := newFakePerf(256, 1<<32-16)
	for i := range 4 {
		valid.sample(payload(i, 30))
	}
	valid.lost(3)
	f.Add(valid.data, valid.tail, valid.head, uint8(2))
	f.Add(make([]byte, 256), uint64(0), uint64(8), uint8(0))
	f.Fuzz(func(t *testing.T, contents []byte, tail, head uint64, stopAfter uint8) {
		const size = 256
		ring := newFakePerf(size, 0)
		ring.write(0, contents[:min(len(contents), size)])
		ring.tail, ring.head = tail, head
		r, err := NewPerfRing(&ring.head, &ring.tail, ring.data)
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		check := func(view []byte) {
			if !(within(view, ring.data) || within(view, r.scratch)) || len(view) > size {
				t.Fatalf("view of %d bytes outside the data area and scratch", len(view))
			}
		}
		_, err = r.Read(func(v []byte) bool { check(v); seen++; return seen <= int(stopAfter) })
		if err == nil {
			_, err = r.Drain(check)
		}
		if err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("error is not ErrCorrupt: %v", err)
		}
		if moved, published := r.Cursor()-tail, head-tail; moved > published {
			t.Fatalf("cursor moved %d bytes, only %d were published", moved, published)
		}
	})
}
