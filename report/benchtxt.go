package report

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"ringbench/schema"
)

// benchMetrics are the figures bench.txt holds, from the catalog.
var benchMetrics = schema.BenchMetrics()

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
		name := s.Params.BenchName()
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
