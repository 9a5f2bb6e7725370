// Package clock reads CLOCK_MONOTONIC the way the kernel's bpf_ktime_get_ns
// does, cheaply enough for a per-event hot path.
//
// Go's time.Now() monotonic reading is relative to process start and cannot
// be compared with kernel timestamps; unix.ClockGettime is a real syscall
// (x/sys does not use the vDSO), which would both cost hundreds of
// nanoseconds and show up in the syscall counts of every read mode. The
// runtime's nanotime is clock_gettime(CLOCK_MONOTONIC) through the vDSO on
// Linux, and is one of the runtime symbols the toolchain keeps linkable
// (go.dev/issue/67401).
package clock

import _ "unsafe" // for go:linkname

//go:linkname nanotime runtime.nanotime
func nanotime() int64

// Now returns CLOCK_MONOTONIC in nanoseconds, comparable with
// bpf_ktime_get_ns().
func Now() int64 { return nanotime() }
