package ring

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// Facts of kernel/bpf/ringbuf.c: every record starts with an 8-byte header
// {u32 len; u32 pg_off}. __bpf_ringbuf_reserve writes len with BUSY set
// before it publishes the new producer_pos; bpf_ringbuf_commit clears BUSY
// (and sets DISCARD for bpf_ringbuf_discard) with an xchg, after the
// payload is written. A record occupies round_up(len + 8, 8) bytes, so
// positions are always multiples of 8.
const (
	RingbufHeaderSize = 8
	RingbufBusyBit    = 1 << 31
	RingbufDiscardBit = 1 << 30
)

// Ringbuf reads a BPF ring buffer in place. Not safe for concurrent use.
type Ringbuf struct {
	consumerPos *uint64
	producerPos *uint64
	data        []byte // size bytes mapped twice, so no record is ever split
	mask        uint64
	cursor      uint64
	Discarded   uint64 // records skipped because of the DISCARD bit
}

// NewRingbuf reads the ring whose consumer and producer position words are
// *consumerPos and *producerPos and whose data area, double-mapped, is data
// (len(data) = 2·size, size a power of two of at least 8).
func NewRingbuf(consumerPos, producerPos *uint64, data []byte) (*Ringbuf, error) {
	size := uint64(len(data) / 2)
	if size < RingbufHeaderSize || size&(size-1) != 0 || uint64(len(data)) != 2*size {
		return nil, fmt.Errorf("ringbuf data area of %d bytes is not twice a power of two", len(data))
	}
	// Headers are read with atomic loads, which must be aligned on arm64.
	// An mmap is page-aligned; only a badly sliced buffer is not.
	if uintptr(unsafe.Pointer(&data[0]))%RingbufHeaderSize != 0 {
		return nil, fmt.Errorf("ringbuf data area at %p is not 8-aligned", &data[0])
	}
	cons := atomic.LoadUint64(consumerPos)
	if cons%RingbufHeaderSize != 0 {
		return nil, fmt.Errorf("ringbuf consumer position %d is not 8-aligned: %w", cons, ErrCorrupt)
	}
	return &Ringbuf{consumerPos: consumerPos, producerPos: producerPos, data: data, mask: size - 1, cursor: cons}, nil
}

// Size is the ring's data size.
func (r *Ringbuf) Size() int { return int(r.mask + 1) }

// Shared is the memory the ring shares with the kernel, for a consumer
// written in another language (modes/cring): the consumer and producer
// position words and the data area, mapped twice.
func (r *Ringbuf) Shared() (consumerPos, producerPos *uint64, data []byte) {
	return r.consumerPos, r.producerPos, r.data
}

// Cursor is the position just past the last record Read visited or skipped.
func (r *Ringbuf) Cursor() uint64 { return r.cursor }

// Pending is what the producer has published beyond the cursor, in bytes.
func (r *Ringbuf) Pending() uint64 { return atomic.LoadUint64(r.producerPos) - r.cursor }

// Commit hands the space before pos back to the producer with a release
// store (the kernel reads consumer_pos with smp_load_acquire in
// __bpf_ringbuf_reserve); views of those records must not be used
// afterwards.
func (r *Ringbuf) Commit(pos uint64) { atomic.StoreUint64(r.consumerPos, pos) }

// Read visits the committed records from the cursor on with zero-copy views
// of their payloads. It stops when visit returns false (that record is
// consumed), at a record still BUSY, or at the producer position as loaded
// once at the start. It does not commit. On error the cursor stays at the
// offending record.
func (r *Ringbuf) Read(visit func([]byte) bool) (int, error) { return r.readTo(r.Published(), visit) }

// Published loads the producer position. Acquire pairs with
// smp_store_release(&rb->producer_pos) in __bpf_ringbuf_reserve: every
// header before it is written.
func (r *Ringbuf) Published() uint64 { return atomic.LoadUint64(r.producerPos) }

// readTo is Read up to prod, a producer position loaded by Published.
func (r *Ringbuf) readTo(prod uint64, visit func([]byte) bool) (int, error) {
	size := r.mask + 1
	// Differences, never comparisons: positions are free-running and wrap.
	// The kernel keeps prod - consumer_pos below size, and the cursor is
	// at or past consumer_pos.
	if avail := prod - r.cursor; avail > size || avail%RingbufHeaderSize != 0 {
		return 0, fmt.Errorf("ringbuf producer position %d is %d bytes from cursor %d (ring %d): %w",
			prod, int64(avail), r.cursor, size, ErrCorrupt)
	}
	n := 0
	for r.cursor != prod {
		off := r.cursor & r.mask // 8-aligned, so off+8 <= size
		// Acquire pairs with the xchg in bpf_ringbuf_commit: once BUSY is
		// clear the payload is visible.
		hdr := atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.data[off])))
		if hdr&RingbufBusyBit != 0 {
			break // not committed yet: resume here next time
		}
		length := uint64(hdr &^ (RingbufBusyBit | RingbufDiscardBit))
		rec := (length + RingbufHeaderSize + 7) &^ 7
		// prod - cursor <= size, so this also bounds rec by the ring size
		// and keeps the view inside the double mapping (off + rec < 2·size).
		if rec > prod-r.cursor {
			return n, fmt.Errorf("ringbuf record at %d of length %d (%d bytes) runs past producer position %d: %w",
				r.cursor, length, rec, prod, ErrCorrupt)
		}
		if hdr&RingbufDiscardBit != 0 {
			r.cursor += rec
			r.Discarded++
			continue
		}
		start := off + RingbufHeaderSize
		view := r.data[start : start+length : start+length]
		r.cursor += rec
		n++
		if !visit(view) {
			break
		}
	}
	return n, nil
}
