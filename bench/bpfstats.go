package bench

import (
	"fmt"
	"io"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// bpfStats measures the producer program's run time over the window with
// the kernel's BPF run-time statistics (BPF_ENABLE_STATS). Enabling them
// makes every BPF program on the machine time itself, two clock reads per
// run, so they are on only while the window is open.
type bpfStats struct {
	prog   *ebpf.Program
	closer io.Closer
	before *ebpf.ProgramStats
	err    error
}

// bpfUsage is the window's share of the program's run time.
type bpfUsage struct {
	RuntimeNs uint64
	Runs      uint64
}

func startBPFStats(prog *ebpf.Program) *bpfStats {
	s := &bpfStats{prog: prog}
	if s.closer, s.err = ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME)); s.err != nil {
		s.err = fmt.Errorf("BPF_ENABLE_STATS: %w", s.err)
		return s
	}
	if s.before, s.err = prog.Stats(); s.err != nil {
		s.close()
	}
	return s
}

// close turns the statistics off; safe more than once, for error paths.
func (s *bpfStats) close() {
	if s.closer != nil {
		s.closer.Close()
		s.closer = nil
	}
}

// stop reads the counters and turns the statistics off again.
func (s *bpfStats) stop() (bpfUsage, error) {
	if s.err != nil {
		return bpfUsage{}, s.err
	}
	defer s.close()
	after, err := s.prog.Stats()
	if err != nil {
		return bpfUsage{}, err
	}
	return bpfUsage{
		RuntimeNs: uint64(after.Runtime - s.before.Runtime),
		Runs:      after.RunCount - s.before.RunCount,
	}, nil
}
