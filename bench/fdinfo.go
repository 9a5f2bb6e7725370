package bench

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// ParseFdinfo parses /proc/<pid>/fdinfo/<fd> text ("key:\tvalue" lines) into
// a map; keys and values trimmed. Lines without a colon are skipped, and a
// repeated key (epoll's "tfd:" lines) keeps its last value: ringbench only
// reads the single-valued BPF map keys.
func ParseFdinfo(r io.Reader) (map[string]string, error) {
	m := make(map[string]string)
	s := bufio.NewScanner(r)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok {
			continue
		}
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m, s.Err()
}

// MapMemlock returns the "memlock:" value (bytes) of a BPF map fd of this
// process, from /proc/self/fdinfo/<fd>. It is the kernel's own account of
// the map's memory (bpf_map_memory_usage since 6.4, charged pages before),
// which for a ring includes its metadata pages, not only the data area.
func MapMemlock(fd int) (uint64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/self/fdinfo/%d", fd))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n, err := mapMemlockFrom(f)
	if err != nil {
		return 0, fmt.Errorf("fd %d: %w", fd, err)
	}
	return n, nil
}

// mapMemlockFrom is the testable core.
func mapMemlockFrom(r io.Reader) (uint64, error) {
	m, err := ParseFdinfo(r)
	if err != nil {
		return 0, err
	}
	v, ok := m["memlock"]
	if !ok {
		return 0, errors.New("fdinfo has no memlock (not a BPF map?)")
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("fdinfo memlock: %w", err)
	}
	return n, nil
}
