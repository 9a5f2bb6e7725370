// Package ring reads BPF ring buffers and perf rings in place.
//
// The parsers (Ringbuf, PerfRing) are pure Go over memory — a []byte data
// area and pointers to the position words — so tests and fuzz targets drive
// them with synthetic rings, no kernel needed. The rest of the package maps
// the real rings (MapRingbuf, OpenPerf) and waits on them (Poller): it is the
// one package of ringbench with unsafe and raw syscalls, as cilium/ebpf keeps
// its own in internal/epoll and the ring files of ringbuf/ and perf/.
package ring
