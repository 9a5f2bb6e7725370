// Package cpu places threads on CPUs and lists the CPUs there are. The load
// generator and the consumers both pin their OS threads through it, so that
// placement is decided in one place and reported the same way.
package cpu

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"

	"ringbench/internal/cpulist"
)

// LockAndPin locks the calling goroutine to its OS thread and restricts
// that thread to CPU c. It returns the thread's ID, for per-thread figures,
// and a func that undoes both; call it on the same goroutine. A negative c
// does neither: the goroutine is left to the Go scheduler, free to move
// between threads and CPUs, and the thread ID is 0.
func LockAndPin(c int) (tid int, undo func(), err error) {
	if c < 0 {
		return 0, func() {}, nil
	}
	undo, err = lockTo([]int{c})
	if err != nil {
		return 0, nil, err
	}
	return unix.Gettid(), undo, nil
}

// Online lists the online CPUs, from /sys/devices/system/cpu/online.
func Online() ([]int, error) {
	b, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return nil, err
	}
	return cpulist.Parse(strings.TrimSpace(string(b)))
}

// WithAffinity runs f on an OS thread restricted to cpus and restores the
// thread afterwards. A process started by f inherits the restriction from
// birth, with every thread it will ever have; that is how a child is
// confined to its CPUs before its runtime starts a single thread.
func WithAffinity(cpus []int, f func() error) error {
	undo, err := lockTo(cpus)
	if err != nil {
		return err
	}
	defer undo()
	return f()
}

// lockTo locks the calling goroutine to its OS thread and restricts the
// thread to cpus; undo restores the thread's affinity, then unlocks it (the
// runtime reuses the thread). On error nothing is left changed.
func lockTo(cpus []int) (undo func(), err error) {
	runtime.LockOSThread()
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("read CPU affinity: %w", err)
	}
	for _, c := range cpus {
		set.Set(c)
	}
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		return nil, fmt.Errorf("restrict thread to CPUs %v: %w", cpus, err)
	}
	return func() {
		_ = unix.SchedSetaffinity(0, &old)
		runtime.UnlockOSThread()
	}, nil
}
