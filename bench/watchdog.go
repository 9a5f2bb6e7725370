package bench

import (
	"fmt"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// watchdogEnv carries, from the parent to a scenario's child, how long the
// child may run before its watchdog fires (a Go duration).
const watchdogEnv = "RINGBENCH_CHILD_WATCHDOG"

// watchdogAfter is when a child's watchdog fires: before the parent's
// deadline (limit), by quitGrace or a quarter of the limit if that is
// less, so that the child's own dump comes first.
func watchdogAfter(limit time.Duration) time.Duration {
	return limit - min(quitGrace, limit/4)
}

// sigevent is the kernel's struct sigevent (64 bytes) for SIGEV_SIGNAL.
type sigevent struct {
	value  uint64
	signo  int32
	notify int32 // SIGEV_SIGNAL: 0
	_      [12]int32
}

// armWatchdog asks the kernel to send this process SIGQUIT after d, with a
// POSIX timer: it fires when no goroutine can run (a starved run queue, a
// scheduler livelock), where a Go timer would wait its turn. The runtime's
// SIGQUIT handler prints every goroutine (GOTRACEBACK=all) from the signal
// stack of whichever thread takes it, and exits; the parent keeps the dump
// in run.json's stderr_tail.
func armWatchdog(d time.Duration) error {
	sev := sigevent{signo: int32(unix.SIGQUIT)}
	var id int32 // the kernel's timer_t
	if _, _, e := unix.Syscall(unix.SYS_TIMER_CREATE, uintptr(unix.CLOCK_MONOTONIC),
		uintptr(unsafe.Pointer(&sev)), uintptr(unsafe.Pointer(&id))); e != 0 {
		return fmt.Errorf("timer_create: %w", e)
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(d.Nanoseconds())}
	if _, _, e := unix.Syscall6(unix.SYS_TIMER_SETTIME, uintptr(id), 0,
		uintptr(unsafe.Pointer(&spec)), 0, 0, 0); e != 0 {
		return fmt.Errorf("timer_settime: %w", e)
	}
	return nil
}
