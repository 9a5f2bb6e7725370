package bench

import (
	"math"
	"runtime/metrics"
)

// Runtime metric names ringbench reads. All exist since go1.22, below the
// go.mod minimum.
const (
	mGCCycles     = "/gc/cycles/total:gc-cycles"
	mGCPauses     = "/sched/pauses/total/gc:seconds"
	mAllocBytes   = "/gc/heap/allocs:bytes"
	mAllocObjects = "/gc/heap/allocs:objects"
	mSchedLat     = "/sched/latencies:seconds"
	mGoroutines   = "/sched/goroutines:goroutines"
	mGOMAXPROCS   = "/sched/gomaxprocs:threads"
	mGOGC         = "/gc/gogc:percent"
)

// Indexes into GoSample.s; the order of goNames.
const (
	iGCCycles = iota
	iGCPauses
	iAllocBytes
	iAllocObjects
	iSchedLat
	iGoroutines
	iGOMAXPROCS
	iGOGC
)

var goNames = [...]string{
	iGCCycles:     mGCCycles,
	iGCPauses:     mGCPauses,
	iAllocBytes:   mAllocBytes,
	iAllocObjects: mAllocObjects,
	iSchedLat:     mSchedLat,
	iGoroutines:   mGoroutines,
	iGOMAXPROCS:   mGOMAXPROCS,
	iGOGC:         mGOGC,
}

// GoSample is one reading of the runtime metrics ringbench reports. Taking it
// allocates (the runtime/metrics API does); it is only taken at window edges,
// never per event.
type GoSample struct {
	s []metrics.Sample
}

// ReadGo takes a GoSample. Every call gets fresh Samples because
// metrics.Read may reuse a previously read sample's histogram memory, which
// would overwrite the window-start reading with the window-end one.
func ReadGo() GoSample {
	s := make([]metrics.Sample, len(goNames))
	for i, n := range goNames {
		s[i].Name = n
	}
	metrics.Read(s)
	return GoSample{s: s}
}

// GoDelta is what changed between two samples (window start, window end).
// Pointers are nil when the value is undefined (no observation, or a metric
// this runtime does not have), so a report can tell "none" from "zero".
type GoDelta struct {
	GCCycles uint64 // /gc/cycles/total:gc-cycles delta
	// GCPauses is the delta of the distribution of individual GC
	// stop-the-world pauses, in seconds; nil if the runtime has no such
	// metric.
	GCPauses     *metrics.Float64Histogram
	GCPauseCount uint64
	// GCPauseP99Ns is the upper bound of the bucket holding the 99th
	// percentile pause; nil when no pause happened in the window.
	GCPauseP99Ns *float64
	// GCPauseMaxNs is the upper bound of the highest non-empty bucket (its
	// lower bound if the upper is +Inf, so it stays finite); nil when no
	// pause happened.
	GCPauseMaxNs *float64
	// GCPauseTotalNs is an estimate from buckets: the sum of count × bucket
	// midpoint (the runtime keeps no exact sum). 0 when no pause happened,
	// nil only when GCPauses is nil.
	GCPauseTotalNs *float64
	AllocBytes     uint64 // /gc/heap/allocs:bytes delta
	AllocObjects   uint64 // /gc/heap/allocs:objects delta (tiny allocations excluded by the runtime)
	// SchedEvents is the count delta of /sched/latencies:seconds: the number
	// of goroutine transitions to running.
	SchedEvents uint64
	// SchedLatencyP99Ns is the upper bound of the bucket holding the 99th
	// percentile runnable-to-running latency; nil when SchedEvents == 0.
	SchedLatencyP99Ns *float64
	SchedLatencyMaxNs *float64 // the same, of the longest wait
	Goroutines        uint64   // /sched/goroutines:goroutines at the end
	GOMAXPROCS        int      // /sched/gomaxprocs:threads at the end
	GOGC              int      // /gc/gogc:percent at the end; -1 when GC is off
}

// DeltaGo computes what changed from before (window start) to after (window
// end). Gauges (Goroutines, GOMAXPROCS, GOGC) are after's values.
func DeltaGo(before, after GoSample) GoDelta {
	var d GoDelta
	d.GCCycles = counterDelta(before, after, iGCCycles)
	d.AllocBytes = counterDelta(before, after, iAllocBytes)
	d.AllocObjects = counterDelta(before, after, iAllocObjects)

	if p := histSampleDelta(before, after, iGCPauses); p != nil {
		d.GCPauses = p
		d.GCPauseCount = histTotal(p)
		d.GCPauseP99Ns = quantileNs(p, 0.99)
		d.GCPauseMaxNs = quantileNs(p, 1)
		// Rounded: bucket bounds are whole ns, so the float noise of the
		// seconds conversion is all the fraction carries.
		total := math.Round(histSumEstimate(p) * 1e9)
		d.GCPauseTotalNs = &total
	}
	if l := histSampleDelta(before, after, iSchedLat); l != nil {
		d.SchedEvents = histTotal(l)
		d.SchedLatencyP99Ns = quantileNs(l, 0.99)
		d.SchedLatencyMaxNs = quantileNs(l, 1)
	}

	d.Goroutines = gauge(after, iGoroutines)
	d.GOMAXPROCS = int(gauge(after, iGOMAXPROCS))
	// The runtime stores GOGC as an int32 (-1 = off) and widens it to
	// uint64 with sign extension, so off reads as MaxUint64; going back
	// through int64 recovers -1.
	d.GOGC = int(int64(gauge(after, iGOGC)))
	return d
}

// sample returns sample i of s, or a zero (KindBad) value for a zero
// GoSample, so DeltaGo never panics on an unset sample.
func (s GoSample) sample(i int) metrics.Value {
	if i >= len(s.s) {
		return metrics.Value{}
	}
	return s.s[i].Value
}

// gauge is a uint64 metric's value, 0 if the runtime lacks it.
func gauge(s GoSample, i int) uint64 {
	if v := s.sample(i); v.Kind() == metrics.KindUint64 {
		return v.Uint64()
	}
	return 0
}

// counterDelta is after − before for a monotonic counter, 0 if it is missing
// or went backwards (swapped samples) rather than a wrapped huge number.
func counterDelta(before, after GoSample, i int) uint64 {
	b, a := gauge(before, i), gauge(after, i)
	if a < b {
		return 0
	}
	return a - b
}

// histSampleDelta is the bucket-wise delta of histogram metric i, nil if
// either sample lacks it or the deltas cannot be taken.
func histSampleDelta(before, after GoSample, i int) *metrics.Float64Histogram {
	b, a := before.sample(i), after.sample(i)
	if b.Kind() != metrics.KindFloat64Histogram || a.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	d, err := HistDelta(b.Float64Histogram(), a.Float64Histogram())
	if err != nil {
		return nil
	}
	return d
}

// quantileNs is HistQuantile of a seconds histogram in nanoseconds, nil when
// the histogram is empty.
func quantileNs(h *metrics.Float64Histogram, q float64) *float64 {
	v, ok := HistQuantile(h, q)
	if !ok {
		return nil
	}
	ns := v * 1e9
	if !math.IsInf(ns, 0) {
		// Buckets are whole nanoseconds stored as float seconds.
		ns = math.Round(ns)
	}
	return &ns
}
