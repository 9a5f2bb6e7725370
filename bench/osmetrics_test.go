package bench

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func TestParseStatTimes(t *testing.T) {
	// The command name may contain spaces and parentheses.
	line := []byte("4242 (a (b) c) R 1 4242 4242 0 -1 4194560 100 0 0 0 731 52 0 0 20 0 3 0 123 456 789 18446744073709551615")
	u, s, err := parseStatTimes(line)
	if err != nil || u != 731 || s != 52 {
		t.Fatalf("utime %d stime %d err %v; want 731 52", u, s, err)
	}
	for _, bad := range []string{"no paren", "1 (x) R 1 2"} {
		if _, _, err := parseStatTimes([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseCtxSwitches(t *testing.T) {
	status := []byte("Name:\tx\nvoluntary_ctxt_switches:\t1234\nnonvoluntary_ctxt_switches:\t56\n")
	if v, i := parseCtxSwitches(status); v != 1234 || i != 56 {
		t.Fatalf("got %d %d", v, i)
	}
}

// The thread CPU clock ID must name this very thread: after burning CPU on
// it, its clock has advanced at least as much as RUSAGE_THREAD says.
func TestThreadCPUClock(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	before, err := readThread(tid)
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for i := range 20_000_000 {
		x += i
	}
	_ = x
	after, err := readThread(tid)
	if err != nil {
		t.Fatal(err)
	}
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		t.Fatal(err)
	}
	total := ru.Utime.Nano() + ru.Stime.Nano()
	if after.cpuNs <= before.cpuNs || after.cpuNs < total-int64(1e7) {
		t.Fatalf("thread clock %d → %d, RUSAGE_THREAD says %d", before.cpuNs, after.cpuNs, total)
	}
}
