package compare

import (
	"bytes"
	"encoding/json"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ringbench/schema"
)

// compareFixtures loads testdata/compare/NAME for each name, labelled in
// order.
func compareFixtures(t *testing.T, names ...string) []*CompareRun {
	t.Helper()
	var runs []*CompareRun
	for _, n := range names {
		r, err := LoadCompareRun(filepath.Join("testdata", "compare", n))
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	return runs
}

func compareOf(t *testing.T, names ...string) *CompareResult {
	t.Helper()
	c, err := Compare(compareFixtures(t, names...))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The stdout of ringbench compare, the default (significant changes) and
// --all, and compare.md, for A/B and for three runs.
func TestCompareGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		runs []string
	}{{"ab", []string{"a", "b"}}, {"abc", []string{"a", "b", "c"}}} {
		c := compareOf(t, tc.runs...)
		var out, all bytes.Buffer
		c.WriteText(&out, false)
		c.WriteText(&all, true)
		goldenCheck(t, "compare/stdout-"+tc.name, out.Bytes())
		goldenCheck(t, "compare/stdout-all-"+tc.name, all.Bytes())
		charts, err := c.RenderCharts(filepath.Join(t.TempDir(), "plots"))
		if err != nil {
			t.Fatal(err)
		}
		goldenCheck(t, "compare/compare-"+tc.name+".md", c.Markdown(charts))
	}
}

// The fixtures' designed changes, and nothing else, are significant;
// failed repetitions are left out; C, with 2 repetitions, can only be
// "too few".
func TestCompareVerdicts(t *testing.T) {
	c := compareOf(t, "a", "b", "c")
	ab, ac := c.Pairs[0], c.Pairs[1]
	want := map[string]string{
		"ringbuf/reader/adaptive/nohash/rate=100000/batch=1/payload=64 latency_p99":     VerdictWorse,
		"ringbuf/epoll/adaptive/nohash/rate=100000/batch=1/payload=64 cpu_ns_per_event": VerdictBetter,
	}
	for _, r := range ab.Rows {
		w := want[r.Scenario+" "+r.Metric]
		if w == "" {
			w = VerdictNoChange
		}
		if r.Verdict != w {
			t.Errorf("B vs A %s %s: %s (p=%g), want %s", r.Scenario, r.Metric, r.Verdict, r.P, w)
		}
		if r.Base.N != 6 || r.Other.N != 6 {
			t.Errorf("%s %s: n=%d+%d, want 6+6 (the failed repetition left out)", r.Scenario, r.Metric, r.Base.N, r.Other.N)
		}
	}
	if got := ab.Counts(); got.Compared != 30 || got.Better != 1 || got.Worse != 1 || got.TooFew != 0 {
		t.Errorf("B vs A counts %+v", got)
	}
	if len(ab.OnlyBase) != 1 || !strings.HasPrefix(ab.OnlyBase[0], "perfbuf/") || len(ab.OnlyOther) != 0 {
		t.Errorf("only in A %v, only in B %v", ab.OnlyBase, ab.OnlyOther)
	}
	if got := ac.Counts(); got.Compared != 30 || got.TooFew != 30 || got.Significant != 0 {
		t.Errorf("C vs A counts %+v, want every comparison too few", got)
	}
	warnings := strings.Join(c.Warnings, "\n")
	for _, w := range []string{"DIFFERENT MACHINES: C vs A", `"fixture" vs "ci-runner"`, "cpus", "EMULATED: C"} {
		if !strings.Contains(warnings, w) {
			t.Errorf("warnings lack %q:\n%s", w, warnings)
		}
	}
	if strings.Contains(warnings, "B vs A") || strings.Contains(warnings, "EMULATED: B") {
		t.Errorf("B is on A's machine, yet:\n%s", warnings)
	}
}

// The U test's smallest p-value, and the repetitions it needs at α = 0.05:
// benchmath's own table (uTestMinP) says 4.
func TestCompareMinP(t *testing.T) {
	for _, tc := range []struct {
		n1, n2 int
		p      float64
	}{{1, 1, 1}, {2, 2, 1.0 / 3}, {3, 3, 0.1}, {4, 4, 0.02857142857142857}, {6, 6, 0.0021645021645021645}, {6, 2, 2.0 / 28}} {
		if got := cmpMinP(tc.n1, tc.n2); math.Abs(got-tc.p) > 1e-12 {
			t.Errorf("cmpMinP(%d, %d) = %g, want %g", tc.n1, tc.n2, got, tc.p)
		}
	}
	if n := cmpMinReps(); n != 4 {
		t.Errorf("cmpMinReps() = %d, want 4", n)
	}
	if n := cmpMinRepsCI(); n != 6 { // benchmath's order statistics at 95%
		t.Errorf("cmpMinRepsCI() = %d, want 6", n)
	}
}

// Bad input: fewer than two runs, nothing in common.
func TestCompareBadInput(t *testing.T) {
	runs := compareFixtures(t, "a", "b")
	if _, err := Compare(runs[:1]); err == nil {
		t.Error("one run compared")
	}
	other := *runs[1]
	res := *other.Result
	res.Scenarios = res.Scenarios[:0:0]
	for _, s := range runs[1].Result.Scenarios {
		s.ID += "/elsewhere"
		res.Scenarios = append(res.Scenarios, s)
	}
	other.Result = &res
	if _, err := Compare([]*CompareRun{runs[0], &other}); err == nil || !strings.Contains(err.Error(), "no measured scenario in common") {
		t.Errorf("no scenario in common: err %v", err)
	}
}

// env.emulated is read from the raw run.json (schema.Env has no field for
// it yet), and the hypervisor gives emulation away too.
func TestRunEmulated(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "compare", "a", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "run.json")
	b = bytes.Replace(b, []byte(`"env": {`), []byte(`"env": {"emulated": true,`), 1)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := LoadCompareRun(path)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Emulated || r.Result.Env.Hypervisor != "KVM" {
		t.Errorf("env.emulated true on KVM: Emulated = %t", r.Emulated)
	}
	for h, want := range map[string]bool{"KVM": false, "none": false, "QEMU TCG": true, "emulated (tcg)": true} {
		if got := RunEmulated(schema.Env{Hypervisor: h}); got != want {
			t.Errorf("hypervisor %q: emulated %t, want %t", h, got, want)
		}
	}
}

// One PNG and one SVG per metric with data; the GC pause p99 (no pause in
// any fixture window), drops and allocations (0 in every repetition) get
// none.
func TestCompareCharts(t *testing.T) {
	dir := t.TempDir()
	c := compareOf(t, "a", "b", "c")
	charts, err := c.RenderCharts(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(charts) != len(compareMetrics)-3 {
		t.Errorf("%d charts, want %d", len(charts), len(compareMetrics)-3)
	}
	for _, ch := range charts {
		f, err := os.Open(filepath.Join(dir, ch.Name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("%s.png: %v", ch.Name, err)
		} else if b := img.Bounds(); b.Dx() < 600 || b.Dy() < 200 {
			t.Errorf("%s.png is %v", ch.Name, b)
		}
		svg, err := os.ReadFile(filepath.Join(dir, ch.Name+".svg"))
		if err != nil || !bytes.Contains(svg, []byte("<svg")) {
			t.Errorf("%s.svg: %v", ch.Name, err)
		}
		switch ch.Metric {
		case "gc_pause_p99", "dropped_eps", "allocs_per_event":
			t.Errorf("a %s chart without data", ch.Metric)
		}
	}
}

// --json holds every comparison, with null for unbounded intervals.
func TestCompareJSON(t *testing.T) {
	b, err := compareOf(t, "a", "b", "c").JSON()
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Schema string
		Alpha  float64
		Runs   []struct{ Label string }
		Pairs  []struct {
			Base, Other string
			Counts      CompareCounts
			Comparisons []MetricComparison
		}
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != CompareSchema || doc.Alpha != 0.05 || len(doc.Runs) != 3 || len(doc.Pairs) != 2 {
		t.Fatalf("schema %q alpha %g runs %d pairs %d", doc.Schema, doc.Alpha, len(doc.Runs), len(doc.Pairs))
	}
	ab, ac := doc.Pairs[0], doc.Pairs[1]
	if ab.Other != "B" || ab.Counts.Better != 1 || ab.Counts.Worse != 1 || len(ab.Comparisons) != 30 {
		t.Errorf("B vs A: %+v, %d comparisons", ab.Counts, len(ab.Comparisons))
	}
	for _, r := range ac.Comparisons {
		if r.Other.CILo != nil || r.Verdict != VerdictTooFew {
			t.Errorf("C %s %s: CI %v, verdict %s; 2 repetitions give neither", r.Scenario, r.Metric, r.Other.CILo, r.Verdict)
		}
	}
}

// A run with repetitions flagged for interference gets a loud warning
// naming it; runs without get none.
func TestCompareWarnsInterference(t *testing.T) {
	runs := compareFixtures(t, "a", "b")
	c, err := Compare(runs)
	if err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(c.Warnings, "\n"); strings.Contains(w, "INTERFERENCE") {
		t.Errorf("no repetition is flagged, yet:\n%s", w)
	}
	flagged := false
	for i := range runs[1].Result.Scenarios {
		s := &runs[1].Result.Scenarios[i]
		if len(s.Runs) > 0 && !s.Runs[0].Incomplete() && !flagged {
			s.Runs[0].Flags, flagged = append(s.Runs[0].Flags, schema.FlagInterference), true
		}
	}
	if c, err = Compare(runs); err != nil {
		t.Fatal(err)
	}
	if w := strings.Join(c.Warnings, "\n"); !strings.Contains(w, "INTERFERENCE: B has 1 of") || strings.Contains(w, "INTERFERENCE: A") {
		t.Errorf("warnings:\n%s", w)
	}
}

// The detectable change against a hand computation. With 4 repetitions a
// side the U test is significant (p = 2/70 ≈ 0.029) only when the sides
// separate completely: {1,2,3,4} centred is {-1.5 … 1.5}, so the other
// side must move by more than 3, 120% of the median 2.5. With 6 a side
// ({1…6}, median 3.5), 3 inversions of 36 still give p = 2·7/924 ≈ 0.015
// and 6 give 2·28/924 ≈ 0.061: the threshold is a shift of 3, 85.7%.
func TestDetectableChange(t *testing.T) {
	for _, tc := range []struct {
		x, y []float64
		want float64
	}{
		{[]float64{1, 2, 3, 4}, []float64{1, 2, 3, 4}, 120},
		{[]float64{1, 2, 3, 4, 5, 6}, []float64{1, 2, 3, 4, 5, 6}, 300.0 / 3.5},
		{[]float64{1, 2, 3, 4, 5, 6}, []float64{11, 12, 13, 14, 15, 16}, 300.0 / 3.5}, // the spread counts, not the shift seen
	} {
		got := detectable(tc.x, tc.y)
		if got == nil || math.Abs(*got-tc.want) > 1e-6 {
			t.Errorf("%v vs %v: detectable %v, want %.6g%%", tc.x, tc.y, got, tc.want)
		}
	}
	if got := detectable([]float64{1, 2, 3}, []float64{1, 2, 3}); got != nil {
		t.Errorf("3 a side: detectable %v, want none", *got)
	}
	if got := detectable([]float64{0, 0, 0, 0}, []float64{1, 2, 3, 4}); got != nil {
		t.Errorf("base median 0: detectable %v, want none", *got)
	}
}

// driftRun is a run of kernel with one scenario whose CPU/event took vals.
func driftRun(kernel string, vals ...float64) *CompareRun {
	p := schema.Defaults()
	p.Rate = 100_000
	s := schema.Scenario{ID: p.ID(), Params: p}
	for _, v := range vals {
		var r schema.Run
		cpu := v
		r.OS.CPUNsPerEvent = &cpu
		s.Runs = append(s.Runs, r)
	}
	s.Summary = schema.Summarize(s.Runs)
	res := &schema.Result{Scenarios: []schema.Scenario{s}}
	res.Env.Kernel = kernel
	return &CompareRun{Result: res}
}

// A change between kernels is the kernel's only when it is larger than
// the machine's drift between two runs of one kernel.
func TestCompareDrift(t *testing.T) {
	a := []float64{100, 101, 102, 103, 104, 105}
	cpuRow := func(p ComparePair) MetricComparison {
		for _, r := range p.Rows {
			if r.Metric == "cpu_ns_per_event" {
				return r
			}
		}
		t.Fatalf("no CPU row in %+v", p.Rows)
		return MetricComparison{}
	}
	for _, tc := range []struct {
		name        string
		aPrime, b   []float64
		withinDrift bool
	}{
		// A′ drifted +20%, B is +10%: not the kernel's.
		{"drift larger", []float64{120, 121, 122, 123, 124, 125}, []float64{110, 111, 112, 113, 114, 115}, true},
		// A′ drifted +2%, B is +10%: the kernel's.
		{"drift smaller", []float64{102, 103, 104, 105, 106, 107}, []float64{110, 111, 112, 113, 114, 115}, false},
	} {
		c, err := Compare([]*CompareRun{driftRun("6.12", a...), driftRun("6.12", tc.aPrime...), driftRun("6.1", tc.b...)})
		if err != nil {
			t.Fatal(err)
		}
		if !c.Pairs[0].SameKernel || c.Pairs[1].SameKernel {
			t.Fatalf("%s: same kernel %v %v", tc.name, c.Pairs[0].SameKernel, c.Pairs[1].SameKernel)
		}
		r := cpuRow(c.Pairs[1])
		if !r.Significant || r.WithinDrift != tc.withinDrift || r.DriftPct == nil {
			t.Errorf("%s: C vs A significant %v, within drift %v (drift %v), want within %v", tc.name, r.Significant, r.WithinDrift, r.DriftPct, tc.withinDrift)
		}
		md := string(c.Markdown(nil))
		if got := strings.Contains(md, "≈ drift"); got != tc.withinDrift {
			t.Errorf("%s: compare.md marks drift %v:\n%s", tc.name, got, md)
		}
	}
	// Runs of one kernel only: nothing is held against drift.
	c, err := Compare([]*CompareRun{driftRun("6.12", a...), driftRun("6.12", a...), driftRun("6.12", 110, 111, 112, 113, 114, 115)})
	if err != nil {
		t.Fatal(err)
	}
	if r := cpuRow(c.Pairs[1]); r.WithinDrift || r.DriftPct != nil || c.Pairs[0].SameKernel {
		t.Errorf("one kernel: %+v", r)
	}
}

// detectable is cmpDetectable with the medians cmpTest would give it.
func detectable(x, y []float64) *float64 {
	return cmpDetectable(x, y, cmpSideOf(cmpSample(x)).Median, cmpSideOf(cmpSample(y)).Median)
}
