package compare

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"
	"golang.org/x/perf/benchmath"
	"golang.org/x/perf/benchproc"

	"ringbench/report"
	"ringbench/schema"
)

// benchstatCall is benchstat's verdict on one cell: significant or not,
// the direction of the change (+1 better, −1 worse, 0 none), and whether
// it warned that there were too few samples to tell.
type benchstatCall struct {
	significant bool
	direction   int
	tooFew      bool
	n1, n2      int
}

// benchstatCalls runs cmd/benchstat's own logic (golang.org/x/perf
// cmd/benchstat main.go and internal/benchtab builder.go, which cannot be
// imported) over two bench.txt files given as "A=a.txt B=b.txt": the
// default projections (-row .fullname -col .file) except -table .unit,
// since the runs' config lines (commit, host) differ and the default
// -table .config would put them in separate tables; per cell a
// benchmath.Sample with the default thresholds (α = 0.05), the unit's
// assumption (AssumeNothing: the Unit lines set none), Compare against
// the first column, and Comparison.FormatDelta's "~" as not significant.
// The result is keyed by "row|unit" with the unit as written.
func benchstatCalls(t *testing.T, a, b string) map[string]benchstatCall {
	t.Helper()
	filter, err := benchproc.NewFilter("*")
	if err != nil {
		t.Fatal(err)
	}
	var parser benchproc.ProjectionParser
	tableBy, _, err := parser.ParseWithUnit("", filter)
	if err != nil {
		t.Fatal(err)
	}
	rowBy, err := parser.Parse(".fullname", filter)
	if err != nil {
		t.Fatal(err)
	}
	colBy, err := parser.Parse(".file", filter)
	if err != nil {
		t.Fatal(err)
	}
	parser.Residue()
	type cell struct{ table, row, col benchproc.Key }
	cells := map[cell][]float64{}
	origUnit := map[string]string{} // tidied → as written
	files := benchfmt.Files{Paths: []string{"A=" + a, "B=" + b}, AllowLabels: true}
	for files.Scan() {
		switch rec := files.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchstat would warn: %v", rec)
		case *benchfmt.Result:
			if ok, _ := filter.Apply(rec); !ok {
				continue
			}
			row, col := rowBy.Project(rec), colBy.Project(rec)
			for i, tk := range tableBy.ProjectValues(rec) {
				c := cell{tk, row, col}
				cells[c] = append(cells[c], rec.Values[i].Value)
				orig := rec.Values[i].OrigUnit
				if orig == "" { // not tidied
					orig = rec.Values[i].Unit
				}
				origUnit[rec.Values[i].Unit] = orig
			}
		}
	}
	if err := files.Err(); err != nil {
		t.Fatal(err)
	}
	units := benchfmt.UnitMetadataMap(files.Units())
	th := benchmath.DefaultThresholds
	out := map[string]benchstatCall{}
	for c, vals := range cells {
		if c.col.StringValues() != "B" {
			continue
		}
		var base []float64
		for bc, vals := range cells {
			if bc.table == c.table && bc.row == c.row && bc.col.StringValues() == "A" {
				base = vals
			}
		}
		if base == nil {
			continue
		}
		unit := c.table.StringValues()
		assumption := units.GetAssumption(unit)
		if assumption != benchmath.AssumeNothing {
			t.Fatalf("unit %s: benchstat would assume %v", unit, assumption)
		}
		s1, s2 := benchmath.NewSample(base, &th), benchmath.NewSample(vals, &th)
		cmp := assumption.Compare(s1, s2)
		m1, m2 := assumption.Summary(s1, 0.95).Center, assumption.Summary(s2, 0.95).Center
		call := benchstatCall{significant: cmp.FormatDelta(m1, m2) != "~", n1: cmp.N1, n2: cmp.N2}
		if call.significant && m1 != m2 {
			call.direction = units.GetBetter(unit)
			if m2 < m1 {
				call.direction = -call.direction
			}
		}
		for _, w := range cmp.Warnings {
			call.tooFew = call.tooFew || strings.HasPrefix(w.Error(), "need ")
		}
		out[c.row.StringValues()+"|"+origUnit[unit]] = call
	}
	return out
}

// ringbench compare and benchstat, given the same repetitions (run.json
// for one, the bench.txt report.BenchTxt writes from it for the other),
// call the same metrics significant, in the same direction, and agree on
// which have too few repetitions to tell.
func TestCompareAgreesWithBenchstat(t *testing.T) {
	runs := compareFixtures(t, "a", "b", "c")
	for i, other := range runs[1:] {
		t.Run(cmpRunLabel(i+1), func(t *testing.T) {
			dir := t.TempDir()
			paths := [2]string{filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")}
			for i, r := range []*CompareRun{runs[0], other} {
				if err := os.WriteFile(paths[i], report.BenchTxt(r.Result), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := benchstatCalls(t, paths[0], paths[1])
			c, err := Compare([]*CompareRun{runs[0], other})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]benchstatCall{}
			for _, r := range c.Pairs[0].Rows {
				unit, ok := benchUnitOf(r.Metric)
				if !ok {
					continue // not in bench.txt (GC pause p99)
				}
				call := benchstatCall{significant: r.Significant, tooFew: r.Verdict == VerdictTooFew}
				switch r.Verdict {
				case VerdictBetter:
					call.direction = 1
				case VerdictWorse:
					call.direction = -1
				}
				got[benchRow(c.byID[0][r.Scenario].Params)+"|"+unit] = call
			}
			if len(got) != len(want) || len(got) == 0 {
				t.Errorf("compare made %d comparisons of bench.txt metrics, benchstat %d", len(got), len(want))
			}
			significant := 0
			for _, k := range sortedKeysOf(want) {
				g, w := got[k], want[k]
				if g.tooFew && !w.tooFew && w.n1 != w.n2 {
					// benchstat warns only when both sides have fewer
					// than 4 (its heuristic for equal sizes); compare
					// also says so when the sizes differ and no
					// outcome of the U test could reach α, e.g. 6 vs 2.
					if cmpMinP(w.n1, w.n2) <= CompareAlpha {
						t.Errorf("%s: compare says too few repetitions for n=%d+%d", k, w.n1, w.n2)
					}
					g.tooFew = false
				}
				g.n1, g.n2 = w.n1, w.n2
				if g != w {
					t.Errorf("%s: compare says %+v, benchstat %+v", k, g, w)
				}
				if want[k].significant {
					significant++
				}
			}
			t.Logf("%d comparisons agree, %d significant", len(want), significant)
			if i == 0 && significant < 2 {
				t.Errorf("the A/B fixtures have %d significant changes, want 2 (one better, one worse)", significant)
			}
		})
	}
}

// benchRow is a scenario's .fullname as benchstat shows it.
func benchRow(p schema.Params) string { return strings.TrimPrefix(p.BenchName(), "Benchmark") }

// benchUnitOf is the bench.txt unit of a compare metric.
func benchUnitOf(key string) (string, bool) {
	m := cmpMetric(key)
	for _, bm := range schema.BenchMetrics() {
		if bm.Path == m.Path {
			return bm.Bench, true
		}
	}
	return "", false
}

func sortedKeysOf[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Every metric bench.txt declares (its Unit lines, as benchstat reads
// them) is compared, with the direction bench.txt gives it.
func TestCompareMetricsCoverBenchTxt(t *testing.T) {
	txt := string(report.BenchTxt(compareFixtures(t, "a")[0].Result))
	declared := map[string]bool{} // unit → higher is better
	for _, line := range strings.Split(txt, "\n") {
		var unit, better string
		if n, _ := fmt.Sscanf(line, "Unit %s better=%s", &unit, &better); n == 2 {
			declared[unit] = better == "higher"
		}
	}
	if len(declared) == 0 {
		t.Fatalf("bench.txt declares no unit:\n%s", txt)
	}
	for unit, higher := range declared {
		found := false
		for _, m := range compareMetrics {
			if m.Bench == unit {
				found = true
				if m.Higher != higher {
					t.Errorf("%s: compare says higher is better = %t, bench.txt %t", m.Path, m.Higher, higher)
				}
			}
		}
		if !found {
			t.Errorf("bench.txt metric %s is not compared", unit)
		}
	}
}
