package report

import (
	"math"
	"strconv"
	"strings"

	"ringbench/internal/format"
	"ringbench/schema"
)

// compareMetric is one key figure ringbench compare tests: its run.json
// path, a name for people, and which direction is better.
type compareMetric struct {
	Key    string // JSON key and chart name
	Label  string
	Path   string // dotted run.json path under a run, as schema.Summarize names it
	Higher bool   // higher is better
	Format func(float64) string
}

// compareMetrics are the metrics of bench.txt (the same paths and
// directions: a test holds them together) plus the GC pause p99.
var compareMetrics = []compareMetric{
	{"consumed_eps", "consumed events/s", "throughput.consumed_eps", true, format.SI},
	{"latency_p50", "p50 latency", "latency_ns.p50", false, format.Duration},
	{"latency_p99", "p99 latency", "latency_ns.p99", false, format.Duration},
	{"latency_p999", "p99.9 latency", "latency_ns.p999", false, format.Duration},
	{"dropped_eps", "drops/s", "throughput.dropped_eps", false, format.SI},
	{"cpu_ns_per_event", "CPU/event", "os.cpu_ns_per_event", false, format.Duration},
	{"allocs_per_event", "allocs/event", "go.allocs_per_event", false, format.Sig3},
	{"syscalls_per_event", "syscalls/event", "os.syscalls_per_event", false, format.Sig3},
	{"bpf_ns_per_event", "BPF/event", "producer.bpf_ns_per_event", false, format.Duration},
	{"trigger_p99", "trigger syscall p99", "producer.trigger_p99_ns", false, format.Duration},
	{"gc_pause_p99", "GC pause p99", "go.gc_pause_p99_ns", false, format.Duration},
}

func cmpMetric(key string) compareMetric {
	for _, m := range compareMetrics {
		if m.Key == key {
			return m
		}
	}
	return compareMetric{Key: key, Label: key, Format: format.Sig3}
}

// cmpValues is, per metric key, the figure of every completed
// repetition of s that has it (a figure null in a repetition is left out
// of the sample, as bench.txt leaves it out of that line).
func cmpValues(s schema.Scenario) map[string][]float64 {
	out := map[string][]float64{}
	for _, run := range s.Runs {
		if !run.Trusted() {
			continue
		}
		figures := flatRun(run)
		for _, m := range compareMetrics {
			if v, ok := figures[m.Path]; ok && !math.IsNaN(v) {
				out[m.Key] = append(out[m.Key], v)
			}
		}
	}
	return out
}

// cmpChange prints a change in percent, "+∞%" from a zero baseline.
func cmpChange(r MetricComparison) string {
	if r.ChangePct == nil {
		if r.Other.Median > 0 {
			return "+∞%"
		}
		return "-∞%"
	}
	if *r.ChangePct == 0 {
		return "0%"
	}
	s := strconv.FormatFloat(*r.ChangePct, 'f', 1, 64)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s + "%"
}

// cmpSide prints a median with its confidence interval the way benchstat
// does: "12.3µs ± 3%".
func cmpSide(m compareMetric, s CompareSide) string {
	return m.Format(s.Median) + " ± " + s.CIPct
}

// cmpP prints a p-value.
func cmpP(p float64) string {
	if p < 0.001 {
		return "p<0.001"
	}
	return "p=" + strconv.FormatFloat(p, 'f', 3, 64)
}

// cmpN prints the sample sizes: "n=6" or "n=6+4".
func cmpN(r MetricComparison) string {
	if r.Base.N == r.Other.N {
		return "n=" + strconv.Itoa(r.Base.N)
	}
	return "n=" + strconv.Itoa(r.Base.N) + "+" + strconv.Itoa(r.Other.N)
}
