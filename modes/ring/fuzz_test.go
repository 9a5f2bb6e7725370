package ring

import (
	"encoding/binary"
	"errors"
	"testing"
)

// The fuzz targets give the parsers arbitrary ring contents and positions
// (the consumer's start and the producer's distance from it, any uint64) and
// a visit that stops after a fuzzed number of records. The parsers must not
// panic or loop, every view must lie in the data area (or the perf scratch
// buffer) with exactly the length its header claims, the cursor must never
// pass the producer, and every error must be ErrCorrupt and leave the
// cursor where a retry finds the same error.

const fuzzSize = 256

func FuzzRingbuf(f *testing.F) {
	valid := newFakeRingbuf(fuzzSize, 1<<32-8)
	for i := range 5 {
		valid.add(payload(i, 20+i), 0)
	}
	f.Add(valid.data[:fuzzSize], valid.cons, valid.prod-valid.cons, uint8(3))
	busy := newFakeRingbuf(fuzzSize, 1<<64-24)
	busy.add(payload(1, 3), 0)
	busy.add(payload(2, 30), RingbufDiscardBit)
	busy.add(payload(3, 1), RingbufBusyBit)
	busy.add(payload(4, 9), 0)
	f.Add(busy.data[:fuzzSize], busy.cons, busy.prod-busy.cons, uint8(255))
	full := newFakeRingbuf(fuzzSize, 0)
	full.add(payload(5, fuzzSize-8), 0)
	f.Add(full.data[:fuzzSize], full.cons, full.prod-full.cons, uint8(0))
	f.Add(make([]byte, fuzzSize), uint64(0), uint64(64), uint8(0))
	f.Add([]byte{}, uint64(4), uint64(8), uint8(1))

	f.Fuzz(func(t *testing.T, contents []byte, cons, span uint64, stopAfter uint8) {
		ring := newFakeRingbuf(fuzzSize, 0)
		ring.write(0, contents[:min(len(contents), fuzzSize)])
		ring.cons, ring.prod = cons, cons+span
		r, err := NewRingbuf(&ring.cons, &ring.prod, ring.data)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("NewRingbuf: %v", err)
			}
			return
		}
		check := func(view []byte) {
			if len(view) == 0 {
				return // a zero-capacity slice does not point at its record
			}
			off := offsetIn(view, ring.data)
			if off < RingbufHeaderSize {
				t.Fatalf("view of %d bytes outside the data area", len(view))
			}
			hdr := binary.NativeEndian.Uint32(ring.data[off-RingbufHeaderSize:])
			if hdr&(RingbufBusyBit|RingbufDiscardBit) != 0 || int(hdr) != len(view) {
				t.Fatalf("view of %d bytes under header %#x", len(view), hdr)
			}
		}
		seen := 0
		_, err = r.Read(func(v []byte) bool { check(v); seen++; return seen <= int(stopAfter) })
		afterRead := r.Cursor()
		if err == nil {
			_, err = r.Drain(check)
		}
		checkCursor(t, "ringbuf", err, cons, ring.prod, r.Cursor(), afterRead)
		if err != nil {
			if ring.cons != cons && ring.cons != r.Cursor() {
				t.Fatalf("consumer position %d is neither the start nor the cursor %d", ring.cons, r.Cursor())
			}
			retry(t, r.Read, r.Cursor)
			return
		}
		// Read never stores; Drain stores its cursor, if it moved.
		if wantCons := drainStored(cons, afterRead, r.Cursor()); ring.cons != wantCons {
			t.Fatalf("consumer position %d after Drain to %d, want %d", ring.cons, r.Cursor(), wantCons)
		}
		if r.Cursor()%8 != 0 {
			t.Fatalf("cursor %d misaligned", r.Cursor())
		}
		// A clean Drain stops only at the producer or at a BUSY record.
		if r.Cursor() != ring.prod {
			if hdr := binary.NativeEndian.Uint32(ring.data[r.Cursor()%fuzzSize:]); hdr&RingbufBusyBit == 0 {
				t.Fatalf("Drain stopped at %d (producer %d) on header %#x", r.Cursor(), ring.prod, hdr)
			}
		}
	})
}

func FuzzPerfRing(f *testing.F) {
	valid := newFakePerf(fuzzSize, 1<<32-16)
	for i := range 4 {
		valid.sample(payload(i, 30))
	}
	valid.lost(3)
	valid.record(77, make([]byte, 16))
	f.Add(valid.data, valid.tail, valid.head-valid.tail, uint8(2))
	wrap := newFakePerf(fuzzSize, 1<<64-40)
	wrap.sample(payload(1, 100))
	wrap.lost(1)
	f.Add(wrap.data, wrap.tail, wrap.head-wrap.tail, uint8(255))
	odd := newFakePerf(fuzzSize, 3)
	odd.sample(payload(2, 9))
	f.Add(odd.data, odd.tail, odd.head-odd.tail, uint8(255))
	f.Add(make([]byte, fuzzSize), uint64(0), uint64(8), uint8(0))

	f.Fuzz(func(t *testing.T, contents []byte, tail, span uint64, stopAfter uint8) {
		ring := newFakePerf(fuzzSize, 0)
		ring.write(0, contents[:min(len(contents), fuzzSize)])
		ring.tail, ring.head = tail, tail+span
		r, err := NewPerfRing(&ring.head, &ring.tail, ring.data)
		if err != nil {
			t.Fatal(err)
		}
		check := func(view []byte) {
			if len(view) == 0 {
				return // a zero-capacity slice does not point at its record
			}
			mem := ring.data
			off := offsetIn(view, mem)
			if off < 0 {
				mem = r.scratch
				off = offsetIn(view, mem)
			}
			// The u32 raw size sits right before the raw bytes, in the data
			// area or in scratch with the rest of a reassembled record.
			if off < perfSampleMin {
				t.Fatalf("view of %d bytes outside the data area and scratch", len(view))
			}
			if claimed := binary.NativeEndian.Uint32(mem[off-4:]); int(claimed) != len(view) || len(view) > fuzzSize {
				t.Fatalf("view of %d bytes, raw size %d", len(view), claimed)
			}
		}
		seen := 0
		_, err = r.Read(func(v []byte) bool { check(v); seen++; return seen <= int(stopAfter) })
		afterRead := r.Cursor()
		if err == nil {
			_, err = r.Drain(check)
		}
		checkCursor(t, "perf", err, tail, ring.head, r.Cursor(), afterRead)
		if err != nil {
			retry(t, r.Read, r.Cursor)
			return
		}
		if wantTail := drainStored(tail, afterRead, r.Cursor()); r.Cursor() != ring.head || ring.tail != wantTail {
			t.Fatalf("clean Drain: cursor %d, data_tail %d (want %d), data_head %d", r.Cursor(), ring.tail, wantTail, ring.head)
		}
	})
}

// drainStored is the consumer position after Read then Drain: Drain's
// cursor if Drain moved it, else the untouched start.
func drainStored(start, afterRead, cursor uint64) uint64 {
	if cursor != afterRead {
		return cursor
	}
	return start
}

// checkCursor asserts that the cursor moved forward from start by at most
// what was published, and that any error is ErrCorrupt.
func checkCursor(t *testing.T, ring string, err error, start, prod, cursor, afterRead uint64) {
	t.Helper()
	if err != nil && !errors.Is(err, ErrCorrupt) {
		t.Fatalf("%s: error is not ErrCorrupt: %v", ring, err)
	}
	if moved, published := cursor-start, prod-start; moved > published || afterRead-start > moved {
		t.Fatalf("%s: cursor moved %d (%d by Read), only %d published", ring, moved, afterRead-start, published)
	}
}

// retry reads again after an error: the contents did not change, so the
// cursor must be at the offending record and the error must repeat.
func retry(t *testing.T, read func(func([]byte) bool) (int, error), cursor func() uint64) {
	t.Helper()
	at := cursor()
	n, err := read(func([]byte) bool { return true })
	if n != 0 || !errors.Is(err, ErrCorrupt) || cursor() != at {
		t.Fatalf("retry at %d: n=%d err=%v cursor %d", at, n, err, cursor())
	}
}
