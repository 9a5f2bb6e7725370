package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"ringbench/schema"
)

// benchMetric is one figure of a bench.txt line: its run.json path and the
// unit benchstat shows, with which direction is better.
type benchMetric struct {
	path, unit string
	higher     bool
}

var benchMetrics = []benchMetric{
	{"throughput.consumed_eps", "events/s", true},
	{"latency_ns.p50", "p50-ns", false},
	{"latency_ns.p99", "p99-ns", false},
	{"latency_ns.p999", "p999-ns", false},
	{"throughput.dropped_eps", "drops/s", false},
	{"os.cpu_ns_per_event", "cpu-ns/event", false},
	{"go.allocs_per_event", "allocs/event", false},
	{"os.syscalls_per_event", "syscalls/event", false},
	{"producer.bpf_ns_per_event", "bpf-ns/event", false},
	{"producer.trigger_p99_ns", "trigger-p99-ns", false},
}

// BenchName is a scenario as a Go benchmark name: every knob as key=value,
// so benchstat can slice by any of them (-col /mode -row /rate). The knobs
// that belong to one mode (epoll's wait, spin's backoff, and pinning, which
// netpoll cannot do) are part of the mode's name, so that with -col /mode
// the modes of one sweep share their rows.
func BenchName(p schema.Params) string {
	mode := ModeLabel(p)
	if p.Backoff != "" && p.Backoff != "none" {
		mode += "-" + p.Backoff
	}
	if !p.Pin && p.Wait != "netpoll" {
		mode += "-nopin"
	}
	parts := []string{
		"transport=" + p.Transport, "mode=" + mode,
		"wakeup=" + p.Wakeup, "hashmap=" + p.Hashmap, "rate=" + rateKey(p),
		fmt.Sprintf("batch=%d", p.Batch), fmt.Sprintf("payload=%d", p.Payload),
		fmt.Sprintf("producers=%d", p.Producers), fmt.Sprintf("ring=%d", p.RingBytes),
		"delivery=" + p.Delivery, "work=" + p.Work, fmt.Sprintf("gomaxprocs=%d", p.GOMAXPROCS),
	}
	if p.Breakdown { // its instruments change what is measured: never pooled with the plain run
		parts = append(parts, "breakdown=true")
	}
	return "BenchmarkConsume/" + strings.Join(parts, "/")
}

// BenchTxt renders a result in the Go benchmark format: config lines from
// the environment, one line per completed repetition (figures that are
// null there are left out of that line), and the Unit lines.
func BenchTxt(r *schema.Result) []byte {
	var b bytes.Buffer
	e := r.Env
	for _, kv := range [][2]string{
		{"goos", "linux"}, {"goarch", e.Arch}, {"pkg", "ringbench"}, {"cpu", e.CPUModel},
		{"kernel", e.Kernel}, {"hypervisor", e.Hypervisor}, {"preempt", e.Preempt},
		{"attach", e.Attach}, {"go", e.Go}, {"cilium-ebpf", e.CiliumEBPF}, {"commit", e.Commit},
	} {
		if v := strings.TrimSpace(kv[1]); v != "" {
			fmt.Fprintf(&b, "%s: %s\n", kv[0], v)
		}
	}
	for _, s := range r.Scenarios {
		if s.Skipped != "" {
			continue // no runs
		}
		name := BenchName(s.Params)
		for _, run := range s.Runs {
			if !run.Trusted() {
				continue
			}
			figures := flatRun(run)
			fmt.Fprintf(&b, "%s 1", name)
			for _, m := range benchMetrics {
				if v, ok := figures[m.path]; ok {
					fmt.Fprintf(&b, " %s %s", strconv.FormatFloat(v, 'g', 6, 64), m.unit)
				}
			}
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	for _, m := range benchMetrics {
		better := "lower"
		if m.higher {
			better = "higher"
		}
		fmt.Fprintf(&b, "Unit %s better=%s\n", m.unit, better)
	}
	return b.Bytes()
}

// flatRun is one run's numeric figures by dotted path (Summarize's view).
func flatRun(run schema.Run) map[string]float64 {
	out := map[string]float64{}
	for k, s := range schema.Summarize([]schema.Run{run}) {
		out[k] = s.Mean
	}
	return out
}
