package markdown

import (
	"bytes"
	"strings"
	"testing"

	"ringbench/schema"
)

// gocRun is a repetition with the figures "Go against C" reads.
func gocRun(eps, cpu, bpf float64, b2b bool) schema.Run {
	r := schema.Run{}
	r.Throughput.ConsumedEPS = eps
	r.OS.CPUNsPerEvent = &cpu
	r.Producer.BPFNsPerEvent = &bpf
	if b2b {
		r.Producer.Topology = schema.TopologyB2B
	}
	return r
}

func gocScenario(mode, wait string, b2b bool, runs ...schema.Run) schema.Scenario {
	p := schema.Defaults()
	p.Mode, p.Wait, p.Wakeup, p.B2B = mode, wait, "adaptive", b2b
	if b2b {
		p.Rate, p.Batch = 0, 500
	}
	s := schema.Scenario{ID: p.ID(), Params: p, Runs: runs}
	s.Summary = schema.Summarize(runs)
	return s
}

// Each C mode is set beside its Go twin at the same configuration, as the
// median of per-repetition ratios; back to back the producer's BPF time is
// taken out of the consumer's CPU; a pair with no twin in the run is left
// out, and a run without twins has no section.
func TestGoAgainstC(t *testing.T) {
	var goRuns, cRuns []schema.Run
	// Consumer CPU (CPU − BPF): Go 40, 40, 40, 80, 80, 80; C 20, 20, 20,
	// 20, 80, 80. The ratios per repetition are 2, 2, 2, 4, 1, 1, whose
	// median is 2; the ratio of the medians would be 60/20 = 3.
	goCPU := []float64{100, 100, 100, 140, 140, 140}
	cCPU := []float64{80, 80, 80, 80, 140, 140}
	for i := range 6 {
		goRuns = append(goRuns, gocRun(4e6, goCPU[i], 60, true))
		cRuns = append(cRuns, gocRun(8e6, cCPU[i], 60, true))
	}
	r := &schema.Result{Env: schema.Env{ModeTwins: map[string]string{"c-mmap-spin": "spin", "libbpf": "reader"}}}
	r.Scenarios = []schema.Scenario{
		gocScenario("spin", "", true, goRuns...),
		gocScenario("c-mmap", "spin", true, cRuns...),
		gocScenario("libbpf", "", true, cRuns...), // no reader in this run
	}
	var b bytes.Buffer
	mdGoAgainstC(&b, r)
	out := b.String()
	if !strings.Contains(out, "## Go against C") || strings.Count(out, "| b2b, batch 500, adaptive |") != 1 {
		t.Fatalf("want one pair:\n%s", out)
	}
	row := out[strings.Index(out, "| b2b, batch 500"):]
	row = row[:strings.Index(row, "\n")]
	for _, want := range []string{"spin · c-mmap-spin", "4M · 8M: 0.5×", "60 ns · 20 ns: 2× [", "95% CI"} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %q: %s", want, row)
		}
	}
	b.Reset()
	r.Env.ModeTwins = nil
	mdGoAgainstC(&b, r)
	if b.Len() != 0 {
		t.Errorf("a run without twins has a section:\n%s", b.String())
	}
}
