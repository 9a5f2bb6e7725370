package claims

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// errnoText names what a syscall returned: "ok", or the errno's name and
// number ("EINVAL (22)"), or the error text when it carries no errno.
func errnoText(err error) string {
	if err == nil {
		return "ok"
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		name := unix.ErrnoName(en)
		if name == "" {
			name = kernelErrnos[int(en)]
		}
		return fmt.Sprintf("%s (%d)", name, int(en))
	}
	return err.Error()
}

// kernelErrnos names the kernel-internal errnos (include/linux/errno.h)
// that reach user space from BPF and perf paths but have no libc name.
var kernelErrnos = map[int]string{512: "ERESTARTSYS", 524: "ENOTSUPP", 525: "ETOOSMALL"}

// tryMap creates a map from spec and closes it at once, returning what the
// kernel said.
func tryMap(spec *ebpf.MapSpec) error {
	m, err := ebpf.NewMap(spec)
	if err == nil {
		m.Close()
	}
	return err
}
