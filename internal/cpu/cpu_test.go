package cpu

import (
	"os"
	"reflect"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseList(t *testing.T) {
	for in, want := range map[string][]int{"0": {0}, "0-3": {0, 1, 2, 3}, "0-1,4,6-7": {0, 1, 4, 6, 7}} {
		got, err := ParseList(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("ParseList(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "a", "3-1", "-1", "1,,2"} {
		if _, err := ParseList(bad); err == nil {
			t.Errorf("ParseList(%q) accepted", bad)
		}
	}
}

func TestFormatList(t *testing.T) {
	for _, want := range []string{"0", "0-3", "0-1,4,6-7", "1,3,5"} {
		cpus, _ := ParseList(want)
		if got := FormatList(cpus); got != want {
			t.Errorf("FormatList(%v) = %q, want %q", cpus, got, want)
		}
	}
	if got := FormatList(nil); got != "" {
		t.Errorf("FormatList(nil) = %q", got)
	}
}

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
