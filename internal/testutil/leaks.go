package testutil

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cilium/ebpf"
)

// KernelIDs are the IDs of BPF programs, maps and links a process held.
type KernelIDs struct {
	Progs, Maps, Links []uint32
}

func (k KernelIDs) Empty() bool { return len(k.Progs)+len(k.Maps)+len(k.Links) == 0 }

// Union returns the IDs in k or o.
func (k KernelIDs) Union(o KernelIDs) KernelIDs {
	return KernelIDs{Progs: union(k.Progs, o.Progs), Maps: union(k.Maps, o.Maps), Links: union(k.Links, o.Links)}
}

// Minus returns the IDs in k that are not in o.
func (k KernelIDs) Minus(o KernelIDs) KernelIDs {
	return KernelIDs{Progs: minus(k.Progs, o.Progs), Maps: minus(k.Maps, o.Maps), Links: minus(k.Links, o.Links)}
}

func union(a, b []uint32) []uint32 { return append(append([]uint32(nil), a...), minus(b, a)...) }

func minus(a, b []uint32) []uint32 {
	in := map[uint32]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []uint32
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

// HeldIDs reads the BPF object IDs behind the open fds of process pid from
// /proc/PID/fdinfo, the one view that sees another process's objects without
// its cooperation.
func HeldIDs(pid int) (KernelIDs, error) {
	dir := filepath.Join("/proc", strconv.Itoa(pid), "fdinfo")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return KernelIDs{}, err
	}
	var ids KernelIDs
	seen := map[string]bool{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue // fd closed meanwhile
		}
		for _, line := range strings.Split(string(b), "\n") {
			key, val, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(strings.TrimSpace(val), 10, 32)
			if err != nil || seen[line] {
				continue
			}
			seen[line] = true
			switch key {
			case "prog_id":
				ids.Progs = append(ids.Progs, uint32(n))
			case "map_id":
				ids.Maps = append(ids.Maps, uint32(n))
			case "link_id":
				ids.Links = append(ids.Links, uint32(n))
			}
		}
	}
	return ids, nil
}

// Alive returns those of ids that the kernel still knows. Objects are freed
// asynchronously after their last reference goes, so callers should retry.
func Alive(ids KernelIDs) KernelIDs {
	return KernelIDs{
		Progs: alive(ids.Progs, func(id uint32) bool {
			return exists(ebpf.NewProgramFromID(ebpf.ProgramID(id)))
		}),
		Maps: alive(ids.Maps, func(id uint32) bool {
			return exists(ebpf.NewMapFromID(ebpf.MapID(id)))
		}),
		Links: alive(ids.Links, linkExists),
	}
}

func alive(ids []uint32, exists func(uint32) bool) []uint32 {
	var out []uint32
	for _, id := range ids {
		if exists(id) {
			out = append(out, id)
		}
	}
	return out
}

// exists closes what opening an object by ID returned: only "no such
// object" says it is gone; any other error (say, a permission) does not.
func exists(obj io.Closer, err error) bool {
	if err == nil {
		obj.Close()
	}
	return !errors.Is(err, os.ErrNotExist)
}

// RequireGone fails the test if any of ids is still known to the kernel
// after the deferred frees have had time to run (up to 10 s of polling;
// this bounds a wait, it does not time anything).
func RequireGone(tb testing.TB, ids KernelIDs) {
	tb.Helper()
	var left KernelIDs
	for range 100 {
		if left = Alive(ids); left.Empty() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	tb.Fatalf("BPF objects outlived their owner: progs %v maps %v links %v", left.Progs, left.Maps, left.Links)
}
