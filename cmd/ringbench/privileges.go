package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

// Capability numbers from linux/capability.h (CAP_PERFMON and CAP_BPF are
// 5.8+; before that CAP_SYS_ADMIN covers both).
const (
	capSysAdmin = 21
	capPerfmon  = 38
	capBPF      = 39
)

// privileged reports whether this process can load tracing BPF programs and
// open perf events: root, CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON.
func privileged() bool {
	if os.Geteuid() == 0 {
		return true
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return false
	}
	has := func(c uint) bool { return data[c/32].Effective&(1<<(c%32)) != 0 }
	return has(capSysAdmin) || (has(capBPF) && has(capPerfmon))
}

const privilegeHelp = "needs root, or CAP_BPF and CAP_PERFMON, to load BPF programs: run it with sudo"

// needPrivileges refuses, in one line, to go on without the privileges a
// run needs, and lifts RLIMIT_MEMLOCK, which kernels before 5.11 charge BPF
// maps to.
func needPrivileges() error {
	if !privileged() {
		return errors.New(privilegeHelp)
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("raise RLIMIT_MEMLOCK: %w", err)
	}
	return nil
}
