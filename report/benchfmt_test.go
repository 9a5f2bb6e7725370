package report

import (
	"bytes"
	"testing"

	"golang.org/x/perf/benchfmt"
)

func TestMatrixBenchTxtGolden(t *testing.T) {
	goldenCheck(t, "matrix.bench.txt", BenchTxt(matrixFixture(t)))
}

func TestMatrixSummaryCSVGolden(t *testing.T) {
	b, err := SummaryCSV(matrixFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	goldenCheck(t, "matrix.summary.csv", b)
}

// Every completed repetition of every measured scenario of a real matrix
// is one benchfmt result with the units benchstat compares; failed
// repetitions and skipped scenarios give none.
func TestMatrixBenchTxtParses(t *testing.T) {
	res := matrixFixture(t)
	rd := benchfmt.NewReader(bytes.NewReader(BenchTxt(res)), "bench.txt")
	units := []string{"events/s", "p50-ns", "p99-ns", "p999-ns", "drops/s", "cpu-ns/event", "allocs/event", "syscalls/event"}
	seen := map[string]int{}
	for rd.Scan() {
		switch rec := rd.Result().(type) {
		case *benchfmt.Result:
			seen[string(rec.Name)]++
			for _, u := range units {
				if v, ok := unitValue(rec, u); !ok || (u == "events/s" && v <= 0) {
					t.Errorf("%s: %s %v (present %t)", rec.Name, u, v, ok)
				}
			}
			if got := rec.GetConfig("kernel"); got != res.Env.Kernel {
				t.Errorf("kernel config %q, want %q", got, res.Env.Kernel)
			}
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	want, total := 0, 0
	for _, s := range res.Scenarios {
		name := s.Params.BenchName()[len("Benchmark"):]
		completed := 0
		for _, run := range s.Runs {
			if !run.Incomplete() {
				completed++
			}
		}
		if s.Skipped != "" && seen[name] != 0 {
			t.Errorf("skipped %s has %d results", s.ID, seen[name])
		}
		if seen[name] != completed {
			t.Errorf("%s: %d results, want %d", name, seen[name], completed)
		}
		want += completed
	}
	for _, n := range seen {
		total += n
	}
	if total != want || want == 0 {
		t.Errorf("%d results, want %d", total, want)
	}
}

// unitValue finds a figure by the unit bench.txt wrote: benchfmt tidies
// "-ns" units into seconds ("p99-ns" becomes "p99-sec") and keeps the
// written unit and value as OrigUnit and OrigValue.
func unitValue(rec *benchfmt.Result, unit string) (float64, bool) {
	for _, v := range rec.Values {
		if v.OrigUnit == unit {
			return v.OrigValue, true
		}
		if v.OrigUnit == "" && v.Unit == unit {
			return v.Value, true
		}
	}
	return 0, false
}
