package bpf

import (
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"

	"ringbench/internal/testutil"
)

// The counter sees exactly the syscalls a thread makes while attached, and
// nothing of it remains after Stop.
func TestSyscallCounter(t *testing.T) {
	testutil.RequireBPF(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before, _ := testutil.HeldIDs(os.Getpid())
	c, err := StartSyscallCounter(0)
	if err != nil {
		t.Fatal(err)
	}
	held, _ := testutil.HeldIDs(os.Getpid())
	const n = 1000
	for range n {
		unix.RawSyscall(unix.SYS_GETPPID, 0, 0, 0)
	}
	counts, err := c.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if got := counts[unix.Gettid()][unix.SYS_GETPPID]; got != n {
		t.Errorf("counted %d getppid calls of this thread, made %d (attach %s)", got, n, c.Attach)
	}
	testutil.RequireGone(t, held.Minus(before))
}
