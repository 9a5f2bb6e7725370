package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/perf/benchfmt"

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

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s:\n%s", name, path, got)
	}
}

func TestBenchTxtGolden(t *testing.T) { golden(t, "bench.txt", BenchTxt(fixture(t))) }

func TestSummaryCSVGolden(t *testing.T) {
	b, err := SummaryCSV(fixture(t))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "summary.csv", b)
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
		name := BenchName(s.Params)[len("Benchmark"):]
		if seen[name] != len(s.Runs) {
			t.Errorf("%s: %d results, want %d (seen %v)", name, seen[name], len(s.Runs), seen)
		}
	}
	if units != len(benchMetrics) {
		t.Errorf("%d Unit lines, want %d", units, len(benchMetrics))
	}
}
