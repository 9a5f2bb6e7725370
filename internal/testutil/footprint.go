package testutil

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Footprint is everything of BPF's a process holds: object IDs behind its
// fds, mappings of BPF maps and perf rings, and perf event fds. A consumer
// that forgets to unmap a ring keeps the map alive as surely as an fd.
type Footprint struct {
	IDs      KernelIDs
	Mappings int // mmaps of anon_inode:bpf-map or anon_inode:[perf_event]
	PerfFDs  int
	FDs      int // every open fd: epoll instances and eventfds too
}

// InitNetpoller makes the Go runtime create its own epoll fd and wakeup fd
// now, which it otherwise does on first use, so that a footprint taken
// afterwards does not count them as a mode's leak.
func InitNetpoller() {
	r, w, err := os.Pipe()
	if err == nil {
		r.Close()
		w.Close()
	}
}

// FootprintOf reads process pid's footprint from /proc.
func FootprintOf(pid int) (Footprint, error) {
	ids, err := HeldIDs(pid)
	if err != nil {
		return Footprint{}, err
	}
	f := Footprint{IDs: ids}
	proc := filepath.Join("/proc", strconv.Itoa(pid))
	maps, err := os.ReadFile(filepath.Join(proc, "maps"))
	if err != nil {
		return Footprint{}, err
	}
	for _, line := range strings.Split(string(maps), "\n") {
		if strings.HasSuffix(line, "anon_inode:bpf-map") || strings.HasSuffix(line, "anon_inode:[perf_event]") {
			f.Mappings++
		}
	}
	fds, err := os.ReadDir(filepath.Join(proc, "fd"))
	if err != nil {
		return Footprint{}, err
	}
	f.FDs = len(fds)
	for _, e := range fds {
		if target, err := os.Readlink(filepath.Join(proc, "fd", e.Name())); err == nil && target == "anon_inode:[perf_event]" {
			f.PerfFDs++
		}
	}
	return f, nil
}

// Same reports whether two footprints hold the same objects.
func (f Footprint) Same(o Footprint) bool {
	return f.Mappings == o.Mappings && f.PerfFDs == o.PerfFDs && f.FDs == o.FDs &&
		f.IDs.Minus(o.IDs).Empty() && o.IDs.Minus(f.IDs).Empty()
}
