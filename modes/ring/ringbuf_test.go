package ring

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
	"unsafe"
)

// fakeRingbuf is a ring buffer in plain memory laid out as the kernel maps
// it: position words and a data area of size bytes mapped twice (every
// write lands in both copies).
type fakeRingbuf struct {
	cons, prod uint64
	data       []byte
	size       uint64
}

func newFakeRingbuf(size int, start uint64) *fakeRingbuf {
	return &fakeRingbuf{cons: start, prod: start, data: make([]byte, 2*size), size: uint64(size)}
}

func (f *fakeRingbuf) write(pos uint64, b []byte) {
	for i, c := range b {
		o := (pos + uint64(i)) % f.size
		f.data[o], f.data[o+f.size] = c, c
	}
}

// add appends a record with header flags and payload, returns its position.
func (f *fakeRingbuf) add(payload []byte, flags uint32) uint64 {
	pos := f.prod
	f.setFlags(pos, len(payload), flags)
	f.write(pos+8, payload)
	f.prod += (uint64(len(payload)) + 8 + 7) &^ 7
	return pos
}

func (f *fakeRingbuf) setFlags(pos uint64, length int, flags uint32) {
	var hdr [8]byte
	binary.NativeEndian.PutUint32(hdr[:], uint32(length)|flags)
	f.write(pos, hdr[:])
}

func (f *fakeRingbuf) ring(t testing.TB) *Ringbuf {
	t.Helper()
	r, err := NewRingbuf(&f.cons, &f.prod, f.data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func payload(i, n int) []byte { return bytes.Repeat([]byte{byte(i)}, n) }

// offsetIn is where view starts in mem, or -1 if it is not inside it.
func offsetIn(view, mem []byte) int {
	v, m := uintptr(unsafe.Pointer(unsafe.SliceData(view))), uintptr(unsafe.Pointer(unsafe.SliceData(mem)))
	if v < m || v+uintptr(len(view)) > m+uintptr(len(mem)) {
		return -1
	}
	return int(v - m)
}

// drainer is what Ringbuf and PerfRing share.
type drainer interface {
	Drain(visit func([]byte)) (int, error)
}

// collect drains r and returns copies of the views, which are valid only
// until the next read.
func collect(t *testing.T, r drainer) [][]byte {
	t.Helper()
	var got [][]byte
	if _, err := r.Drain(func(b []byte) { got = append(got, append([]byte(nil), b...)) }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestRingbufEmptyOneMany(t *testing.T) {
	f := newFakeRingbuf(4096, 0)
	r := f.ring(t)
	if r.Size() != 4096 {
		t.Fatalf("Size %d", r.Size())
	}
	if got := collect(t, r); len(got) != 0 || f.cons != 0 {
		t.Fatalf("empty ring gave %d records, consumer at %d", len(got), f.cons)
	}
	f.add(payload(1, 24), 0)
	if r.Pending() != 32 {
		t.Fatalf("Pending %d, want 32", r.Pending())
	}
	if got := collect(t, r); len(got) != 1 || !bytes.Equal(got[0], payload(1, 24)) || f.cons != 32 {
		t.Fatalf("one record: %v, consumer at %d", got, f.cons)
	}
	for i := range 50 {
		f.add(payload(i, 1+i), 0) // odd lengths: 8-byte rounding
	}
	got := collect(t, r)
	if len(got) != 50 {
		t.Fatalf("got %d of 50 records", len(got))
	}
	for i, g := range got {
		if !bytes.Equal(g, payload(i, 1+i)) {
			t.Fatalf("record %d: %v", i, g)
		}
	}
	if f.cons != f.prod || r.Pending() != 0 {
		t.Fatalf("consumer %d, producer %d after a full drain", f.cons, f.prod)
	}
}

// A record occupies round_up(len + 8, 8) bytes; the view is exactly len.
func TestRingbufRounding(t *testing.T) {
	for length := range 20 {
		f := newFakeRingbuf(256, 0)
		r := f.ring(t)
		f.add(payload(7, length), 0)
		next := f.add(payload(8, 3), 0)
		if want := uint64((length + 15) &^ 7); next != want {
			t.Fatalf("len %d: helper put the next record at %d, want %d", length, next, want)
		}
		var lens []int
		if _, err := r.Drain(func(b []byte) { lens = append(lens, len(b)) }); err != nil {
			t.Fatal(err)
		}
		if len(lens) != 2 || lens[0] != length || lens[1] != 3 || r.Cursor() != f.prod {
			t.Fatalf("len %d: views %v, cursor %d, producer %d", length, lens, r.Cursor(), f.prod)
		}
	}
}

func TestRingbufBusyStops(t *testing.T) {
	f := newFakeRingbuf(4096, 0)
	r := f.ring(t)
	f.add(payload(1, 16), 0)
	busy := f.add(payload(2, 16), 0)
	f.add(payload(3, 16), 0)
	f.setFlags(busy, 16, RingbufBusyBit)
	got := collect(t, r)
	if len(got) != 1 || r.Cursor() != busy || f.cons != busy {
		t.Fatalf("BUSY in the middle: %d records, cursor %d, consumer %d; want 1 and %d", len(got), r.Cursor(), f.cons, busy)
	}
	// Still BUSY: nothing read, nothing stored.
	f.cons = 1
	if n, err := r.Drain(func([]byte) {}); n != 0 || err != nil || f.cons != 1 || r.Cursor() != busy {
		t.Fatalf("BUSY first: n=%d err=%v consumer %d cursor %d", n, err, f.cons, r.Cursor())
	}
	f.setFlags(busy, 16, 0) // committed now
	if got := collect(t, r); len(got) != 2 || got[0][0] != 2 || got[1][0] != 3 || f.cons != f.prod {
		t.Fatalf("after commit: %v", got)
	}
}

func TestRingbufDiscardSkipped(t *testing.T) {
	f := newFakeRingbuf(4096, 0)
	r := f.ring(t)
	f.add(payload(1, 16), 0)
	f.add(payload(2, 40), RingbufDiscardBit)
	f.add(payload(3, 16), 0)
	f.add(payload(4, 5), RingbufDiscardBit)
	var got [][]byte
	n, err := r.Drain(func(b []byte) { got = append(got, append([]byte(nil), b...)) })
	if err != nil || n != 2 || len(got) != 2 || got[0][0] != 1 || got[1][0] != 3 || r.Discarded != 2 || f.cons != f.prod {
		t.Fatalf("DISCARD: n=%d err=%v %v, discarded %d, consumer %d/%d", n, err, got, r.Discarded, f.cons, f.prod)
	}
}

// Positions are free-running 64-bit counters: crossing 2^32 and wrapping
// 2^64 must not matter, and records crossing the end of the data area are
// whole thanks to the double mapping.
func TestRingbufPositionsWrap(t *testing.T) {
	for _, start := range []uint64{0, 1<<32 - 16, 1<<32 - 64, 1<<64 - 16, 1<<64 - 64} {
		f := newFakeRingbuf(256, start)
		r := f.ring(t)
		for round := range 20 {
			for i := range 3 {
				f.add(payload(round*3+i, 40), 0)
			}
			got := collect(t, r)
			if len(got) != 3 {
				t.Fatalf("start %#x round %d: %d records", start, round, len(got))
			}
			for i, g := range got {
				if !bytes.Equal(g, payload(round*3+i, 40)) {
					t.Fatalf("start %#x round %d record %d corrupted: %v", start, round, i, g)
				}
			}
			if f.cons != f.prod || r.Cursor() != f.prod {
				t.Fatalf("start %#x round %d: consumer %#x cursor %#x producer %#x", start, round, f.cons, r.Cursor(), f.prod)
			}
		}
		if f.prod-start != 20*3*48 {
			t.Fatalf("start %#x: producer moved %d", start, f.prod-start)
		}
	}
}

// A record that crosses the end of the data area is read as one view that
// runs into the second mapping, not copied.
func TestRingbufDataAreaWrap(t *testing.T) {
	const size = 256
	for _, start := range []uint64{size - 8, size - 16, size - 40, 1<<32 - 16, 1<<64 - 8} {
		f := newFakeRingbuf(size, start)
		r := f.ring(t)
		want := make([]byte, 57)
		for i := range want {
			want[i] = byte(i + 1)
		}
		f.add(want, 0)
		var view []byte
		if n, err := r.Read(func(b []byte) bool { view = b; return true }); n != 1 || err != nil {
			t.Fatalf("start %#x: n=%d err=%v", start, n, err)
		}
		off := offsetIn(view, f.data)
		// The record (header at off-8) starts in the first copy and ends in
		// the second.
		if off < 8 || off-8 >= size || off+len(view) <= size {
			t.Fatalf("start %#x: record at %d+%d does not cross the end of the first mapping", start, off-8, len(view)+8)
		}
		if !bytes.Equal(view, want) {
			t.Fatalf("start %#x: view %v", start, view)
		}
	}
}

// Read alone never writes consumer_pos; Drain writes it once per drain, and
// not at all when there was nothing.
func TestRingbufCommitOncePerBatch(t *testing.T) {
	f := newFakeRingbuf(4096, 0)
	r := f.ring(t)
	for i := range 10 {
		f.add(payload(i, 8), 0)
	}
	n, _ := r.Read(func([]byte) bool { return true })
	if n != 10 || f.cons != 0 || r.Cursor() != f.prod {
		t.Fatalf("Read visited %d and moved the consumer to %d", n, f.cons)
	}
	f.add(payload(10, 8), 0)
	if _, err := r.Drain(func([]byte) {}); err != nil || f.cons != f.prod || f.cons != r.Cursor() {
		t.Fatalf("Drain left the consumer at %d, producer %d (err %v)", f.cons, f.prod, err)
	}
	f.cons = 12345 // a sentinel: a Drain that finds nothing must not store
	if _, err := r.Drain(func([]byte) {}); err != nil || f.cons != 12345 {
		t.Fatalf("an empty Drain stored %d (err %v)", f.cons, err)
	}
}

func TestRingbufReadStopsAndResumes(t *testing.T) {
	f := newFakeRingbuf(4096, 0)
	r := f.ring(t)
	for i := range 10 {
		f.add(payload(i, 8), 0)
	}
	var seen []byte
	n, err := r.Read(func(b []byte) bool { seen = append(seen, b[0]); return len(seen) < 4 })
	if err != nil || n != 4 || len(seen) != 4 || r.Cursor() != 4*16 {
		t.Fatalf("stopped Read: n=%d seen=%v err=%v cursor %d", n, seen, err, r.Cursor())
	}
	n, _ = r.Read(func(b []byte) bool { seen = append(seen, b[0]); return true })
	if n != 6 || !bytes.Equal(seen, []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}) {
		t.Fatalf("resumed Read: n=%d seen=%v", n, seen)
	}
}

func TestRingbufCorrupt(t *testing.T) {
	for name, corrupt := range map[string]func(f *fakeRingbuf){
		"producer beyond a lap": func(f *fakeRingbuf) { f.prod = f.cons + f.size + 8 },
		"producer behind":       func(f *fakeRingbuf) { f.prod = f.cons - 8 },
		"misaligned producer":   func(f *fakeRingbuf) { f.prod = f.cons + 12 },
		"record past producer":  func(f *fakeRingbuf) { f.setFlags(f.cons, 100, 0); f.prod = f.cons + 32 },
		"discard past producer": func(f *fakeRingbuf) { f.setFlags(f.cons, 100, RingbufDiscardBit); f.prod = f.cons + 32 },
		"length beyond ring":    func(f *fakeRingbuf) { f.setFlags(f.cons, 1<<29, 0); f.prod = f.cons + 64 },
		"record of a full ring": func(f *fakeRingbuf) { f.setFlags(f.cons, int(f.size)-8+1, 0); f.prod = f.cons + f.size },
	} {
		f := newFakeRingbuf(256, 1<<32)
		r := f.ring(t)
		corrupt(f)
		before := r.Cursor()
		_, err := r.Read(func([]byte) bool { return true })
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", name, err)
		}
		if r.Cursor() != before {
			t.Errorf("%s: cursor moved past the corrupt record", name)
		}
	}
	if _, err := NewRingbuf(new(uint64), new(uint64), make([]byte, 300)); err == nil {
		t.Error("accepted a data area that is not twice a power of two")
	}
	if _, err := NewRingbuf(new(uint64), new(uint64), make([]byte, 513)[1:]); err == nil {
		t.Error("accepted a misaligned data area")
	}
	odd := uint64(4)
	if _, err := NewRingbuf(&odd, new(uint64), make([]byte, 512)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("misaligned consumer position: %v", err)
	}
}

// Records before a corrupt one are visited (and Drain commits them); the
// cursor stops at the corrupt one, and stays there on every retry.
func TestRingbufCorruptAfterGood(t *testing.T) {
	f := newFakeRingbuf(256, 1<<64-32)
	r := f.ring(t)
	f.add(payload(1, 8), 0)
	f.add(payload(2, 8), 0)
	bad := f.add(payload(3, 8), 0)
	f.setFlags(bad, 200, 0) // runs past the producer
	n, err := r.Drain(func([]byte) {})
	if n != 2 || !errors.Is(err, ErrCorrupt) || r.Cursor() != bad || f.cons != bad {
		t.Fatalf("n=%d err=%v cursor %d consumer %d, want 2, ErrCorrupt, %d", n, err, r.Cursor(), f.cons, bad)
	}
	if n, err := r.Read(func([]byte) bool { return true }); n != 0 || !errors.Is(err, ErrCorrupt) || r.Cursor() != bad {
		t.Fatalf("retry: n=%d err=%v cursor %d", n, err, r.Cursor())
	}
}
