package cpu

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestLockAndPin(t *testing.T) {
	online, err := Online()
	if err != nil {
		t.Skipf("no online CPU list: %v", err)
	}
	c := online[len(online)-1]
	tid, undo, err := LockAndPin(c)
	if err != nil {
		t.Fatal(err)
	}
	if tid != unix.Gettid() {
		t.Errorf("LockAndPin returned thread %d, running on %d", tid, unix.Gettid())
	}
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	if set.Count() != 1 || !set.IsSet(c) {
		t.Errorf("after LockAndPin(%d) the thread may run on %d CPUs", c, set.Count())
	}
	undo()
}

// Hypervisor agrees with the kernel's view: /proc/cpuinfo lists the
// hypervisor flag exactly when CPUID says one is present.
func TestHypervisorMatchesCpuinfo(t *testing.T) {
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	got := Hypervisor()
	if got == "" {
		t.Skip("this architecture reads no hypervisor signature")
	}
	flagged := strings.Contains(string(info), " hypervisor")
	if flagged != (got != "none" && got != "") {
		t.Errorf("Hypervisor() = %q but cpuinfo hypervisor flag = %v", got, flagged)
	}
}
