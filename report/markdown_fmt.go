package report

import (
	"fmt"
	"math"
	"strconv"

	"ringbench/bench"
)

// dur formats nanoseconds with a unit readable at a glance: 850 ns,
// 3.05 µs, 78.8 µs, 226 µs, 4.41 ms.
func mdDur(ns float64) string {
	switch a := math.Abs(ns); {
	case a >= 1e9:
		return mdSig3(ns/1e9) + " s"
	case a >= 1e6:
		return mdSig3(ns/1e6) + " ms"
	case a >= 1e3:
		return mdSig3(ns/1e3) + " µs"
	}
	return fmt.Sprintf("%.0f ns", ns)
}

// sig3 writes v with three significant digits and no exponent.
func mdSig3(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

// num writes a dimensionless figure (syscalls or allocations per event)
// with two significant digits and no exponent.
func mdNum(v float64) string {
	if v == 0 {
		return "0"
	}
	if math.Abs(v) >= 100 {
		return fmt.Sprintf("%.0f", v)
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'e', 1, 64), 64)
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// rateLabel writes an offered rate as people say it: 10k, 400k, 1M; 0 is
// back to back.
func mdRateLabel(p bench.Params) string {
	switch {
	case p.B2B:
		return "b2b"
	case p.Rate == 0:
		return "max"
	case p.Rate >= 1e6:
		return strconv.FormatFloat(float64(p.Rate)/1e6, 'f', -1, 64) + "M"
	case p.Rate >= 1e3:
		return strconv.FormatFloat(float64(p.Rate)/1e3, 'f', -1, 64) + "k"
	}
	return strconv.FormatUint(p.Rate, 10)
}

// statCell writes a summary figure as mean ± relative stddev, the way
// benchstat does; "-" when the scenario has no such figure.
func mdStatCell(s bench.Scenario, key string, f func(float64) string) string {
	st, ok := s.Summary[key]
	if !ok {
		return "-"
	}
	out := f(st.Mean)
	if st.Stddev == nil || *st.Stddev == 0 {
		return out
	}
	if st.Mean == 0 {
		return out + " ± " + f(*st.Stddev)
	}
	pct := 100 * *st.Stddev / math.Abs(st.Mean)
	if pct < 0.05 {
		return out + " ± 0%"
	}
	if pct < 1 {
		return out + fmt.Sprintf(" ± %.1f%%", pct)
	}
	return out + fmt.Sprintf(" ± %.0f%%", pct)
}

// mean is a summary figure's mean, when the scenario has it.
func mdMean(s bench.Scenario, key string) (float64, bool) {
	st, ok := s.Summary[key]
	return st.Mean, ok
}

func mdPlural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
