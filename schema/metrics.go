package schema

// Unit is what a metric counts; readers choose how to print it by it.
type Unit string

const (
	UnitNs     Unit = "ns"    // a duration
	UnitPerSec Unit = "1/s"   // a rate
	UnitCount  Unit = "count" // a count, or counts per event
	UnitShare  Unit = "share" // a fraction of a whole
	UnitBytes  Unit = "B"
)

// Metric is one figure of a run as readers present it: bench.txt, CSV,
// report.md, charts, compare and the CLI's progress select from Metrics by
// path and take the rest from here.
type Metric struct {
	Path   string // dotted run.json path under a run, as Summarize names it
	Key    string // short identifier: compare's JSON key and chart name
	Label  string // for people
	Bench  string // bench.txt unit ("" when not in bench.txt); benchstat reads its direction from Higher
	Unit   Unit
	Higher bool // higher is better
}

// Metrics is the catalog, key figures first: the bench.txt figures in
// their order, then the others readers show.
var Metrics = []Metric{
	{"throughput.consumed_eps", "consumed_eps", "consumed events/s", "events/s", UnitPerSec, true},
	{"latency_ns.p50", "latency_p50", "p50 latency", "p50-ns", UnitNs, false},
	{"latency_ns.p99", "latency_p99", "p99 latency", "p99-ns", UnitNs, false},
	{"latency_ns.p999", "latency_p999", "p99.9 latency", "p999-ns", UnitNs, false},
	{"throughput.dropped_eps", "dropped_eps", "drops/s", "drops/s", UnitPerSec, false},
	{"os.cpu_ns_per_event", "cpu_ns_per_event", "CPU/event", "cpu-ns/event", UnitNs, false},
	{"go.allocs_per_event", "allocs_per_event", "allocs/event", "allocs/event", UnitCount, false},
	{"os.syscalls_per_event", "syscalls_per_event", "syscalls/event", "syscalls/event", UnitCount, false},
	{"producer.bpf_ns_per_event", "bpf_ns_per_event", "BPF/event", "bpf-ns/event", UnitNs, false},
	{"producer.trigger_p99_ns", "trigger_p99", "trigger syscall p99", "trigger-p99-ns", UnitNs, false},
	{"go.gc_pause_p99_ns", "gc_pause_p99", "GC pause p99", "", UnitNs, false},
	{"latency_ns.mean", "latency_mean", "mean latency", "", UnitNs, false},
	{"go.sched_events_per_event", "sched_events_per_event", "sched events/event", "", UnitCount, false},
	{"memory.map_memlock.rbn_flows", "flow_table_memlock", "flow table memlock", "", UnitBytes, false},
	{"consumer.harness_ns_per_event", "harness_ns_per_event", "harness/event", "", UnitNs, false},
	{"producer.loadgen_cpu_ns_per_trigger", "loadgen_cpu_ns_per_trigger", "loadgen CPU/trigger", "", UnitNs, false},
	{"interference.foreign_share", "foreign_share", "others' CPU", "", UnitShare, false},
}

// MetricAt is the catalog's entry for path; ok is false for a figure the
// catalog does not describe.
func MetricAt(path string) (m Metric, ok bool) {
	for _, m := range Metrics {
		if m.Path == path {
			return m, true
		}
	}
	return Metric{Path: path, Key: path, Label: path, Unit: UnitCount}, false
}

// MetricsAt are the catalog's entries for paths, in that order; it panics
// on a path the catalog lacks, a programming error a test catches.
func MetricsAt(paths ...string) []Metric {
	out := make([]Metric, len(paths))
	for i, p := range paths {
		m, ok := MetricAt(p)
		if !ok {
			panic("schema: no metric " + p + " in the catalog")
		}
		out[i] = m
	}
	return out
}

// BenchMetrics are the catalog's bench.txt figures, in order.
func BenchMetrics() []Metric {
	var out []Metric
	for _, m := range Metrics {
		if m.Bench != "" {
			out = append(out, m)
		}
	}
	return out
}
