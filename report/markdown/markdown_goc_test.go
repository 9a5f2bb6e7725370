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
	for i := range 6 {
		f := float64(i)
		goRuns = append(goRuns, gocRun(4e6+f, 100+f, 60, true)) // consumer: 40+i
		cRuns = append(cRuns, gocRun(8e6+f, 80+f, 60, true))    // consumer: 20+i
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
	for _, want := range []string{"spin · c-mmap-spin", "4M · 8M: 0.5×", "43 ns · 23 ns:", "95% CI"} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %q: %s", want, row)
		}
	}
	// Ratios are per repetition: (40+i)/(20+i) for i = 0..5, median of
	// 2, 1.95, 1.91, 1.87, 1.83, 1.8 is (1.91+1.87)/2.
	if !strings.Contains(row, "1.89×") {
		t.Errorf("consumer CPU ratio is not the median of per-repetition ratios: %s", row)
	}
	b.Reset()
	r.Env.ModeTwins = nil
	mdGoAgainstC(&b, r)
	if b.Len() != 0 {
		t.Errorf("a run without twins has a section:\n%s", b.String())
	}
}
