package bpf

import (
	"bytes"
	"errors"
	"os"
	"runtime"
	"testing"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"ringbench/internal/testutil"
)

func TestEventHeaderMatchesBTF(t *testing.T) {
	var e producerEvent
	if got := int(unsafe.Sizeof(e)); got != EventHeaderSize {
		t.Errorf("struct event is %d bytes, EventHeaderSize says %d", got, EventHeaderSize)
	}
	for _, f := range []struct {
		name      string
		got, want uintptr
	}{
		{"seq", unsafe.Offsetof(e.Seq), offSeq},
		{"ts_ns", unsafe.Offsetof(e.TsNs), offTimestamp},
		{"cpu", unsafe.Offsetof(e.Cpu), offCPU},
		{"len", unsafe.Offsetof(e.Len), offLen},
	} {
		if f.got != f.want {
			t.Errorf("%s at offset %d, parser reads %d", f.name, f.got, f.want)
		}
	}
}

func TestParseEventHeader(t *testing.T) {
	raw := make([]byte, 64)
	*(*producerEvent)(unsafe.Pointer(&raw[0])) = producerEvent{Seq: 7, TsNs: 1234, Cpu: 1, Len: 64}
	h, ok := ParseEventHeader(raw)
	if !ok || h != (EventHeader{Seq: 7, Timestamp: 1234, CPU: 1, Len: 64}) {
		t.Fatalf("ParseEventHeader = %+v, %v", h, ok)
	}
	if _, ok := ParseEventHeader(raw[:EventHeaderSize-1]); ok {
		t.Fatal("a short record parsed as an event")
	}
	// The writer lays out what the parser reads, and what the producer writes.
	w := make([]byte, 64)
	PutEventHeader(w, h)
	if !bytes.Equal(w, raw) {
		t.Errorf("PutEventHeader wrote %x, the producer's layout is %x", w[:EventHeaderSize], raw[:EventHeaderSize])
	}
	PutCompactEvent(w, 3, 1<<40+5)
	if cpu, seq, ok := ParseCompactEvent(w); !ok || cpu != 3 || seq != 1<<40+5 {
		t.Errorf("compact event read back as CPU %d seq %d (%v)", cpu, seq, ok)
	}
}

func trigger(n int) {
	for range n {
		unix.RawSyscall(TriggerSyscall, 0, 0, 0)
	}
}

// refusedByKernel tells an attach method this kernel does not offer (a skip)
// from a defect in the producer (a failure).
func refusedByKernel(err error) bool {
	return errors.Is(err, ebpf.ErrNotSupported) || errors.Is(err, unix.EPERM) ||
		errors.Is(err, unix.EACCES) || errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EINVAL)
}

// Each attach method, each transport: the counters see every trigger and
// every event; with no consumer attached to the perf event array, every perf
// output fails and is counted as dropped. Nothing outlives Close.
func TestProducerCounts(t *testing.T) {
	testutil.RequireBPF(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	const triggers, batch = 100, 3
	attached := 0
	for _, method := range AttachOrder {
		for _, tr := range []Transport{Ringbuf, Perfbuf} {
			t.Run(string(method)+"/"+string(tr), func(t *testing.T) {
				before, _ := testutil.HeldIDs(os.Getpid())
				p, err := Load(Options{
					Transport: tr, Wakeup: DefaultWakeup(tr), Batch: batch, Payload: 64,
					RingBytes: 1 << 20, Attach: []AttachMethod{method},
				})
				if err != nil {
					if refusedByKernel(err) {
						t.Skipf("kernel refuses %s: %v", method, err)
					}
					t.Fatal(err)
				}
				attached++
				held, _ := testutil.HeldIDs(os.Getpid())
				ours := held.Minus(before)
				if ours.Empty() {
					t.Fatal("loaded producer holds no BPF objects")
				}
				trigger(triggers)
				c, err := p.Counters()
				if err != nil {
					t.Fatal(err)
				}
				tot := c.Total()
				wantDropped := uint64(0)
				if tr == Perfbuf {
					wantDropped = triggers * batch
				}
				if tot.Triggers != triggers || tot.Emitted != triggers*batch || tot.Dropped != wantDropped {
					t.Errorf("counters %+v, want %d triggers, %d emitted, %d dropped", tot, triggers, triggers*batch, wantDropped)
				}
				if err := p.Close(); err != nil {
					t.Fatal(err)
				}
				testutil.RequireGone(t, ours)
			})
		}
	}
	if attached == 0 {
		t.Fatal("no attach method worked on this kernel")
	}
}

// ringbuf-sharded has a ring for every group of CPUs, the last maybe
// partial: CPU c writes to ring c / shardCPUs, which must exist.
func TestShardCount(t *testing.T) {
	for _, c := range []struct{ cpus, per, want int }{{1, 1, 1}, {2, 1, 2}, {64, 1, 64}, {64, 4, 16}, {65, 4, 17}, {3, 8, 1}} {
		n := ShardCount(c.cpus, c.per)
		if n != c.want || (c.cpus-1)/c.per >= n {
			t.Errorf("%d CPUs by %d: %d rings, want %d", c.cpus, c.per, n, c.want)
		}
	}
}
