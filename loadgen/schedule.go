package loadgen

import "math/bits"

// Schedule is the arithmetic of the open-loop plan.
type Schedule struct {
	Start     int64  // CLOCK_MONOTONIC ns of trigger 0
	Rate      uint64 // offered events per second, all producers together; 0 = back to back
	Batch     uint64 // events per trigger
	Producers uint64
}

// Due returns when global trigger i is due: Start + i·Batch·1e9/Rate,
// computed in 128 bits so long runs at high rates neither overflow nor drift.
func (s Schedule) Due(i uint64) int64 {
	if s.Rate == 0 {
		return s.Start
	}
	hi, lo := bits.Mul64(i, s.Batch*1_000_000_000)
	if hi >= s.Rate { // beyond 2^64 ns: never due
		return 1<<63 - 1
	}
	q, _ := bits.Div64(hi, lo, s.Rate)
	return s.Start + int64(q)
}

// Slot is the global trigger index of producer p's k-th trigger.
func (s Schedule) Slot(p, k uint64) uint64 { return k*s.Producers + p }

// Interval is the time between two triggers of one producer, in ns.
func (s Schedule) Interval() int64 {
	if s.Rate == 0 {
		return 0
	}
	return s.Due(s.Producers) - s.Start
}
