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
	perfHeaderSize = 8                  // struct perf_event_header {u32 type; u16 misc; u16 size}
	perfSampleMin  = perfHeaderSize + 4 // header + u32 raw size
	perfLostSize   = perfHeaderSize + 16
	perfMaxRecord  = 1 << 16 // perf_event_header.size is a u16
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
// and *tail and whose data area is data (a power of two of at least 8).
func NewPerfRing(head, tail *uint64, data []byte) (*PerfRing, error) {
	size := uint64(len(data))
	if size < perfHeaderSize || size&(size-1) != 0 {
		return nil, fmt.Errorf("perf data area of %d bytes is not a power of two", len(data))
	}
	return &PerfRing{head: head, tail: tail, data: data, mask: size - 1,
		cursor: atomic.LoadUint64(tail), scratch: make([]byte, perfMaxRecord)}, nil
}

// Cursor is the position just past the last record Read consumed.
func (r *PerfRing) Cursor() uint64 { return r.cursor }

// Shared is the memory the ring shares with the kernel, for a consumer
// written in another language (modes/cring): data_tail, data_head and the
// data area, mapped once.
func (r *PerfRing) Shared() (tail, head *uint64, data []byte) { return r.tail, r.head, r.data }

// Pending is what the kernel has published beyond the cursor, in bytes.
func (r *PerfRing) Pending() uint64 { return atomic.LoadUint64(r.head) - r.cursor }

// Commit hands the space before pos back to the kernel. perf_output_put_handle
// asks for a full barrier between reading the records and storing data_tail
// (its "D"): Go's atomic store is sequentially consistent, which orders the
// earlier loads too.
func (r *PerfRing) Commit(pos uint64) { atomic.StoreUint64(r.tail, pos) }

// record returns the n (<= size) bytes at position pos: a view, or a copy in
// scratch if they wrap the end of the data area, which perf_output_copy does
// to records freely (it writes page by page through the mask).
func (r *PerfRing) record(pos, n uint64) (b []byte, wrapped bool) {
	off := pos & r.mask
	if off+n <= uint64(len(r.data)) {
		return r.data[off : off+n : off+n], false
	}
	first := copy(r.scratch[:n], r.data[off:])
	copy(r.scratch[first:n], r.data)
	return r.scratch[:n:n], true
}

// header reads the 8-byte header at pos. The kernel keeps records 8-aligned
// (perf_prepare_header warns on sizes that are not), so a header never
// straddles the end of the data area — unless the positions are corrupt,
// which the slow path survives.
func (r *PerfRing) header(pos uint64) (typ uint32, size uint64) {
	if off := pos & r.mask; off+perfHeaderSize <= uint64(len(r.data)) {
		h := r.data[off : off+perfHeaderSize : off+perfHeaderSize]
		return binary.NativeEndian.Uint32(h), uint64(binary.NativeEndian.Uint16(h[6:]))
	}
	var h [perfHeaderSize]byte
	for i := range h {
		h[i] = r.data[(pos+uint64(i))&r.mask]
	}
	return binary.NativeEndian.Uint32(h[0:]), uint64(binary.NativeEndian.Uint16(h[6:]))
}

// Read visits the SAMPLE records from the cursor to data_head (loaded once)
// with views of their raw bytes; LOST records add to Lost, others to
// Unknown. It stops when visit returns false (that record is consumed). It
// does not commit. On error the cursor stays at the offending record.
func (r *PerfRing) Read(visit func([]byte) bool) (int, error) { return r.readTo(r.Published(), visit) }

// Published loads data_head. Acquire is the "C" of perf_output_put_handle:
// it pairs with the smp_wmb before WRITE_ONCE(data_head), so records before
// it are written.
func (r *PerfRing) Published() uint64 { return atomic.LoadUint64(r.head) }

// readTo is Read up to head, a data_head loaded by Published.
func (r *PerfRing) readTo(head uint64, visit func([]byte) bool) (int, error) {
	size := r.mask + 1
	// Differences, never comparisons: positions are free-running and wrap.
	// perf_output_begin (ring_buffer_has_space) never lets head get more
	// than a ring ahead of data_tail, and the cursor is at or past it.
	if avail := head - r.cursor; avail > size {
		return 0, fmt.Errorf("perf data_head %d is %d bytes from cursor %d (ring %d): %w",
			head, int64(avail), r.cursor, size, ErrCorrupt)
	}
	n := 0
	for r.cursor != head {
		avail := head - r.cursor
		if avail < perfHeaderSize {
			return n, fmt.Errorf("perf ring: %d bytes at %d cannot hold a record header: %w", avail, r.cursor, ErrCorrupt)
		}
		typ, recSize := r.header(r.cursor)
		// recSize >= 8 makes progress; recSize <= avail <= size keeps every
		// read inside data (or scratch, 64 KiB > any u16 size).
		if recSize < perfHeaderSize || recSize > avail {
			return n, fmt.Errorf("perf record at %d of size %d (%d bytes published): %w", r.cursor, recSize, avail, ErrCorrupt)
		}
		switch typ {
		case PerfRecordSample:
			if recSize < perfSampleMin {
				return n, fmt.Errorf("perf sample at %d of size %d has no raw size: %w", r.cursor, recSize, ErrCorrupt)
			}
			rec, wrapped := r.record(r.cursor, recSize)
			// The raw size includes the padding perf_sample_save_raw_data
			// adds to keep the record 8-aligned (round_up(sum + 4, 8) - 4);
			// a producer that needs its exact length carries it in its payload.
			raw := uint64(binary.NativeEndian.Uint32(rec[perfHeaderSize:]))
			if raw > recSize-perfSampleMin {
				return n, fmt.Errorf("perf sample at %d: raw size %d beyond record size %d: %w", r.cursor, raw, recSize, ErrCorrupt)
			}
			if wrapped {
				r.Wrapped++
			}
			r.cursor += recSize
			n++
			if !visit(rec[perfSampleMin : perfSampleMin+raw : perfSampleMin+raw]) {
				return n, nil
			}
		case PerfRecordLost:
			// Emitted by perf_output_begin when rb->lost is non-zero: the
			// samples dropped because data_tail left no room.
			if recSize < perfLostSize {
				return n, fmt.Errorf("perf LOST record at %d of size %d: %w", r.cursor, recSize, ErrCorrupt)
			}
			rec, wrapped := r.record(r.cursor, perfLostSize) // sample_id may follow
			if wrapped {
				r.Wrapped++
			}
			r.Lost += binary.NativeEndian.Uint64(rec[perfHeaderSize+8:])
			r.cursor += recSize
		default:
			r.Unknown++
			r.cursor += recSize
		}
	}
	return n, nil
}
