package ring

import (
	"fmt"
	"sync/atomic"
	"unsafe"
)

// ClaimNext is the claim protocol of several concurrent consumers of one
// ring buffer, as the article proposes it (its section 3.3, claim C12):
// load consumer_pos, read the record header there, and claim the record by
// a compare-and-swap of consumer_pos from the record's start to its end;
// the goroutine whose swap succeeds then reads the record. It returns the
// claimed record's payload (nil for a DISCARD record), or ok false when
// there is nothing to claim yet or another consumer won the swap.
//
// The swap hands the record's space back to the producer before the
// record is read: that is the protocol under test, kept exactly as
// described, not a reading mode of ringbench. Use it from any number of
// goroutines; it does not use the Ringbuf's own cursor.
func (r *Ringbuf) ClaimNext() (view []byte, ok bool, err error) {
	cons := atomic.LoadUint64(r.consumerPos)
	prod := atomic.LoadUint64(r.producerPos)
	if prod == cons {
		return nil, false, nil
	}
	if cons%RingbufHeaderSize != 0 {
		return nil, false, fmt.Errorf("consumer position %d is not 8-aligned: %w", cons, ErrCorrupt)
	}
	if prod-cons > r.mask+1 {
		return nil, false, nil // cons was stale: another consumer moved it, and the producer with it
	}
	off := cons & r.mask
	hdr := atomic.LoadUint32((*uint32)(unsafe.Pointer(&r.data[off])))
	if hdr&RingbufBusyBit != 0 {
		return nil, false, nil
	}
	length := uint64(hdr &^ (RingbufBusyBit | RingbufDiscardBit))
	rec := (length + RingbufHeaderSize + 7) &^ 7
	if rec > prod-cons {
		// Another consumer claimed this record and the producer reused
		// its space: what was read is not a header any more.
		return nil, false, nil
	}
	if !atomic.CompareAndSwapUint64(r.consumerPos, cons, cons+rec) {
		return nil, false, nil
	}
	if hdr&RingbufDiscardBit != 0 {
		return nil, true, nil
	}
	start := off + RingbufHeaderSize
	return r.data[start : start+length : start+length], true, nil
}

// ConsumerPos loads the consumer_pos word the kernel reads, as it is now
// (for claimers that share it, ClaimNext, and for claims that watch it).
func (r *Ringbuf) ConsumerPos() uint64 { return atomic.LoadUint64(r.consumerPos) }
