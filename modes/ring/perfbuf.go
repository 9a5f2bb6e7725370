package ring

import (
	"errors"
	"fmt"
	"os"
	"unsafe"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// PerfWakeup is when the kernel wakes a perf ring's reader: after Events
// samples, or after Watermark bytes if Watermark > 0.
type PerfWakeup struct {
	Events    int
	Watermark int
}

// PerfCPU is one CPU's perf event and its mapped ring.
type PerfCPU struct {
	CPU  int
	FD   int
	Ring *PerfRing
	mem  []byte
}

// PerfBuffers are the per-CPU rings behind a perf event array: one
// PERF_COUNT_SW_BPF_OUTPUT event per online CPU, each mapped (1 + 2^n
// pages) and stored in the array at index = CPU, so that
// bpf_perf_event_output(BPF_F_CURRENT_CPU) finds it. The array's own fd is
// not mmapable (ENOTSUPP).
type PerfBuffers struct {
	CPUs  []*PerfCPU
	array *ebpf.Map
}

// OpenPerf opens and maps a ring of dataBytes (a power of two of at least a
// page) for every online CPU and installs it in array.
func OpenPerf(array *ebpf.Map, cpus []int, dataBytes int, w PerfWakeup) (_ *PerfBuffers, err error) {
	page := os.Getpagesize()
	if dataBytes < page || dataBytes&(dataBytes-1) != 0 {
		return nil, fmt.Errorf("perf ring size %d is not a power of two of at least a page", dataBytes)
	}
	p := &PerfBuffers{array: array}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	for _, c := range cpus {
		pc, err := openCPU(c, page, dataBytes, w)
		if err != nil {
			return nil, err
		}
		p.CPUs = append(p.CPUs, pc)
		if err := array.Put(uint32(c), uint32(pc.FD)); err != nil {
			return nil, fmt.Errorf("store perf event of CPU %d in the array: %w", c, err)
		}
		if err := unix.IoctlSetInt(pc.FD, unix.PERF_EVENT_IOC_ENABLE, 0); err != nil {
			return nil, fmt.Errorf("enable perf event of CPU %d: %w", c, err)
		}
	}
	return p, nil
}

func openCPU(c, page, dataBytes int, w PerfWakeup) (_ *PerfCPU, err error) {
	attr := unix.PerfEventAttr{
		Type:        unix.PERF_TYPE_SOFTWARE,
		Config:      unix.PERF_COUNT_SW_BPF_OUTPUT,
		Sample_type: unix.PERF_SAMPLE_RAW,
		Sample:      1,
		Bits:        unix.PerfBitDisabled,
		Wakeup:      uint32(max(w.Events, 1)),
	}
	if w.Watermark > 0 {
		attr.Bits |= unix.PerfBitWatermark
		attr.Wakeup = uint32(w.Watermark)
	}
	attr.Size = uint32(unsafe.Sizeof(attr))
	fd, err := unix.PerfEventOpen(&attr, -1, c, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("perf_event_open BPF output on CPU %d: %w", c, err)
	}
	pc := &PerfCPU{CPU: c, FD: fd}
	defer func() {
		if err != nil {
			pc.close()
		}
	}()
	if pc.mem, err = unix.Mmap(fd, 0, page+dataBytes, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED); err != nil {
		return nil, fmt.Errorf("mmap perf ring of CPU %d: %w", c, err)
	}
	meta := (*unix.PerfEventMmapPage)(unsafe.Pointer(&pc.mem[0]))
	off, size := int(meta.Data_offset), int(meta.Data_size)
	if off == 0 { // kernels before 4.1 do not fill these in
		off, size = page, dataBytes
	}
	if off+size > len(pc.mem) {
		return nil, fmt.Errorf("perf ring of CPU %d: data area %d+%d beyond the %d-byte mapping", c, off, size, len(pc.mem))
	}
	if pc.Ring, err = NewPerfRing(&meta.Data_head, &meta.Data_tail, pc.mem[off:off+size]); err != nil {
		return nil, err
	}
	return pc, nil
}

func (pc *PerfCPU) close() error {
	var errs []error
	if pc.mem != nil {
		errs = append(errs, unix.Munmap(pc.mem))
		pc.mem = nil
	}
	if pc.FD > 0 {
		errs = append(errs, unix.Close(pc.FD))
		pc.FD = -1
	}
	return errors.Join(errs...)
}

// FDs are the perf event fds, for epoll.
func (p *PerfBuffers) FDs() []int {
	fds := make([]int, len(p.CPUs))
	for i, c := range p.CPUs {
		fds[i] = c.FD
	}
	return fds
}

// Close removes the events from the array (the array holds its own
// reference to each event file until then), disables, unmaps and closes
// them.
func (p *PerfBuffers) Close() error {
	var errs []error
	for _, c := range p.CPUs {
		if err := p.array.Delete(uint32(c.CPU)); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
			errs = append(errs, err)
		}
		if c.FD > 0 {
			_ = unix.IoctlSetInt(c.FD, unix.PERF_EVENT_IOC_DISABLE, 0)
		}
		errs = append(errs, c.close())
	}
	p.CPUs = nil
	return errors.Join(errs...)
}

// Tail is the mapped data_tail word of this CPU's ring, for experiments
// that must see what the kernel sees.
func (pc *PerfCPU) Tail() *uint64 {
	return &(*unix.PerfEventMmapPage)(unsafe.Pointer(&pc.mem[0])).Data_tail
}
