package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"ringbench/report/view"
	"ringbench/schema"
)

// benchMetrics are the figures bench.txt holds, from the catalog.
var benchMetrics = schema.BenchMetrics()

// BenchName is a scenario as a Go benchmark name: every knob as key=value,
// so benchstat can slice by any of them (-col /mode -row /rate). The knobs
// that belong to one mode (epoll's wait, spin's backoff, and pinning, which
// netpoll cannot do) are part of the mode's name, so that with -col /mode
// the modes of one sweep share their rows.
func BenchName(p schema.Params) string {
	mode := view.ModeLabel(p)
	if p.Backoff != "" && p.Backoff != "none" {
		mode += "-" + p.Backoff
	}
	if !p.Pin && p.Wait != "netpoll" {
		mode += "-nopin"
	}
	parts := []string{
		"transport=" + p.Transport, "mode=" + mode,
		"wakeup=" + p.Wakeup, "hashmap=" + p.Hashmap, "rate=" + p.RateKey(),
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
			figures := schema.Figures(run)
			fmt.Fprintf(&b, "%s 1", name)
			for _, m := range benchMetrics {
				if v, ok := figures[m.Path]; ok {
					fmt.Fprintf(&b, " %s %s", strconv.FormatFloat(v, 'g', 6, 64), m.Bench)
				}
			}
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	for _, m := range benchMetrics {
		better := "lower"
		if m.Higher {
			better = "higher"
		}
		fmt.Fprintf(&b, "Unit %s better=%s\n", m.Bench, better)
	}
	return b.Bytes()
}
