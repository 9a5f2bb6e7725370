package bench

import (
	"fmt"
	"strings"

	"ringbench/modes"
	"ringbench/schema"
)

// keyDocs say what each scenario knob does, for run's flags: the one
// place a knob is described. list marks the knobs run takes as a
// comma-separated list (the others may hold commas in one value: --work
// 200,128, --cpus 0,1:1). The knobs a read mode owns are described by the
// mode (modes.Knob).
var keyDocs = map[string]struct {
	list bool
	doc  string
}{
	"transport":      {true, "transports: ringbuf, perfbuf, ringbuf-sharded (an array of ring buffers, one per group of --cpus-per-ring CPUs)"},
	"cpus-per-ring":  {false, "ringbuf-sharded: consecutive CPUs that share a ring (1: a ring per CPU)"},
	"rate":           {true, "offered events/s, or max for back to back"},
	"batch":          {true, "events per trigger"},
	"payload":        {true, "bytes per event, 24..32768, header included"},
	"wakeup":         {true, "wakeup policy: ringbuf adaptive|sampled:N|forced|none, perfbuf wakeup_events=N|watermark=BYTES; empty: the transport's default; natural: each mode's own (the quiet policy for a mode that polls, the default for one that sleeps); natural-sampled: the same with a sampled policy for one that sleeps"},
	"ring-bytes":     {true, "ring size: ringbuf data size, or each per-CPU perf ring (power of two ≥ page)"},
	"producers":      {false, "producer threads, each pinned to a CPU of its own besides the consumer's; all: one per such CPU"},
	"consumers":      {false, "consumer threads the rings are split among (perfbuf's per-CPU rings, ringbuf-sharded's shards), each with its own Recorder, merged at the end, each pinned to a CPU of its own with --pin"},
	"oversubscribe":  {false, "allow more producers than CPUs besides the consumer's, stacked round robin (the figures then measure the sharing)"},
	"gomaxprocs":     {false, "GOMAXPROCS during the scenario; 0: the runtime's default"},
	"output":         {false, "ringbuf: bpf_ringbuf_output instead of reserve+submit"},
	"pin":            {false, "pin the consumer thread to its CPU"},
	"cpus":           {false, "placement PRODUCER_CPUS:CONSUMER_CPU, e.g. 0:1 or 0,1:1; empty sides: consumer on the last online CPU, producers on the others"},
	"hashmap":        {true, "flow table the producer updates per event: none, prealloc (flags 0), noprealloc (BPF_F_NO_PREALLOC), lru, lru-nocommon"},
	"hash-keys":      {false, "distinct flow keys the churn moves through (half of them live)"},
	"hash-entries":   {false, "the flow table's max_entries"},
	"hash-churn":     {false, "INSERT:UPDATE:DELETE proportions per event"},
	"delivery":       {true, "how events reach the recorder: inline, channel (one event per send) or channel:N (N per send)"},
	"work":           {false, "synthetic work per event on the recording goroutine: CPU_NS[,ALLOC_BYTES]"},
	"poll-timeout":   {false, "longest wait when the wakeup policy may not wake (sampled, none, perf batching)"},
	"clock":          {true, "when the consumer reads its clock: per-drain (once per pass over what became visible together) or per-event"},
	"latency":        {false, "timestamped events; false runs the kernel benchmark's workload: 8-byte events (CPU and sequence), sequences checked, no latency"},
	"commit":         {true, "spin/epoll: hand ring space back once per drain (batch) or after every record (record, what libbpf and cilium/ebpf do)"},
	"count-syscalls": {false, "count the consumer's syscalls with a BPF program (costs each syscall a map update, measured and reported)"},
	"breakdown":      {false, "sleeping modes: split the latency into emission → woken → on CPU → wait syscall return → read, with BPF programs on the scheduler and the wait syscall (their cost is measured and reported)"},
	"b2b":            {false, "back to back: the consumer thread triggers the next batch after each drain, on one CPU (the kernel benchmark's --rb-b2b)"},
	"duration":       {false, "measured window per run"},
	"warmup":         {false, "warm-up before the window, not measured"},
}

// Key describes a scenario knob to a command line: its name (the flag and
// the matrix key), what it does, its default as text, whether it takes a
// list, and whether it is a switch.
type Key struct {
	Name, Doc, Default string
	List, Bool         bool
}

// Keys are the scenario knobs in nesting order, described.
func Keys() []Key {
	d := schema.Defaults()
	var out []Key
	for _, name := range MatrixKeyNames() {
		k := matrixKeys[name]
		kd, ok := keyDocs[name]
		key := Key{Name: name, Doc: kd.doc, List: kd.list, Bool: k.isBool, Default: schemaKey(name).Get(d)}
		switch {
		case name == "mode":
			key.List, key.Doc = true, "read modes: "+modeList()
		case name == "cpus":
			key.Default = ":"
		case !ok:
			key.Doc, key.Default = modeKnobDoc(name)
		}
		out = append(out, key)
	}
	return out
}

// modeList names the modes, and why this binary cannot run those it
// cannot.
func modeList() string {
	var names []string
	for _, m := range modes.Modes() {
		if m.Unavailable != "" {
			names = append(names, m.Name+" (unavailable: "+m.Unavailable+")")
			continue
		}
		names = append(names, m.Name)
	}
	return strings.Join(names, ", ")
}

// modeKnobDoc describes a knob read modes own, from the modes.
func modeKnobDoc(name string) (doc, def string) {
	var docs []string
	for _, m := range modes.Modes() {
		for _, k := range m.Knobs {
			if k.Name == name {
				docs = append(docs, fmt.Sprintf("%s mode: %s (default %s)", m.Name, k.Doc, k.Default))
			}
		}
	}
	return strings.Join(docs, "; "), ""
}
