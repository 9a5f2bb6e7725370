package bench

import (
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// bpfStats measures the producer program's run time over the window with
// the kernel's BPF run-time statistics (BPF_ENABLE_STATS). Enabling them
// makes every BPF program on the machine time itself (two clock reads per
// run) and flips a static key, which patches code on every CPU; so they are
// switched on before the warm-up, never inside the window, and the window's
// share is the difference of two readings.
type bpfStats struct {
	prog   *ebpf.Program
	closer io.Closer
	err    error
}

// bpfUsage is the window's share of the program's run time.
type bpfUsage struct {
	RuntimeNs uint64
	Runs      uint64
}

func enableBPFStats(prog *ebpf.Program) *bpfStats {
	s := &bpfStats{prog: prog}
	if s.closer, s.err = ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME)); s.err != nil {
		s.err = fmt.Errorf("BPF_ENABLE_STATS: %w", s.err)
	}
	return s
}

// read returns the program's totals so far.
func (s *bpfStats) read() (bpfUsage, error) {
	if s.err != nil {
		return bpfUsage{}, s.err
	}
	st, err := s.prog.Stats()
	if err != nil {
		return bpfUsage{}, err
	}
	return bpfUsage{RuntimeNs: uint64(st.Runtime), Runs: st.RunCount}, nil
}

// between is the usage from a to b, or the first error of either reading.
func between(a, b bpfUsage, errA, errB error) (bpfUsage, error) {
	if err := firstErr(errA, errB); err != nil {
		return bpfUsage{}, err
	}
	return bpfUsage{RuntimeNs: b.RuntimeNs - a.RuntimeNs, Runs: b.Runs - a.Runs}, nil
}

// close turns the statistics off; safe more than once.
func (s *bpfStats) close() {
	if s.closer != nil {
		s.closer.Close()
		s.closer = nil
	}
}
