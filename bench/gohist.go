package bench

import (
	"errors"
	"fmt"
	"math"
	"ringbench/internal/hist"
	"runtime/metrics"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// HistDelta returns after − before bucket by bucket. Both must have the same
// bucket boundaries (the runtime guarantees that for two readings of the same
// metric), and no count of after may be below before's: that only happens
// when the samples are swapped, and a wrapped uint64 would be garbage.
func HistDelta(before, after *metrics.Float64Histogram) (*metrics.Float64Histogram, error) {
	if before == nil || after == nil {
		return nil, errors.New("histogram delta: nil histogram")
	}
	if err := checkHist(before); err != nil {
		return nil, fmt.Errorf("histogram delta: before: %w", err)
	}
	if err := checkHist(after); err != nil {
		return nil, fmt.Errorf("histogram delta: after: %w", err)
	}
	if len(before.Buckets) != len(after.Buckets) {
		return nil, fmt.Errorf("histogram delta: %d vs %d bucket boundaries", len(before.Buckets), len(after.Buckets))
	}
	for i, b := range before.Buckets {
		if after.Buckets[i] != b {
			return nil, fmt.Errorf("histogram delta: boundary %d differs: %g vs %g", i, b, after.Buckets[i])
		}
	}
	d := &metrics.Float64Histogram{
		Counts: make([]uint64, len(after.Counts)),
		// Boundaries are read-only by contract (the runtime itself aliases
		// them between readings), so sharing them is safe.
		Buckets: after.Buckets,
	}
	for i, a := range after.Counts {
		if a < before.Counts[i] {
			return nil, fmt.Errorf("histogram delta: bucket %d went down (%d -> %d); samples swapped?", i, before.Counts[i], a)
		}
		d.Counts[i] = a - before.Counts[i]
	}
	return d, nil
}

// checkHist rejects shapes the runtime never produces, so that indexing
// Buckets[i+1] for every count is safe everywhere else.
func checkHist(h *metrics.Float64Histogram) error {
	if len(h.Buckets) == 0 && len(h.Counts) == 0 {
		return nil
	}
	if len(h.Buckets) != len(h.Counts)+1 {
		return fmt.Errorf("%d counts need %d boundaries, have %d", len(h.Counts), len(h.Counts)+1, len(h.Buckets))
	}
	return nil
}

// histTotal is the number of observations in h.
func histTotal(h *metrics.Float64Histogram) uint64 {
	var n uint64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// bucketValue is the one value ringbench reports for bucket i: its upper
// bound, which over-reports by at most one bucket width (the conservative
// side for latency), or its lower bound when the upper one is +Inf and so
// says nothing.
func bucketValue(h *metrics.Float64Histogram, i int) float64 {
	if hi := h.Buckets[i+1]; !math.IsInf(hi, 1) {
		return hi
	}
	return h.Buckets[i]
}

// HistQuantile returns the upper bound (in the histogram's unit) of the
// bucket holding quantile q (0..1, clamped), using the lower bound when the
// upper bound is +Inf; ok=false for an empty histogram (or a NaN q). q=1
// gives the bound of the highest non-empty bucket, i.e. the maximum.
func HistQuantile(h *metrics.Float64Histogram, q float64) (v float64, ok bool) {
	if h == nil || checkHist(h) != nil || math.IsNaN(q) {
		return 0, false
	}
	total := histTotal(h)
	if total == 0 {
		return 0, false
	}
	q = min(max(q, 0), 1)
	// Rank of the observation holding q, 1-based: the smallest n with
	// n/total >= q, but at least the first observation. q*total is snapped
	// to an integer when within float error of one: 0.3*10 is
	// 3.0000000000000004, and a plain Ceil would skip a bucket.
	x := q * float64(total)
	if r := math.Round(x); math.Abs(x-r) <= 1e-9*max(1, x) {
		x = r
	}
	rank := max(uint64(math.Ceil(x)), 1)
	var cum uint64
	for i, c := range h.Counts {
		cum += c
		if cum >= rank {
			return bucketValue(h, i), true
		}
	}
	// Unreachable: cum ends at total >= rank.
	return 0, false
}

// histSumEstimate estimates the sum of all observations as count × bucket
// midpoint; the runtime keeps no exact sum. A bucket with one infinite bound
// uses its finite bound; one with two infinite bounds contributes nothing.
func histSumEstimate(h *metrics.Float64Histogram) float64 {
	var sum float64
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		lo, hi := h.Buckets[i], h.Buckets[i+1]
		var mid float64
		switch {
		case math.IsInf(lo, 0) && math.IsInf(hi, 0):
			continue
		case math.IsInf(lo, 0):
			mid = hi
		case math.IsInf(hi, 0):
			mid = lo
		default:
			mid = lo + (hi-lo)/2
		}
		sum += float64(c) * mid
	}
	return sum
}

// HistToHDR records a seconds histogram into an HDR histogram in nanoseconds
// (1 ns .. 60 s, 3 significant figures): each bucket's count at its
// bucketValue, clamped to the HDR range, so nothing is dropped and the total
// count is preserved. A nil or malformed h gives an empty histogram.
func HistToHDR(h *metrics.Float64Histogram) *hdrhistogram.Histogram {
	out := hist.New()
	if h == nil || checkHist(h) != nil {
		return out
	}
	for i, c := range h.Counts {
		if c == 0 {
			continue
		}
		// Runtime time buckets are whole nanoseconds stored as float
		// seconds; rounding undoes the float error of the division.
		ns := math.Round(bucketValue(h, i) * 1e9)
		ns = min(max(ns, hist.MinNs), hist.MaxNs) // also maps -Inf to 1 ns
		// Cannot fail: the value was clamped into the trackable range.
		_ = out.RecordValues(int64(ns), int64(c))
	}
	return out
}
