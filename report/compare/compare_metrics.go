package compare

import (
	"math"
	"strconv"
	"strings"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// compareMetric is one key figure ringbench compare tests, from the
// catalog, with how it prints.
type compareMetric struct {
	schema.Metric
	Format func(float64) string
}

// compareMetrics are the metrics of bench.txt (the same paths and
// directions: a test holds them together) plus the GC pause p99.
var compareMetrics = func() []compareMetric {
	var out []compareMetric
	for _, m := range append(schema.BenchMetrics(), schema.MetricsAt("go.gc_pause_p99_ns")...) {
		out = append(out, compareMetric{m, view.UnitFormat(m.Unit)})
	}
	return out
}()

func cmpMetric(key string) compareMetric {
	for _, m := range compareMetrics {
		if m.Key == key {
			return m
		}
	}
	return compareMetric{schema.Metric{Key: key, Label: key}, format.Sig3}
}

// cmpValues is, per metric key, the figure of every completed
// repetition of s that has it (a figure null in a repetition is left out
// of the sample, as bench.txt leaves it out of that line).
func cmpValues(s schema.Scenario) map[string][]float64 {
	out := map[string][]float64{}
	for _, run := range s.Runs {
		if !run.Trusted() {
			continue
		}
		figures := schema.Figures(run)
		for _, m := range compareMetrics {
			if v, ok := figures[m.Path]; ok && !math.IsNaN(v) {
				out[m.Key] = append(out[m.Key], v)
			}
		}
	}
	return out
}

// cmpChange prints a change in percent, "+∞%" from a zero baseline.
func cmpChange(r MetricComparison) string {
	if r.ChangePct == nil {
		if r.Other.Median > 0 {
			return "+∞%"
		}
		return "-∞%"
	}
	if *r.ChangePct == 0 {
		return "0%"
	}
	s := strconv.FormatFloat(*r.ChangePct, 'f', 1, 64)
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s + "%"
}

// cmpSide prints a median with its confidence interval the way benchstat
// does: "12.3µs ± 3%".
func cmpSide(m compareMetric, s CompareSide) string {
	return m.Format(s.Median) + " ± " + s.CIPct
}

// cmpP prints a p-value.
func cmpP(p float64) string {
	if p < 0.001 {
		return "p<0.001"
	}
	return "p=" + strconv.FormatFloat(p, 'f', 3, 64)
}

// cmpN prints the sample sizes: "n=6" or "n=6+4".
func cmpN(r MetricComparison) string {
	if r.Base.N == r.Other.N {
		return "n=" + strconv.Itoa(r.Base.N)
	}
	return "n=" + strconv.Itoa(r.Base.N) + "+" + strconv.Itoa(r.Other.N)
}
