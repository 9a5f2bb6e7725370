package bpf

import (
	"errors"
	"math"
	"os"
	"runtime"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"ringbench/internal/clock"
)

// SyscallCounts are syscalls by thread ID, then by syscall number.
type SyscallCounts map[int]map[int]uint64

// SyscallCounter counts the syscalls of one process from the kernel's side
// (syscount.bpf.c on sys_enter), the same way whatever a read mode does.
type SyscallCounter struct {
	Attach AttachMethod
	maps   syscountMaps
	prog   *ebpf.Program
	link   link.Link
}

// StartSyscallCounter attaches the counter for process tgid (0: this one),
// with tp_btf or else raw_tp.
func StartSyscallCounter(tgid int) (*SyscallCounter, error) {
	if tgid == 0 {
		tgid = os.Getpid()
	}
	return firstMethod("syscall counter", func(m AttachMethod) (*SyscallCounter, error) {
		return startSyscallCounter(tgid, m)
	})
}

func startSyscallCounter(tgid int, m AttachMethod) (_ *SyscallCounter, err error) {
	c := &SyscallCounter{Attach: m}
	c.maps, c.prog, err = loadFor[syscountMaps](loadSyscount, map[string]any{syscountVarCountTgid: uint32(tgid)},
		map[AttachMethod]string{TpBTF: "rbn_sc_tp_btf", RawTp: "rbn_sc_raw_tp"}, m)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	c.link, err = attach(m, c.prog)
	return c, err
}

// Close unloads the counter without reading it; safe after Stop and more
// than once, so callers can defer it for their error paths.
func (c *SyscallCounter) Close() { c.close() }

// Read returns what the counter has counted so far; it keeps counting.
func (c *SyscallCounter) Read() (SyscallCounts, error) {
	if c.maps.RbnSyscalls == nil {
		return nil, errors.New("syscall counter stopped")
	}
	return c.read()
}

// Sub returns c − base, per thread and syscall: the counts of an interval.
func (c SyscallCounts) Sub(base SyscallCounts) SyscallCounts {
	out := SyscallCounts{}
	for tid, nrs := range c {
		for nr, n := range nrs {
			if d := n - base[tid][nr]; d > 0 {
				if out[tid] == nil {
					out[tid] = map[int]uint64{}
				}
				out[tid][nr] = d
			}
		}
	}
	return out
}

// TimeSyscalls is the fastest of rounds runs of n getppid(2) calls on the
// calling thread, in ns per call: timed before and after a counter is
// attached, the difference is what counting adds to each syscall of the
// counted process. The fastest run is the one least disturbed by anything
// else on the CPU.
func TimeSyscalls(rounds, n int) float64 {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	best := math.Inf(1)
	for range rounds {
		t0 := clock.Now()
		for range n {
			unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
		}
		best = min(best, float64(clock.Now()-t0)/float64(n))
	}
	return best
}

// Stop detaches the counter, reads what it counted and unloads it.
func (c *SyscallCounter) Stop() (SyscallCounts, error) {
	if c.link != nil {
		c.link.Close()
		c.link = nil
	}
	defer c.close()
	if c.maps.RbnSyscalls == nil {
		return nil, errors.New("syscall counter already stopped")
	}
	return c.read()
}

func (c *SyscallCounter) read() (SyscallCounts, error) {
	counts := SyscallCounts{}
	var key syscountSyscallKey
	var n uint64
	it := c.maps.RbnSyscalls.Iterate()
	for it.Next(&key, &n) {
		tid := int(key.Tid)
		if counts[tid] == nil {
			counts[tid] = map[int]uint64{}
		}
		counts[tid][int(key.Nr)] = n
	}
	return counts, it.Err()
}

func (c *SyscallCounter) close() {
	detach(&c.link, &c.prog)
	c.maps.Close()
	c.maps = syscountMaps{}
}
