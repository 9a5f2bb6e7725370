package markdown

import (
	"fmt"
	"math"

	"ringbench/schema"
)

// mdStatCell writes a summary figure as mean ± relative stddev, the way
// benchstat does; "-" when the scenario has no such figure.
func mdStatCell(s schema.Scenario, key string, f func(float64) string) string {
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

// mdMean is a summary figure's mean, when the scenario has it.
func mdMean(s schema.Scenario, key string) (float64, bool) {
	st, ok := s.Summary[key]
	return st.Mean, ok
}

func mdPlural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
