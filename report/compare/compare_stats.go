package compare

import (
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// cmpSamples is benchstat's comparison of two samples: medians and
// their intervals under benchmath.AssumeNothing, the Mann-Whitney U test,
// and significant when p ≤ α (benchstat prints "~" only when p > α); and
// the smallest change the test could have called (cmpDetectable).
func cmpSamples(x, y []float64, higherBetter bool) MetricComparison {
	row := cmpTest(x, y, higherBetter)
	if !row.Significant { // a significant change needs no power to read it by
		row.DetectablePct = cmpDetectable(x, y, row.Base.Median, row.Other.Median)
	}
	return row
}

// cmpTest is cmpSamples without the detectable change.
func cmpTest(x, y []float64, higherBetter bool) MetricComparison {
	sx, sy := cmpSample(x), cmpSample(y)
	cmp := benchmath.AssumeNothing.Compare(sx, sy)
	row := MetricComparison{
		Base: cmpSideOf(sx), Other: cmpSideOf(sy), P: cmp.P,
		Significant: !(cmp.P > cmp.Alpha),
	}
	for _, w := range cmp.Warnings {
		row.Warnings = append(row.Warnings, w.Error())
	}
	if a, b := row.Base.Median, row.Other.Median; a == b {
		row.ChangePct = cmpPtr(0.0)
	} else if a != 0 {
		row.ChangePct = cmpPtr((b/a - 1) * 100)
	}
	up := row.Other.Median > row.Base.Median
	if row.Other.Median == row.Base.Median {
		// The U test saw a shift the medians do not show: take its
		// direction from the means.
		up = cmpMean(y) > cmpMean(x)
	}
	switch {
	case row.Significant && up == higherBetter:
		row.Verdict = VerdictBetter
	case row.Significant:
		row.Verdict = VerdictWorse
	case cmpMinP(len(x), len(y)) > CompareAlpha:
		row.Verdict = VerdictTooFew
	default:
		row.Verdict = VerdictNoChange
	}
	return row
}

// cmpDetectable is the smallest change the comparison could have called,
// in percent of the base median: both samples centred on their medians,
// keeping the spreads seen, the other shifted by δ up or down; the least
// |δ| at which the U test gives p ≤ α, found by bisection, the larger of
// the two directions (spreads can be skewed). Null when no shift could be
// significant with these repetitions, or the base median is 0. So a "no
// change" is read with its power: it rules out changes of this size and
// more only.
// mx and my are x's and y's medians.
func cmpDetectable(x, y []float64, mx, my float64) *float64 {
	if len(x) == 0 || len(y) == 0 || cmpMinP(len(x), len(y)) > CompareAlpha || mx == 0 {
		return nil
	}
	cx := make([]float64, len(x))
	for i, v := range x {
		cx[i] = v - mx
	}
	base := cmpSample(cx) // the test neither sorts nor changes it again
	shifted := make([]float64, len(y))
	significant := func(d float64) bool {
		for i, v := range y {
			shifted[i] = v - my + d
		}
		return !(benchmath.AssumeNothing.Compare(base, cmpSample(shifted)).P > CompareAlpha)
	}
	if significant(0) {
		return cmpPtr(0.0)
	}
	// Shifted by more than the pooled range, every value of one side is
	// beyond every value of the other: the most separation the test sees.
	span := 1 + math.Abs(slices.Max(cx)-slices.Min(cx)) + math.Abs(slices.Max(y)-slices.Min(y))
	worst := 0.0
	for _, sign := range []float64{1, -1} {
		lo, hi := 0.0, 2*span
		if !significant(sign * hi) {
			return nil
		}
		for range 60 {
			mid := (lo + hi) / 2
			if significant(sign * mid) {
				hi = mid
			} else {
				lo = mid
			}
		}
		worst = math.Max(worst, hi)
	}
	return cmpPtr(100 * worst / math.Abs(mx))
}

// cmpSample is a benchmath sample of a copy of xs, with ringbench
// compare's α.
func cmpSample(xs []float64) *benchmath.Sample {
	th := benchmath.DefaultThresholds
	th.CompareAlpha = CompareAlpha
	return benchmath.NewSample(slices.Clone(xs), &th)
}

// cmpSideOf summarises a sample: median, its confidence interval.
func cmpSideOf(s *benchmath.Sample) CompareSide {
	sum := benchmath.AssumeNothing.Summary(s, CompareConfidence)
	out := CompareSide{Values: s.Values, N: len(s.Values), Median: sum.Center, CIPct: sum.PctRangeString()}
	if !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0) {
		out.CILo, out.CIHi = cmpPtr(sum.Lo), cmpPtr(sum.Hi)
	}
	return out
}

// cmpMinP is the smallest two-sided p-value the Mann-Whitney U test can
// give for samples of n1 and n2 values: 2 / C(n1+n2, n1). Above α no
// outcome could be significant, so "no change" would be a guess.
func cmpMinP(n1, n2 int) float64 {
	c := 1.0
	for i := 1; i <= n1; i++ {
		c = c * float64(n2+i) / float64(i)
	}
	return math.Min(1, 2/c)
}

func cmpMean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

func cmpPtr[T any](v T) *T { return &v }
