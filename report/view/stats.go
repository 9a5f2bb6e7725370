package view

import (
	"math"

	"golang.org/x/perf/benchmath"
)

// MinRepsForInterval is the fewest repetitions whose median has a finite
// interval at confidence under benchmath.AssumeNothing (its order
// statistics): with fewer, readers give the range instead.
func MinRepsForInterval(confidence float64) int {
	th := benchmath.DefaultThresholds
	for n := 1; ; n++ {
		sum := benchmath.AssumeNothing.Summary(benchmath.NewSample(make([]float64, n), &th), confidence)
		if !math.IsInf(sum.Lo, 0) && !math.IsInf(sum.Hi, 0) {
			return n
		}
	}
}
