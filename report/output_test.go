package report

import (
	"bytes"
	"flag"
	"path/filepath"
	"testing"

	"golang.org/x/perf/benchfmt"

	"ringbench/internal/golden"
	"ringbench/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func fixture(t *testing.T) *schema.Result {
	t.Helper()
	r, err := schema.ReadResult(filepath.Join("testdata", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func goldenCheck(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", name+".golden"), got, *update)
}

func TestBenchTxtGolden(t *testing.T) { goldenCheck(t, "bench.txt", BenchTxt(fixture(t))) }

func TestSummaryCSVGolden(t *testing.T) {
	b, err := SummaryCSV(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	goldenCheck(t, "summary.csv", b)
}

// benchstat reads what we write: benchfmt parses every line, finds one
// result per completed repetition of every scenario, with the config and
// the units we declare.
func TestBenchTxtParses(t *testing.T) {
	res := fixture(t)
	rd := benchfmt.NewReader(bytes.NewReader(BenchTxt(res)), "bench.txt")
	seen := map[string]int{}
	units := 0
	for rd.Scan() {
		switch rec := rd.Result(); rec := rec.(type) {
		case *benchfmt.Result:
			seen[string(rec.Name)]++
			if v, ok := rec.Value("events/s"); !ok || v <= 0 {
				t.Errorf("%s: no events/s", rec.Name)
			}
			if k := rec.GetConfig("kernel"); k != res.Env.Kernel {
				t.Errorf("kernel config %q, want %q", k, res.Env.Kernel)
			}
		case *benchfmt.UnitMetadata:
			units++
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Scenarios {
		name := s.Params.BenchName()[len("Benchmark"):]
		if seen[name] != len(s.Runs) {
			t.Errorf("%s: %d results, want %d (seen %v)", name, seen[name], len(s.Runs), seen)
		}
	}
	if units != len(benchMetrics) {
		t.Errorf("%d Unit lines, want %d", units, len(benchMetrics))
	}
}
