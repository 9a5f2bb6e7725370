// Package hist holds the one histogram range every ringbench duration is
// recorded in — event latency, trigger syscalls, schedule lag, GC pauses —
// so that histograms from any of them merge and compare.
package hist

import "github.com/HdrHistogram/hdrhistogram-go"

// Durations in nanoseconds, 1 ns to 60 s, at 3 significant figures.
const (
	MinNs  = 1
	MaxNs  = 60_000_000_000
	Digits = 3
)

// New returns an empty histogram over that range.
func New() *hdrhistogram.Histogram { return hdrhistogram.New(MinNs, MaxNs, Digits) }
