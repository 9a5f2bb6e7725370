package bpf

import "golang.org/x/sys/unix"

// waitSyscalls are the syscalls a consumer sleeps in for its ring: epoll
// in all its forms (cilium/ebpf's readers, ringbench's epoll modes and Go's
// netpoller use one or another).
var waitSyscalls = [3]int64{unix.SYS_EPOLL_WAIT, unix.SYS_EPOLL_PWAIT, unix.SYS_EPOLL_PWAIT2}
