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

func (f *fakePerf) record(typ uint32, body []byte) {
	size := 8 + len(body)
	var hdr [8]byte
	binary.NativeEndian.PutUint32(hdr[0:], typ)
	binary.NativeEndian.PutUint16(hdr[6:], uint16(size))
	f.write(f.head, hdr[:])
	f.write(f.head+8, body)
	f.head += uint64(size)
}

// sample adds a PERF_RECORD_SAMPLE whose raw part is raw padded so the
// record stays 8-aligned, as the kernel does.
func (f *fakePerf) sample(raw []byte) {
	padded := (4 + len(raw) + 7) &^ 7
	body := make([]byte, padded)
	binary.NativeEndian.PutUint32(body, uint32(padded-4))
	copy(body[4:], raw)
	f.record(PerfRecordSample, body)
}

func (f *fakePerf) lost(n uint64) {
	body := make([]byte, 16)
	binary.NativeEndian.PutUint64(body[8:], n)
	f.record(PerfRecordLost, body)
}

func (f *fakePerf) ring(t *testing.T) *PerfRing {
	t.Helper()
	r, err := NewPerfRing(&f.head, &f.tail, f.data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func drainPerf(t *testing.T, r *PerfRing) [][]byte {
	t.Helper()
	var got [][]byte
	if _, err := r.Drain(func(b []byte) { got = append(got, append([]byte(nil), b...)) }); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestPerfSamplesLostUnknown(t *testing.T) {
	f := newFakePerf(4096, 0)
	r := f.ring(t)
	if got := drainPerf(t, r); len(got) != 0 || f.tail != 0 {
		t.Fatal("empty ring gave records or moved the tail")
	}
	f.sample(payload(1, 28)) // 4 + 28 = 32: no padding
	f.lost(7)
	f.record(99, make([]byte, 8)) // a type the consumer does not know
	f.sample(payload(2, 24))      // padded to 32
	got := drainPerf(t, r)
	if len(got) != 2 || !bytes.Equal(got[0], payload(1, 28)) || !bytes.HasPrefix(got[1], payload(2, 24)) {
		t.Fatalf("samples %v", got)
	}
	if r.Lost != 7 || r.Unknown != 1 || f.tail != f.head {
		t.Fatalf("lost %d unknown %d tail %d head %d", r.Lost, r.Unknown, f.tail, f.head)
	}
}

// Records crossing the end of the data area come back whole (from the
// scratch buffer), and positions past 2^32 and 2^64 wrap cleanly.
func TestPerfWrap(t *testing.T) {
	for _, start := range []uint64{1<<32 - 24, 1<<64 - 40} {
		f := newFakePerf(256, start)
		r := f.ring(t)
		for round := range 40 {
			f.sample(payload(round, 36)) // 8 + 4 + 36 = 48 bytes: wraps every few rounds
			got := drainPerf(t, r)
			if len(got) != 1 || !bytes.Equal(got[0], payload(round, 36)) {
				t.Fatalf("start %#x round %d: %v", start, round, got)
			}
		}
		if r.Wrapped == 0 {
			t.Fatalf("start %#x: no record wrapped; the test does not test wrapping", start)
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
	if n != 3 || f.tail != 0 {
		t.Fatalf("stopped Read visited %d, tail %d", n, f.tail)
	}
	r.Commit(r.Cursor())
	if got := drainPerf(t, r); len(got) != 2 || f.tail != f.head {
		t.Fatalf("resumed drain %d records, tail %d head %d", len(got), f.tail, f.head)
	}
}

func TestPerfCorrupt(t *testing.T) {
	for name, corrupt := range map[string]func(f *fakePerf){
		"head beyond a lap": func(f *fakePerf) { f.head = f.tail + uint64(len(f.data)) + 8 },
		"size below header": func(f *fakePerf) { f.record(PerfRecordSample, nil); f.write(f.tail+6, []byte{4, 0}) },
		"record past head":  func(f *fakePerf) { f.sample(payload(1, 20)); f.head -= 8 },
		"raw beyond record": func(f *fakePerf) { f.sample(payload(1, 20)); f.write(f.tail+8, []byte{200, 0, 0, 0}) },
		"sample too short":  func(f *fakePerf) { f.record(PerfRecordSample, nil) },
		"lost too short":    func(f *fakePerf) { f.record(PerfRecordLost, make([]byte, 8)) },
		"half a header":     func(f *fakePerf) { f.head = f.tail + 4 },
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
