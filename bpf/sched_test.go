package bpf

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ringbench/internal/testutil"
)

// A busy process pinned to a CPU shows as foreign time there, about the
// time it ran; this process's own busy thread does not.
func TestSchedWatch(t *testing.T) {
	testutil.RequireBPF(t)
	hog := exec.Command("sh", "-c", "while :; do :; done")
	if err := hog.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { hog.Process.Kill(); hog.Wait() }()
	var set unix.CPUSet
	set.Set(0)
	if err := unix.SchedSetaffinity(hog.Process.Pid, &set); err != nil {
		t.Fatal(err)
	}
	w, err := StartSchedWatch([2]uint32{uint32(os.Getpid()), 0})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	before, _, err := w.Foreign()
	if err != nil {
		t.Fatal(err)
	}
	// Our own busy thread, on the other CPU if there is one.
	runtime.LockOSThread()
	for end := time.Now().Add(300 * time.Millisecond); time.Now().Before(end); {
	}
	runtime.UnlockOSThread()
	after, missed, err := w.Foreign()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("switches the watch did not see: %d", missed)
	got := time.Duration(after[0] - before[0])
	t.Logf("foreign on CPU 0: %v", got)
	// The hog has CPU 0 to itself but for kernel threads and, if we share
	// it, this thread; a slice still running counts (the hog is rarely
	// switched out when alone).
	if got < 150*time.Millisecond || got > 320*time.Millisecond {
		t.Errorf("foreign time on CPU 0 over 300 ms with a hog there: %v (attach %s)", got, w.Attach)
	}
	if runtime.NumCPU() > 1 {
		if other := time.Duration(after[1] - before[1]); other > 50*time.Millisecond {
			t.Errorf("foreign time on CPU 1, where only this process ran: %v", other)
		}
	}
}
