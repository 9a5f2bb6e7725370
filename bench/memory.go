package bench

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"

	"ringbench/bpf"
)

// fillMemory reads what the BPF side holds while the consumer still has it:
// each map's memlock and, for perf, the bytes of the rings it maps.
func fillMemory(r *Run, prod *bpf.Producer, p Params) {
	r.Memory = Memory{MapMemlock: map[string]uint64{}}
	for name, mp := range prod.Maps() {
		if n, err := MapMemlock(mp.FD()); err == nil {
			r.Memory.MapMemlock[name] = n
		}
	}
	if p.Transport != string(bpf.Perfbuf) {
		r.Unsupported["memory.perf_ring_bytes"] = "not a perf buffer: the ring is the ringbuf map, its memlock under map_memlock"
		return
	}
	n, err := perfRingBytes("/proc/self/maps")
	switch {
	case err != nil:
		r.Unsupported["memory.perf_ring_bytes"] = err.Error()
	case n == 0:
		r.Unsupported["memory.perf_ring_bytes"] = "no perf ring mapped in /proc/self/maps"
	default:
		r.Memory.PerfRingBytes = &n
	}
}

// perfRingBytes sums the sizes of the perf event mappings in a maps file:
// the per-CPU rings the consumer (ringbench's or cilium/ebpf's) mapped,
// metadata page included.
func perfRingBytes(mapsPath string) (uint64, error) {
	f, err := os.Open(mapsPath)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var total uint64
	s := bufio.NewScanner(f)
	for s.Scan() {
		fields := strings.Fields(s.Text())
		if len(fields) < 6 || fields[len(fields)-1] != "anon_inode:[perf_event]" {
			continue
		}
		lo, hi, ok := strings.Cut(fields[0], "-")
		start, err1 := strconv.ParseUint(lo, 16, 64)
		end, err2 := strconv.ParseUint(hi, 16, 64)
		if !ok || err1 != nil || err2 != nil || end < start {
			return 0, fmt.Errorf("%s: malformed range %q", mapsPath, fields[0])
		}
		total += end - start
	}
	return total, s.Err()
}
