package view

import (
	"math"
	"slices"

	"golang.org/x/perf/benchmath"
)

// MinRepsForInterval is the fewest repetitions whose median has a finite
// interval at confidence under benchmath.AssumeNothing (its order
// statistics): with fewer, readers give the range instead.
func MinRepsForInterval(confidence float64) int {
	for n := 1; ; n++ {
		if _, _, _, finite := MedianInterval(make([]float64, n), confidence); finite {
			return n
		}
	}
}

// MedianInterval is the median of xs with its interval at confidence
// (benchmath.AssumeNothing, as benchstat computes it); finite is false
// when xs are too few for one, and lo and hi are then infinite.
func MedianInterval(xs []float64, confidence float64) (med, lo, hi float64, finite bool) {
	th := benchmath.DefaultThresholds
	sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(slices.Clone(xs), &th), confidence)
	return sum.Center, sum.Lo, sum.Hi, !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0)
}
