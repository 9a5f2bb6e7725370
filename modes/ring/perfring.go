package ring

import (
	"encoding/binary"
	"fmt"
	"sync/atomic"
)

// Record types of include/uapi/linux/perf_event.h that a BPF output ring
// carries.
const (
	PerfRecordLost   = 2 // u64 id; u64 lost
	PerfRecordSample = 9 // with PERF_SAMPLE_RAW: u32 size; raw bytes
)

const (
	perfHeaderSize = 8 // struct perf_event_header {u32 type; u16 misc; u16 size}
	perfMaxRecord  = 1 << 16
)

// PerfRing reads one perf ring in place. Not safe for concurrent use.
type PerfRing struct {
	head, tail *uint64 // data_head (kernel writes), data_tail (we write)
	data       []byte  // single mapping: records can wrap its end
	mask       uint64
	cursor     uint64
	scratch    []byte // reassembles a wrapped record
	Lost       uint64 // sum of PERF_RECORD_LOST counts read
	Unknown    uint64 // records of other types, skipped
	Wrapped    uint64 // records reassembled across the end of the data area
}

// NewPerfRing reads the ring whose data_head and data_tail words are *head
// and *tail and whose data area is data (a power of two).
func NewPerfRing(head, tail *uint64, data []byte) (*PerfRing, error) {
	size := uint64(len(data))
	if size < perfHeaderSize || size&(size-1) != 0 {
		return nil, fmt.Errorf("perf data area of %d bytes is not a power of two", len(data))
	}
	return &PerfRing{head: head, tail: tail, data: data, mask: size - 1,
		cursor: atomic.LoadUint64(tail), scratch: make([]byte, perfMaxRecord)}, nil
}

func (r *PerfRing) Cursor() uint64    { return r.cursor }
func (r *PerfRing) Pending() uint64   { return atomic.LoadUint64(r.head) - r.cursor }
func (r *PerfRing) Commit(pos uint64) { atomic.StoreUint64(r.tail, pos) }

// record returns the n bytes at position pos: a view, or a copy in scratch
// if they wrap the end of the data area.
func (r *PerfRing) record(pos, n uint64) []byte {
	off := pos & r.mask
	if off+n <= uint64(len(r.data)) {
		return r.data[off : off+n : off+n]
	}
	first := copy(r.scratch[:n], r.data[off:])
	copy(r.scratch[first:n], r.data)
	r.Wrapped++
	return r.scratch[:n:n]
}

// header reads the 8-byte header at pos without assuming alignment.
func (r *PerfRing) header(pos uint64) (typ uint32, size uint64) {
	var h [perfHeaderSize]byte
	for i := range h {
		h[i] = r.data[(pos+uint64(i))&r.mask]
	}
	return binary.NativeEndian.Uint32(h[0:]), uint64(binary.NativeEndian.Uint16(h[6:]))
}

// Read visits the SAMPLE records from the cursor to data_head (loaded once,
// with acquire, pairing with the kernel's perf_output_put_handle) with views
// of their raw bytes; LOST records add to Lost, others to Unknown. It stops
// when visit returns false (that record is consumed). It does not commit.
func (r *PerfRing) Read(visit func([]byte) bool) (int, error) {
	head := atomic.LoadUint64(r.head)
	size := r.mask + 1
	if avail := head - r.cursor; avail > size {
		return 0, fmt.Errorf("perf data_head %d is %d bytes from tail %d (ring %d): %w", head, int64(avail), r.cursor, size, ErrCorrupt)
	}
	n := 0
	for r.cursor != head {
		avail := head - r.cursor
		if avail < perfHeaderSize {
			return n, fmt.Errorf("perf ring: %d bytes at %d cannot hold a record header: %w", avail, r.cursor, ErrCorrupt)
		}
		typ, recSize := r.header(r.cursor)
		if recSize < perfHeaderSize || recSize > avail {
			return n, fmt.Errorf("perf record at %d of size %d (%d bytes published): %w", r.cursor, recSize, avail, ErrCorrupt)
		}
		switch typ {
		case PerfRecordSample:
			rec := r.record(r.cursor, recSize)
			if recSize < perfHeaderSize+4 {
				return n, fmt.Errorf("perf sample at %d of size %d has no raw size: %w", r.cursor, recSize, ErrCorrupt)
			}
			raw := uint64(binary.NativeEndian.Uint32(rec[perfHeaderSize:]))
			if perfHeaderSize+4+raw > recSize {
				return n, fmt.Errorf("perf sample at %d: raw size %d beyond record size %d: %w", r.cursor, raw, recSize, ErrCorrupt)
			}
			r.cursor += recSize
			n++
			if !visit(rec[perfHeaderSize+4 : perfHeaderSize+4+raw]) {
				return n, nil
			}
			continue
		case PerfRecordLost:
			if recSize < perfHeaderSize+16 {
				return n, fmt.Errorf("perf LOST record at %d of size %d: %w", r.cursor, recSize, ErrCorrupt)
			}
			rec := r.record(r.cursor, recSize)
			r.Lost += binary.NativeEndian.Uint64(rec[perfHeaderSize+8:])
		default:
			r.Unknown++
		}
		r.cursor += recSize
	}
	return n, nil
}

// Drain reads everything visible and commits once, if anything moved.
func (r *PerfRing) Drain(visit func([]byte)) (int, error) {
	before := r.cursor
	n, err := r.Read(func(b []byte) bool { visit(b); return true })
	if r.cursor != before {
		r.Commit(r.cursor)
	}
	return n, err
}
