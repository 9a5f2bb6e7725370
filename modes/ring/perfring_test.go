package ring

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// fakePerf is a perf ring in plain memory: data_head, data_tail and a data
// area mapped once, so records wrap around its end.
type fakePerf struct {
	head, tail uint64
	data       []byte
}

func newFakePerf(size int, start uint64) *fakePerf {
	return &fakePerf{head: start, tail: start, data: make([]byte, size)}
}

func (f *fakePerf) write(pos uint64, b []byte) {
	for i, c := range b {
		f.data[(pos+uint64(i))%uint64(len(f.data))] = c
	}
}

// record appends a record of type typ and returns its position.
func (f *fakePerf) record(typ uint32, body []byte) uint64 {
	pos, size := f.head, 8+len(body)
	var hdr [8]byte
	binary.NativeEndian.PutUint32(hdr[0:], typ)
	binary.NativeEndian.PutUint16(hdr[6:], uint16(size))
	f.write(pos, hdr[:])
	f.write(pos+8, body)
	f.head += uint64(size)
	return pos
}

// sample adds a PERF_RECORD_SAMPLE whose raw part is raw padded so the
// record stays 8-aligned, as the kernel does.
func (f *fakePerf) sample(raw []byte) uint64 {
	padded := (4 + len(raw) + 7) &^ 7
	body := make([]byte, padded)
	binary.NativeEndian.PutUint32(body, uint32(padded-4))
	copy(body[4:], raw)
	return f.record(PerfRecordSample, body)
}

func (f *fakePerf) lost(n uint64) uint64 {
	body := make([]byte, 16)
	binary.NativeEndian.PutUint64(body[0:], 42) // id
	binary.NativeEndian.PutUint64(body[8:], n)
	return f.record(PerfRecordLost, body)
}

func (f *fakePerf) ring(t testing.TB) *PerfRing {
	t.Helper()
	r, err := NewPerfRing(&f.head, &f.tail, f.data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPerfSamplesLostUnknown(t *testing.T) {
	f := newFakePerf(4096, 0)
	r := f.ring(t)
	if got := collect(t, r); len(got) != 0 || f.tail != 0 {
		t.Fatal("empty ring gave records or moved the tail")
	}
	f.sample(payload(1, 28)) // 4 + 28 = 32: no padding
	f.lost(7)
	f.record(99, make([]byte, 8)) // a type the consumer does not know
	f.lost(5)
	f.sample(payload(2, 25)) // padded to 28
	if r.Pending() != f.head {
		t.Fatalf("Pending %d, want %d", r.Pending(), f.head)
	}
	got := collect(t, r)
	want2 := append(payload(2, 25), 0, 0, 0) // the view includes the kernel's padding
	if len(got) != 2 || !bytes.Equal(got[0], payload(1, 28)) || !bytes.Equal(got[1], want2) {
		t.Fatalf("samples %v", got)
	}
	if r.Lost != 12 || r.Unknown != 1 || r.Wrapped != 0 || f.tail != f.head || r.Pending() != 0 {
		t.Fatalf("lost %d unknown %d wrapped %d tail %d head %d", r.Lost, r.Unknown, r.Wrapped, f.tail, f.head)
	}
}

// Records crossing the end of the data area come back whole (from the
// scratch buffer), and positions past 2^32 and 2^64 wrap cleanly.
func TestPerfWrap(t *testing.T) {
	for _, start := range []uint64{0, 1<<32 - 16, 1<<32 - 24, 1<<64 - 40} {
		f := newFakePerf(256, start)
		r := f.ring(t)
		for round := range 40 {
			f.sample(payload(round, 36)) // 8 + 4 + 36 = 48 bytes: wraps every few rounds
			got := collect(t, r)
			if len(got) != 1 || !bytes.Equal(got[0], payload(round, 36)) || f.tail != f.head {
				t.Fatalf("start %#x round %d: %v", start, round, got)
			}
		}
		if r.Wrapped == 0 {
			t.Fatalf("start %#x: no record wrapped; the test does not test wrapping", start)
		}
	}
}

// Every split point of a record across the end of the data area, for
// samples and LOST records: the bytes are reassembled exactly, only split
// records are copied (Wrapped), and the view of an unsplit one is zero-copy.
func TestPerfSplitEverywhere(t *testing.T) {
	const size = 256
	raw := make([]byte, 60) // 8 + 4 + 60 = 72 bytes
	for i := range raw {
		raw[i] = byte(i + 1)
	}
	for off := uint64(0); off < size; off += 8 {
		f := newFakePerf(size, 3*size+off)
		r := f.ring(t)
		f.sample(raw)
		f.lost(9)
		var view []byte
		n, err := r.Read(func(b []byte) bool { view = b; return true })
		if n != 1 || err != nil || !bytes.Equal(view, raw) || r.Lost != 9 || r.Cursor() != f.head {
			t.Fatalf("offset %d: n=%d err=%v view %v lost %d", off, n, err, view, r.Lost)
		}
		var wantWrapped uint64
		if off+72 > size {
			wantWrapped++
			if offsetIn(view, r.scratch) < 0 {
				t.Fatalf("offset %d: split record not in scratch", off)
			}
		} else if offsetIn(view, f.data) != int(off+12) {
			t.Fatalf("offset %d: view is not the record's bytes in place", off)
		}
		if lostOff := (off + 72) % size; lostOff+24 > size {
			wantWrapped++
		}
		if r.Wrapped != wantWrapped {
			t.Fatalf("offset %d: wrapped %d, want %d", off, r.Wrapped, wantWrapped)
		}
	}
}

// Misaligned positions (never produced by the kernel) can put a header
// across the end of the data area: it is read through the mask.
func TestPerfHeaderStraddles(t *testing.T) {
	const size = 128
	for _, back := range []uint64{1, 2, 4, 6, 7} {
		f := newFakePerf(size, 1<<32-back)
		r := f.ring(t)
		f.sample(payload(5, 20))
		f.lost(3)
		got := collect(t, r)
		if len(got) != 1 || !bytes.Equal(got[0], payload(5, 20)) || r.Lost != 3 || f.tail != f.head {
			t.Fatalf("header %d bytes before the end: %v lost %d", back, got, r.Lost)
		}
	}
}

func TestPerfReadDoesNotCommit(t *testing.T) {
	f := newFakePerf(4096, 0)
	r := f.ring(t)
	for i := range 5 {
		f.sample(payload(i, 12))
	}
	n, _ := r.Read(func(b []byte) bool { return b[0] < 2 })
	if n != 3 || f.tail != 0 || r.Cursor() != 3*24 {
		t.Fatalf("stopped Read visited %d, tail %d, cursor %d", n, f.tail, r.Cursor())
	}
	r.Commit(r.Cursor())
	if got := collect(t, r); len(got) != 2 || got[0][0] != 3 || got[1][0] != 4 || f.tail != f.head {
		t.Fatalf("resumed drain %d records, tail %d head %d", len(got), f.tail, f.head)
	}
}

// Drain stores data_tail once, at the cursor, and not at all when it found
// nothing.
func TestPerfCommitOncePerDrain(t *testing.T) {
	f := newFakePerf(4096, 1<<40)
	r := f.ring(t)
	for i := range 10 {
		f.sample(payload(i, 8))
	}
	if n, _ := r.Read(func([]byte) bool { return true }); n != 10 || f.tail != 1<<40 {
		t.Fatalf("Read visited %d and moved data_tail to %d", n, f.tail)
	}
	f.lost(1) // Drain commits past non-sample records too
	if n, err := r.Drain(func([]byte) {}); n != 0 || err != nil || f.tail != r.Cursor() || f.tail != f.head {
		t.Fatalf("Drain: n=%d err=%v tail %d cursor %d head %d", n, err, f.tail, r.Cursor(), f.head)
	}
	f.tail = 12345
	if _, err := r.Drain(func([]byte) {}); err != nil || f.tail != 12345 {
		t.Fatalf("an empty Drain stored %d (err %v)", f.tail, err)
	}
}

func TestPerfCorrupt(t *testing.T) {
	for name, corrupt := range map[string]func(f *fakePerf){
		"head beyond a lap": func(f *fakePerf) { f.head = f.tail + uint64(len(f.data)) + 8 },
		"head behind":       func(f *fakePerf) { f.head = f.tail - 8 },
		"size below header": func(f *fakePerf) { f.record(PerfRecordSample, nil); f.write(f.tail+6, []byte{4, 0}) },
		"size zero":         func(f *fakePerf) { f.record(7, nil); f.write(f.tail+6, []byte{0, 0}) },
		"record past head":  func(f *fakePerf) { f.sample(payload(1, 20)); f.head -= 8 },
		"raw beyond record": func(f *fakePerf) { f.sample(payload(1, 20)); f.write(f.tail+8, []byte{200, 0, 0, 0}) },
		"raw one beyond":    func(f *fakePerf) { f.sample(payload(1, 20)); f.write(f.tail+8, []byte{21, 0, 0, 0}) },
		"sample too short":  func(f *fakePerf) { f.record(PerfRecordSample, nil) },
		"lost too short":    func(f *fakePerf) { f.record(PerfRecordLost, make([]byte, 8)) },
		"half a header":     func(f *fakePerf) { f.head = f.tail + 4 },
		"bigger than the ring": func(f *fakePerf) {
			f.record(7, make([]byte, 8))
			f.write(f.tail+6, binary.NativeEndian.AppendUint16(nil, 300))
			f.head = f.tail + 256
		},
	} {
		f := newFakePerf(256, 1<<32)
		r := f.ring(t)
		corrupt(f)
		_, err := r.Read(func([]byte) bool { return true })
		if !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: err %v, want ErrCorrupt", name, err)
		}
		if r.Cursor() != f.tail {
			t.Errorf("%s: cursor moved past the corrupt record", name)
		}
	}
	if _, err := NewPerfRing(new(uint64), new(uint64), make([]byte, 100)); err == nil {
		t.Error("accepted a data area that is not a power of two")
	}
}

// Records before a corrupt one are consumed (and Drain commits them); the
// cursor stops at the corrupt one, and stays there on every retry.
func TestPerfCorruptAfterGood(t *testing.T) {
	f := newFakePerf(256, 1<<64-16)
	r := f.ring(t)
	f.sample(payload(1, 20))
	f.lost(2)
	bad := f.sample(payload(3, 20))
	f.write(bad+8, []byte{255, 0, 0, 0})
	n, err := r.Drain(func([]byte) {})
	if n != 1 || !errors.Is(err, ErrCorrupt) || r.Cursor() != bad || f.tail != bad || r.Lost != 2 {
		t.Fatalf("n=%d err=%v cursor %d tail %d lost %d, want 1, ErrCorrupt, %d", n, err, r.Cursor(), f.tail, r.Lost, bad)
	}
	if n, err := r.Read(func([]byte) bool { return true }); n != 0 || !errors.Is(err, ErrCorrupt) || r.Cursor() != bad {
		t.Fatalf("retry: n=%d err=%v cursor %d", n, err, r.Cursor())
	}
}
