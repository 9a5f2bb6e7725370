package bpf

import "encoding/binary"

// Layout of struct event in producer.bpf.c, the header of every event. The
// offsets are spelled out so the hot path reads fields without reflection;
// a test checks them against bpf2go's generated producerEvent.
const (
	EventHeaderSize = 24
	offSeq          = 0
	offTimestamp    = 8
	offCPU          = 16
	offLen          = 20
)

// The kernel benchmark's workload (Options.Latency false): 8-byte events
// that hold the producer CPU in the top bits and the per-CPU sequence below,
// with no timestamp, so the consumer checks sequences only.
const (
	CompactEventSize = 8
	CompactCPUShift  = 48
	compactSeqMask   = 1<<CompactCPUShift - 1
)

// MaxPayload is the largest event ringbench emits: the per-CPU scratch value
// the events are built from cannot exceed the kernel's per-CPU allocation
// unit (PCPU_MIN_UNIT_SIZE, 32 KiB).
const MaxPayload = 32 << 10

// EventHeader is the decoded header of one event.
type EventHeader struct {
	Seq       uint64 // per-CPU sequence number, one per emit attempt
	Timestamp int64  // bpf_ktime_get_ns() right before submit/output
	CPU       uint32 // producer CPU
	Len       uint32 // payload length the producer wrote, header included
}

// ParseEventHeader decodes the header at the start of raw. It reports false
// if raw is too short to hold one.
func ParseEventHeader(raw []byte) (EventHeader, bool) {
	if len(raw) < EventHeaderSize {
		return EventHeader{}, false
	}
	return EventHeader{
		Seq:       binary.NativeEndian.Uint64(raw[offSeq:]),
		Timestamp: int64(binary.NativeEndian.Uint64(raw[offTimestamp:])),
		CPU:       binary.NativeEndian.Uint32(raw[offCPU:]),
		Len:       binary.NativeEndian.Uint32(raw[offLen:]),
	}, true
}

// PutEventHeader writes h at the start of b, as the producer lays it out:
// the twin of ParseEventHeader, for synthetic events (the recorder's cost
// probe, tests). b must hold EventHeaderSize bytes.
func PutEventHeader(b []byte, h EventHeader) {
	binary.NativeEndian.PutUint64(b[offSeq:], h.Seq)
	binary.NativeEndian.PutUint64(b[offTimestamp:], uint64(h.Timestamp))
	binary.NativeEndian.PutUint32(b[offCPU:], h.CPU)
	binary.NativeEndian.PutUint32(b[offLen:], h.Len)
}

// PutCompactEvent writes an 8-byte event: the twin of ParseCompactEvent.
func PutCompactEvent(b []byte, cpu uint32, seq uint64) {
	binary.NativeEndian.PutUint64(b, uint64(cpu)<<CompactCPUShift|seq&compactSeqMask)
}

// ParseCompactEvent decodes an 8-byte event; false if raw is shorter.
func ParseCompactEvent(raw []byte) (cpu uint32, seq uint64, ok bool) {
	if len(raw) < CompactEventSize {
		return 0, 0, false
	}
	v := binary.NativeEndian.Uint64(raw)
	return uint32(v >> CompactCPUShift), v & compactSeqMask, true
}
