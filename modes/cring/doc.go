// Package cring holds ringbench's C read modes: the mmap consumer of the
// Go spin and epoll modes written in C (the kernel benchmark's rb-custom
// and pb-custom), and libbpf's ring_buffer and perf_buffer, called through
// cgo. Both record every event with rec.h, the C twin of modes.Recorder,
// so that a C mode is measured with the Go modes' accounting; modes merges
// what they counted into its Recorder after the run.
//
// A binary built without cgo has the package's API, but Unavailable says
// why nothing in it can run.
package cring
