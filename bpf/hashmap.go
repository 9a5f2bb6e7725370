package bpf

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

// HashKinds are the flow-table variants of the producer path: none, a hash
// map preallocated (flags 0) or allocated on update (BPF_F_NO_PREALLOC), or
// an LRU hash with a common or per-CPU (BPF_F_NO_COMMON_LRU) free list. LRU
// maps are always preallocated: the kernel rejects BPF_F_NO_PREALLOC there.
var HashKinds = []string{"none", "prealloc", "noprealloc", "lru", "lru-nocommon"}

// Hash configures the flow table the producer updates on every event.
type Hash struct {
	Kind          string
	Keys          int // distinct keys the churn moves through
	Entries       int // the map's max_entries
	Ins, Upd, Del int // churn proportions
}

// ParseChurn parses "INSERT:UPDATE:DELETE", e.g. 1:2:1.
func ParseChurn(s string) (ins, upd, del int, err error) {
	parts := strings.Split(s, ":")
	bad := fmt.Errorf("hash churn %q: want INSERT:UPDATE:DELETE proportions, e.g. 1:2:1", s)
	if len(parts) != 3 {
		return 0, 0, 0, bad
	}
	var n [3]int
	for i, p := range parts {
		if n[i], err = strconv.Atoi(p); err != nil || n[i] < 0 || n[i] > 1000 {
			return 0, 0, 0, bad
		}
	}
	if n[0]+n[1]+n[2] == 0 {
		return 0, 0, 0, bad
	}
	return n[0], n[1], n[2], nil
}

func (h Hash) check() error {
	switch {
	case !slices.Contains(HashKinds, h.Kind):
		return fmt.Errorf("hashmap %q: want one of %s", h.Kind, strings.Join(HashKinds, ", "))
	case h.Kind == "none":
		return nil
	case h.Keys < 2 || h.Keys > 1<<24:
		return fmt.Errorf("hash keys %d: want 2..%d", h.Keys, 1<<24)
	case h.Entries < 1 || h.Entries > 1<<24:
		return fmt.Errorf("hash entries %d: want 1..%d", h.Entries, 1<<24)
	case h.Ins+h.Upd+h.Del == 0:
		return fmt.Errorf("hash churn 0:0:0 does nothing")
	}
	return nil
}

// apply shapes the flow-table map and the churn constants.
func (h Hash) apply(spec *ebpf.CollectionSpec, consts map[string]uint32) {
	m := spec.Maps[producerMapRbnFlows]
	if h.Kind == "none" || h.Kind == "" {
		return // one preallocated entry, never touched: the branch is pruned
	}
	m.MaxEntries = uint32(h.Entries)
	switch h.Kind {
	case "noprealloc":
		m.Flags |= unix.BPF_F_NO_PREALLOC
	case "lru":
		m.Type = ebpf.LRUHash
	case "lru-nocommon":
		m.Type = ebpf.LRUHash
		m.Flags |= unix.BPF_F_NO_COMMON_LRU
	}
	consts[producerVarHashIns] = uint32(h.Ins)
	consts[producerVarHashUpd] = uint32(h.Upd)
	consts[producerVarHashDel] = uint32(h.Del)
	consts[producerVarHashKeys] = uint32(h.Keys)
}
