//go:build cgo

package cring

/*
#cgo LDFLAGS: -lbpf
#include <stdlib.h>
#include "cring.h"
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"unsafe"

	"ringbench/internal/window"
)

// Unavailable is why the C modes cannot run in this binary; "" when they
// can.
const Unavailable = ""

// The C side reads a window.Window as two int64s, start then end. Its
// fields are unexported atomics; check the layout once rather than trust it.
func init() {
	w := window.New()
	w.Open(11)
	w.Close(22)
	if b := (*[2]int64)(unsafe.Pointer(w)); b[0] != 11 || b[1] != 22 {
		panic("cring: window.Window is no longer [start, end int64]")
	}
	if unsafe.Sizeof(C.struct_rbn_seq{}) != unsafe.Sizeof(Seq{}) {
		panic("cring: struct rbn_seq and Seq disagree")
	}
}

func windowWords(w *window.Window) *C.int64_t { return (*C.int64_t)(unsafe.Pointer(w)) }

// Recorder is a C recorder (rec.h), in C memory: its counts and sequence
// trackers are written by C code running for seconds, so they live where
// the Go runtime neither moves nor frees them.
type Recorder struct {
	p       *C.struct_rbn_rec
	ncounts int
	ncpus   int
	trig    *C.struct_rbn_trig
}

// NewRecorder returns a recorder for producers on CPUs 0..cpus-1 with a
// latency histogram of counts buckets (internal/hist's geometry).
func NewRecorder(cpus, counts int, perEvent, noTimestamps bool) (*Recorder, error) {
	p := (*C.struct_rbn_rec)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_rbn_rec{}))))
	t := (*C.struct_rbn_trig)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_rbn_trig{}))))
	r := &Recorder{p: p, trig: t, ncounts: counts, ncpus: cpus}
	if p == nil || t == nil {
		r.Free()
		return nil, errors.New("cring: out of memory")
	}
	p.counts = (*C.int64_t)(C.calloc(C.size_t(counts), 8))
	p.ncounts = C.int64_t(counts)
	p.seq = (*C.struct_rbn_seq)(C.calloc(C.size_t(cpus), C.size_t(unsafe.Sizeof(C.struct_rbn_seq{}))))
	p.ncpus = C.uint32_t(cpus)
	t.counts = (*C.int64_t)(C.calloc(C.size_t(counts), 8))
	t.ncounts = C.int64_t(counts)
	if p.counts == nil || p.seq == nil || t.counts == nil {
		r.Free()
		return nil, errors.New("cring: out of memory")
	}
	if perEvent {
		p.per_event = 1
	}
	if noTimestamps {
		p.no_ts = 1
	}
	return r, nil
}

// Free releases the recorder's C memory; safe more than once.
func (r *Recorder) Free() {
	if r.p != nil {
		C.free(unsafe.Pointer(r.p.counts))
		C.free(unsafe.Pointer(r.p.seq))
		C.free(unsafe.Pointer(r.p))
		r.p = nil
	}
	if r.trig != nil {
		C.free(unsafe.Pointer(r.trig.counts))
		C.free(unsafe.Pointer(r.trig))
		r.trig = nil
	}
}

// Result copies out what the recorder recorded.
func (r *Recorder) Result() Result {
	p := r.p
	res := Result{
		Counts:   append([]int64(nil), unsafe.Slice((*int64)(unsafe.Pointer(p.counts)), r.ncounts)...),
		Seqs:     append([]Seq(nil), unsafe.Slice((*Seq)(unsafe.Pointer(p.seq)), r.ncpus)...),
		EventLen: uint32(p.event_len),
		Counters: Counters{
			Malformed: uint64(p.c.malformed), Negative: uint64(p.c.negative), TooSlow: uint64(p.c.too_slow),
			ClockReads: uint64(p.c.clock_reads), Restamps: uint64(p.c.restamps), InWindow: uint64(p.c.in_win),
			Lost: uint64(p.c.lost), Discarded: uint64(p.c.discarded), Unknown: uint64(p.c.unknown),
			Wrapped: uint64(p.c.wrapped),
		},
		Trigger: Trigger{Triggers: uint64(r.trig.triggers), WindowTriggers: uint64(r.trig.win_triggers),
			Counts: append([]int64(nil), unsafe.Slice((*int64)(unsafe.Pointer(r.trig.counts)), r.ncounts)...)},
	}
	return res
}

// Record takes one event, starting a pass first if beginPass: the C
// recorder's rules, one call at a time (for tests).
func (r *Recorder) Record(w *window.Window, raw []byte, beginPass bool) {
	var p *C.uint8_t
	if len(raw) > 0 {
		p = (*C.uint8_t)(unsafe.Pointer(&raw[0]))
	}
	b := C.int(0)
	if beginPass {
		b = 1
	}
	C.rbn_record_one(r.p, windowWords(w), p, C.uint32_t(len(raw)), b)
}

// TimeRecord is the C recorder's cost per event in passes of n events of
// size bytes, over about d ns, with the timing's own clock reading per pass
// in it (modes.MeasureRecorderCost's method).
func (r *Recorder) TimeRecord(w *window.Window, size, n int, d int64) float64 {
	buf := make([]byte, size*n)
	return float64(C.rbn_time_record(r.p, windowWords(w), (*C.uint8_t)(unsafe.Pointer(&buf[0])),
		C.uint32_t(size), C.int(n), C.int64_t(d)))
}

// run calls one C consumer until ctx is done: a goroutine turns the
// cancellation into ctl's stop flag and a write to its eventfd.
func run(ctx context.Context, call func(ctl *C.struct_rbn_ctl, err *C.char) C.int) error {
	ctl := C.rbn_ctl_new()
	if ctl == nil {
		return errors.New("cring: eventfd: out of file descriptors or memory")
	}
	defer C.rbn_ctl_free(ctl)
	finished := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-ctx.Done():
			C.rbn_ctl_stop(ctl)
		case <-finished:
		}
	}()
	var msg [256]C.char
	rc := call(ctl, &msg[0])
	close(finished)
	<-stopped // ctl is freed after the watcher is done with it
	if rc != 0 {
		return errors.New(C.GoString(&msg[0]))
	}
	return nil
}

// RunMmap runs the C mmap consumer on the calling thread until ctx is done,
// then drains what is left. The caller locks and pins the thread.
func RunMmap(ctx context.Context, m Mmap, r *Recorder, w *window.Window) error {
	if len(m.Rings) == 0 {
		return errors.New("cring: no ring to read")
	}
	rings := (*C.struct_rbn_ring)(C.calloc(C.size_t(len(m.Rings)), C.size_t(unsafe.Sizeof(C.struct_rbn_ring{}))))
	if rings == nil {
		return errors.New("cring: out of memory")
	}
	defer C.free(unsafe.Pointer(rings))
	for i, src := range m.Rings {
		if src.Size <= 0 || src.Size&(src.Size-1) != 0 || len(src.Data) < src.Size {
			return fmt.Errorf("cring: ring %d: data area of %d bytes for a size of %d", i, len(src.Data), src.Size)
		}
		ring := &unsafe.Slice(rings, len(m.Rings))[i]
		ring.pos = (*C.uint64_t)(unsafe.Pointer(src.Pos))
		ring.head = (*C.uint64_t)(unsafe.Pointer(src.Head))
		ring.data = (*C.uint8_t)(unsafe.Pointer(&src.Data[0]))
		ring.mask = C.uint64_t(src.Size - 1)
		ring.cursor = C.uint64_t(*src.Pos)
		ring.fd = C.int(src.FD)
	}
	cfg := C.struct_rbn_mmap{rings: rings, nrings: C.int(len(m.Rings)), timeout_ms: C.int(m.TimeoutMs)}
	if m.Perf {
		cfg.perf = 1
	}
	if m.Epoll {
		cfg.epoll = 1
	}
	if m.CommitRecord {
		cfg.commit_record = 1
	}
	if m.B2B {
		r.trig.nr = C.long(m.TriggerNr)
		cfg.b2b = r.trig
	}
	return run(ctx, func(ctl *C.struct_rbn_ctl, msg *C.char) C.int {
		return C.rbn_run_mmap(&cfg, r.p, windowWords(w), ctl, msg, 256)
	})
}

// Libbpf is libbpf's ring_buffer or perf_buffer over a map, opened
// before the load starts: a perf ring must be in the array before the
// producer writes, or its events are dropped.
type Libbpf struct {
	h    *C.struct_rbn_libh
	cfg  *C.struct_rbn_lib // C memory: it holds the CPU and fd lists
	cpus *C.int
	fds  *C.int
}

// OpenLibbpf opens libbpf's buffers as l says.
func OpenLibbpf(l Lib) (*Libbpf, error) {
	lb := &Libbpf{cfg: (*C.struct_rbn_lib)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_rbn_lib{}))))}
	if lb.cfg == nil {
		return nil, errors.New("cring: out of memory")
	}
	*lb.cfg = C.struct_rbn_lib{page_cnt: C.int(l.PageCnt),
		wakeup_events: C.int(l.WakeupEvents), watermark: C.int(l.Watermark), timeout_ms: C.int(l.TimeoutMs)}
	if len(l.MapFDs) == 0 {
		lb.Close()
		return nil, errors.New("cring: no map to read")
	}
	if lb.fds = (*C.int)(C.calloc(C.size_t(len(l.MapFDs)), C.size_t(unsafe.Sizeof(C.int(0))))); lb.fds == nil {
		lb.Close()
		return nil, errors.New("cring: out of memory")
	}
	for i, fd := range l.MapFDs {
		unsafe.Slice(lb.fds, len(l.MapFDs))[i] = C.int(fd)
	}
	lb.cfg.map_fds, lb.cfg.nmaps = lb.fds, C.int(len(l.MapFDs))
	if l.Perf {
		lb.cfg.perf = 1
		lb.cpus = (*C.int)(C.calloc(C.size_t(max(len(l.CPUs), 1)), C.size_t(unsafe.Sizeof(C.int(0)))))
		if lb.cpus == nil {
			lb.Close()
			return nil, errors.New("cring: out of memory")
		}
		for i, c := range l.CPUs {
			unsafe.Slice(lb.cpus, len(l.CPUs))[i] = C.int(c)
		}
		lb.cfg.cpus, lb.cfg.ncpus = lb.cpus, C.int(len(l.CPUs))
	}
	var msg [256]C.char
	if lb.h = C.rbn_lib_open(lb.cfg, &msg[0], 256); lb.h == nil {
		lb.Close()
		return nil, errors.New(C.GoString(&msg[0]))
	}
	return lb, nil
}

// Run polls the buffers on the calling thread until ctx is done, then
// drains what is left. The caller locks and pins the thread. b2b: trigger
// the next batch (triggerNr) before each poll.
func (lb *Libbpf) Run(ctx context.Context, r *Recorder, w *window.Window, b2b bool, triggerNr int) error {
	lb.cfg.b2b = nil
	if b2b {
		r.trig.nr = C.long(triggerNr)
		lb.cfg.b2b = r.trig
	}
	return run(ctx, func(ctl *C.struct_rbn_ctl, msg *C.char) C.int {
		return C.rbn_lib_run(lb.h, lb.cfg, r.p, windowWords(w), ctl, msg, 256)
	})
}

// Close frees the buffers (libbpf takes the perf rings out of the array);
// safe more than once.
func (lb *Libbpf) Close() error {
	C.rbn_lib_close(lb.h)
	lb.h = nil
	C.free(unsafe.Pointer(lb.cpus))
	lb.cpus = nil
	C.free(unsafe.Pointer(lb.fds))
	lb.fds = nil
	C.free(unsafe.Pointer(lb.cfg))
	lb.cfg = nil
	return nil
}

// CountValues files each value in counts (internal/hist's geometry) with
// the C recorder's index; values out of range are left out. It is the C
// histogram's arithmetic, for the test that holds it to the Go one.
func CountValues(counts []int64, values []int64) {
	if len(counts) == 0 || len(values) == 0 {
		return
	}
	C.rbn_count_values((*C.int64_t)(unsafe.Pointer(&counts[0])), C.int64_t(len(counts)),
		(*C.int64_t)(unsafe.Pointer(&values[0])), C.int64_t(len(values)))
}

// Drain runs one drain of the C mmap consumer over a copy of data, a ring
// of size bytes (a ring buffer's data area given twice, as mapped), from
// the consumer position pos to the producer's head, recording into r. It
// returns the consumer position after, and the ring's corruption if it
// found one: the fuzz target's view of the C parsers.
func Drain(perf bool, data []byte, size int, pos, head uint64, r *Recorder, w *window.Window) (uint64, error) {
	mem := (*C.uint8_t)(C.malloc(C.size_t(max(len(data), 1))))
	g := (*C.struct_rbn_ring)(C.calloc(1, C.size_t(unsafe.Sizeof(C.struct_rbn_ring{}))))
	words := (*[2]C.uint64_t)(C.calloc(2, 8))
	defer C.free(unsafe.Pointer(mem))
	defer C.free(unsafe.Pointer(g))
	defer C.free(unsafe.Pointer(words))
	copy(unsafe.Slice((*byte)(unsafe.Pointer(mem)), len(data)), data)
	words[0], words[1] = C.uint64_t(pos), C.uint64_t(head)
	g.pos, g.head, g.data, g.mask, g.cursor = &words[0], &words[1], mem, C.uint64_t(size-1), C.uint64_t(pos)
	p := C.int(0)
	if perf {
		p = 1
	}
	var msg [256]C.char
	if C.rbn_drain_one(p, g, r.p, windowWords(w), &msg[0], 256) < 0 {
		return uint64(words[0]), errors.New(C.GoString(&msg[0]))
	}
	return uint64(words[0]), nil
}
