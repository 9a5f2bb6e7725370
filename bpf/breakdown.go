package bpf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/ringbuf"
)

// Wait is one wait syscall of a watched thread that slept: when the thread
// was last woken in it, when it came on a CPU after that, and when the
// syscall returned to user space (CLOCK_MONOTONIC ns).
type Wait struct {
	TID                 int
	Wake, OnCPU, Return int64
}

// WaitCounts are what the breakdown's programs counted.
type WaitCounts struct {
	Slept   uint64 // waits that slept, each a Wait in the log
	Lost    uint64 // of those, the ones the log had no room for
	NoSleep uint64 // waits that returned without sleeping (data was there)
}

// Breakdown watches one process's wait syscalls (breakdown.bpf.c on
// sys_enter, sched_wakeup, sched_switch and sys_exit; tp_btf only).
type Breakdown struct {
	objs  breakdownLoaded
	links []link.Link
}

// breakdownLoaded is what the breakdown loads: its programs and maps, not
// its Variables, whose data sections cilium/ebpf would keep mapped until a
// GC cleanup, past Close (see loadOne).
type breakdownLoaded struct {
	breakdownPrograms
	breakdownMaps
}

func (o *breakdownLoaded) Close() {
	o.breakdownPrograms.Close()
	o.breakdownMaps.Close()
}

// StartBreakdown attaches the breakdown's programs for process tgid.
func StartBreakdown(tgid int) (_ *Breakdown, err error) {
	spec, err := loadBreakdown()
	if err != nil {
		return nil, err
	}
	if err := spec.Variables[breakdownVarWatchTgid].Set(uint32(tgid)); err != nil {
		return nil, err
	}
	if err := spec.Variables[breakdownVarWaitNr].Set(waitSyscalls); err != nil {
		return nil, err
	}
	b := &Breakdown{}
	if err := spec.LoadAndAssign(&b.objs, nil); err != nil {
		return nil, fmt.Errorf("latency breakdown: %w", describeLoadError(err))
	}
	defer func() {
		if err != nil {
			b.Close()
		}
	}()
	for _, p := range []*ebpf.Program{b.objs.RbnBdSysEnter, b.objs.RbnBdWakeup, b.objs.RbnBdSwitch, b.objs.RbnBdSysExit} {
		l, err := link.AttachTracing(link.TracingOptions{Program: p})
		if err != nil {
			return nil, fmt.Errorf("latency breakdown: attach %s: %w", p, err)
		}
		b.links = append(b.links, l)
	}
	return b, nil
}

// Programs are the breakdown's programs, for their run-time statistics.
func (b *Breakdown) Programs() []*ebpf.Program {
	return []*ebpf.Program{b.objs.RbnBdSysEnter, b.objs.RbnBdWakeup, b.objs.RbnBdSwitch, b.objs.RbnBdSysExit}
}

// Stop detaches the programs, then returns every wait in the log and the
// counts; the log is read once, after the run, so nothing of it runs in
// the measured window.
func (b *Breakdown) Stop() ([]Wait, WaitCounts, error) {
	for _, l := range b.links {
		l.Close()
	}
	b.links = nil
	var c WaitCounts
	for i, dst := range []*uint64{&c.Slept, &c.Lost, &c.NoSleep} {
		if err := b.objs.RbnWaitCounts.Lookup(uint32(i), dst); err != nil {
			return nil, c, err
		}
	}
	rd, err := ringbuf.NewReader(b.objs.RbnWaitLog)
	if err != nil {
		return nil, c, err
	}
	defer rd.Close()
	rd.SetDeadline(time.Now())
	waits := make([]Wait, 0, c.Slept-c.Lost)
	var rec ringbuf.Record
	for {
		if err := rd.ReadInto(&rec); err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return waits, c, nil
			}
			return waits, c, err
		}
		w, err := parseWaitRecord(rec.RawSample)
		if err != nil {
			return waits, c, err
		}
		waits = append(waits, w)
	}
}

// parseWaitRecord decodes breakdown.bpf.c's struct wait_record.
func parseWaitRecord(raw []byte) (Wait, error) {
	if len(raw) < int(unsafe.Sizeof(breakdownWaitRecord{})) {
		return Wait{}, fmt.Errorf("wait log: record of %d bytes", len(raw))
	}
	ne := binary.NativeEndian
	return Wait{TID: int(ne.Uint32(raw[0:])), Wake: int64(ne.Uint64(raw[8:])),
		OnCPU: int64(ne.Uint64(raw[16:])), Return: int64(ne.Uint64(raw[24:]))}, nil
}

// Close detaches and unloads everything; safe more than once.
func (b *Breakdown) Close() {
	for _, l := range b.links {
		l.Close()
	}
	b.links = nil
	b.objs.Close()
}
