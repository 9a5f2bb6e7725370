package bpf

import "golang.org/x/sys/unix"

// waitSyscalls: arm64 has no epoll_wait, only its pwait forms.
var waitSyscalls = [3]int64{-1, unix.SYS_EPOLL_PWAIT, unix.SYS_EPOLL_PWAIT2}
