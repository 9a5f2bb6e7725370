package testutil

import (
	"errors"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/rlimit"
)

// RequireBPF skips the test, with the reason, unless this process can load
// BPF programs and create ring buffer maps.
func RequireBPF(tb testing.TB) {
	tb.Helper()
	if os.Geteuid() != 0 {
		tb.Skip("needs root (or CAP_BPF+CAP_PERFMON) to load BPF programs")
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		tb.Skipf("cannot raise RLIMIT_MEMLOCK: %v", err)
	}
	if err := features.HaveMapType(ebpf.RingBuf); err != nil {
		if errors.Is(err, ebpf.ErrNotSupported) {
			tb.Skipf("kernel has no BPF ring buffer (needs Linux ≥ 5.8): %v", err)
		}
		tb.Skipf("cannot probe for BPF ring buffer: %v", err)
	}
}
