package bench

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

var (
	histInf    = math.Inf(1)
	histNegInf = math.Inf(-1)
)

func TestHistDelta(t *testing.T) {
	b := []float64{histNegInf, 0, 1, 2, histInf}
	before := &metrics.Float64Histogram{Buckets: b, Counts: []uint64{0, 1, 2, 3}}
	// A separate boundary slice with equal values must be accepted: only
	// the values matter, not aliasing.
	after := &metrics.Float64Histogram{Buckets: append([]float64(nil), b...), Counts: []uint64{0, 2, 2, 5}}
	d, err := HistDelta(before, after)
	if err != nil {
		t.Fatal(err)
	}
	want := []uint64{0, 1, 0, 2}
	for i, c := range d.Counts {
		if c != want[i] {
			t.Errorf("count %d = %d, want %d", i, c, want[i])
		}
	}
	if len(d.Buckets) != len(b) {
		t.Errorf("delta has %d boundaries, want %d", len(d.Buckets), len(b))
	}
	if len(d.Counts) != len(want) {
		t.Errorf("delta has %d counts, want %d", len(d.Counts), len(want))
	}

	empty := &metrics.Float64Histogram{}
	if d, err := HistDelta(empty, empty); err != nil || len(d.Counts) != 0 {
		t.Errorf("empty delta = %v, %v; want no buckets, nil", d, err)
	}
}

func TestHistDeltaErrors(t *testing.T) {
	base := &metrics.Float64Histogram{Buckets: []float64{0, 1, 2}, Counts: []uint64{1, 1}}
	cases := map[string]*metrics.Float64Histogram{
		"nil":             nil,
		"fewer buckets":   {Buckets: []float64{0, 1}, Counts: []uint64{1}},
		"other boundary":  {Buckets: []float64{0, 1, 3}, Counts: []uint64{1, 1}},
		"inf boundary":    {Buckets: []float64{0, 1, histInf}, Counts: []uint64{1, 1}},
		"malformed":       {Buckets: []float64{0, 1, 2}, Counts: []uint64{1}},
		"count went down": {Buckets: []float64{0, 1, 2}, Counts: []uint64{0, 1}},
	}
	for name, after := range cases {
		if _, err := HistDelta(base, after); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestHistQuantile(t *testing.T) {
	// 10 observations: 1 in (-Inf,1), 2 in [1,2), 3 in [2,4), 4 in [4,+Inf).
	h := &metrics.Float64Histogram{
		Buckets: []float64{histNegInf, 1, 2, 4, histInf},
		Counts:  []uint64{1, 2, 3, 4},
	}
	cases := []struct{ q, want float64 }{
		{-1, 1},   // clamped to 0: first observation, (-Inf,1) -> upper 1
		{0, 1},    // rank 1
		{0.1, 1},  // rank 1
		{0.2, 2},  // rank 2, in [1,2)
		{0.3, 2},  // rank 3 (0.3*10 is not exactly 3 in float64)
		{0.31, 4}, // rank 4, in [2,4)
		{0.6, 4},  // rank 6
		{0.61, 4}, // rank 7, in [4,+Inf): lower bound 4
		{0.99, 4}, // rank 10
		{1, 4},    // rank 10
		{2, 4},    // clamped to 1
	}
	for _, c := range cases {
		v, ok := HistQuantile(h, c.q)
		if !ok || v != c.want {
			t.Errorf("q=%v: got %v, %v; want %v, true", c.q, v, ok, c.want)
		}
	}

	// The maximum sits in the +Inf bucket: its lower bound, finite.
	top := &metrics.Float64Histogram{Buckets: []float64{0, 1, histInf}, Counts: []uint64{0, 5}}
	if v, ok := HistQuantile(top, 0.5); !ok || v != 1 {
		t.Errorf("+Inf bucket: got %v, %v; want 1, true", v, ok)
	}
	// Only the -Inf bucket is used: its finite upper bound.
	bottom := &metrics.Float64Histogram{Buckets: []float64{histNegInf, 0.5, 1}, Counts: []uint64{3, 0}}
	if v, ok := HistQuantile(bottom, 1); !ok || v != 0.5 {
		t.Errorf("-Inf bucket: got %v, %v; want 0.5, true", v, ok)
	}
	// 100 observations in [0,1) and one in [1,2): p99 is rank 100 -> 1.
	p99 := &metrics.Float64Histogram{Buckets: []float64{0, 1, 2}, Counts: []uint64{100, 1}}
	if v, ok := HistQuantile(p99, 0.99); !ok || v != 1 {
		t.Errorf("p99: got %v, %v; want 1, true", v, ok)
	}

	empties := map[string]*metrics.Float64Histogram{
		"nil":         nil,
		"no buckets":  {},
		"zero counts": {Buckets: []float64{histNegInf, 0, histInf}, Counts: []uint64{0, 0}},
	}
	for name, e := range empties {
		if _, ok := HistQuantile(e, 0.5); ok {
			t.Errorf("%s: ok=true for an empty histogram", name)
		}
	}
	if _, ok := HistQuantile(h, math.NaN()); ok {
		t.Error("q=NaN: ok=true")
	}
}

func TestHistSumEstimate(t *testing.T) {
	h := &metrics.Float64Histogram{
		Buckets: []float64{histNegInf, 1, 3, histInf},
		Counts:  []uint64{1, 2, 3},
	}
	// 1×1 (upper of -Inf bucket) + 2×2 (midpoint) + 3×3 (lower of +Inf bucket).
	if got, want := histSumEstimate(h), 1.0+4+9; got != want {
		t.Errorf("sum = %v, want %v", got, want)
	}
}

func TestHistToHDR(t *testing.T) {
	h := &metrics.Float64Histogram{
		Buckets: []float64{histNegInf, 0, 1e-6, 1e-3, 1, 100, histInf},
		Counts:  []uint64{1, 2, 3, 4, 5, 6},
	}
	// Expected ns value for each count: upper bounds, lower for +Inf, all
	// clamped to 1 ns .. 60 s.
	want := map[int64]int64{
		1:              1,     // (-Inf,0) -> 0 -> clamped up
		1_000:          2,     // [0,1µs)
		1_000_000:      3,     // [1µs,1ms)
		1_000_000_000:  4,     // [1ms,1s)
		60_000_000_000: 5 + 6, // [1s,100s) -> 100 s and [100s,+Inf) -> 100 s, clamped down
	}
	out := HistToHDR(h)
	if got, want := out.TotalCount(), int64(histTotal(h)); got != want {
		t.Fatalf("total count = %d, want %d", got, want)
	}
	bars := out.Distribution()
	for v, n := range want {
		var got int64
		for _, b := range bars {
			if b.From <= v && v <= b.To {
				got += b.Count
			}
		}
		if got != n {
			t.Errorf("count near %d ns = %d, want %d", v, got, n)
		}
	}

	if HistToHDR(nil).TotalCount() != 0 {
		t.Error("nil histogram: non-empty HDR")
	}
}

// goTestSink keeps the test's allocations on the heap: a package-level
// variable defeats escape analysis, so AllocBytes must see them.
var goTestSink [][]byte

func TestDeltaGo(t *testing.T) {
	const n, size = 1000, 4096
	before := ReadGo()
	goTestSink = make([][]byte, 0, n)
	for range n {
		goTestSink = append(goTestSink, make([]byte, size))
	}
	runtime.GC()
	runtime.GC()
	after := ReadGo()
	goTestSink = nil

	d := DeltaGo(before, after)
	if d.AllocBytes < n*size {
		t.Errorf("AllocBytes = %d, want >= %d", d.AllocBytes, n*size)
	}
	if d.AllocObjects < n {
		t.Errorf("AllocObjects = %d, want >= %d", d.AllocObjects, n)
	}
	if d.GCCycles < 2 {
		t.Errorf("GCCycles = %d, want >= 2", d.GCCycles)
	}
	if d.GCPauses == nil {
		t.Fatal("GCPauses = nil; pause metric unsupported?")
	}
	if d.GCPauseCount < 1 || d.GCPauseCount != histTotal(d.GCPauses) {
		t.Errorf("GCPauseCount = %d (histogram total %d), want >= 1 and equal", d.GCPauseCount, histTotal(d.GCPauses))
	}
	if d.GCPauseP99Ns == nil || d.GCPauseMaxNs == nil || d.GCPauseTotalNs == nil {
		t.Fatalf("pause P99/Max/Total = %v/%v/%v, want all non-nil", d.GCPauseP99Ns, d.GCPauseMaxNs, d.GCPauseTotalNs)
	}
	if p99, mx := *d.GCPauseP99Ns, *d.GCPauseMaxNs; p99 <= 0 || p99 > mx || math.IsInf(mx, 0) {
		t.Errorf("pause p99 %v ns, max %v ns: want 0 < p99 <= max < Inf", p99, mx)
	}
	if *d.GCPauseTotalNs <= 0 {
		t.Errorf("GCPauseTotalNs = %v, want > 0", *d.GCPauseTotalNs)
	}
	if (d.SchedEvents == 0) != (d.SchedLatencyP99Ns == nil) {
		t.Errorf("SchedEvents = %d but SchedLatencyP99Ns = %v", d.SchedEvents, d.SchedLatencyP99Ns)
	}
	if d.GOMAXPROCS != runtime.GOMAXPROCS(0) {
		t.Errorf("GOMAXPROCS = %d, want %d", d.GOMAXPROCS, runtime.GOMAXPROCS(0))
	}
	if d.Goroutines < 1 {
		t.Errorf("Goroutines = %d, want >= 1", d.Goroutines)
	}
	t.Logf("%d GC pauses: p99 %v ns, max %v ns, total ~%v ns; %d sched events",
		d.GCPauseCount, *d.GCPauseP99Ns, *d.GCPauseMaxNs, *d.GCPauseTotalNs, d.SchedEvents)
}

func TestDeltaGoSelf(t *testing.T) {
	s := ReadGo()
	d := DeltaGo(s, s)
	if d.GCCycles != 0 || d.AllocBytes != 0 || d.AllocObjects != 0 || d.GCPauseCount != 0 || d.SchedEvents != 0 {
		t.Errorf("non-zero counter delta of a sample with itself: %+v", d)
	}
	if d.GCPauseP99Ns != nil || d.GCPauseMaxNs != nil || d.SchedLatencyP99Ns != nil {
		t.Errorf("quantiles of an empty window = %v/%v/%v, want nil", d.GCPauseP99Ns, d.GCPauseMaxNs, d.SchedLatencyP99Ns)
	}
	// The pause distribution is known, just empty: a zero total, not nil.
	if d.GCPauses == nil || histTotal(d.GCPauses) != 0 || d.GCPauseTotalNs == nil || *d.GCPauseTotalNs != 0 {
		t.Errorf("GCPauses = %v, GCPauseTotalNs = %v; want an empty histogram and 0", d.GCPauses, d.GCPauseTotalNs)
	}
	// Gauges are the end values, not deltas.
	if d.GOMAXPROCS != runtime.GOMAXPROCS(0) || d.Goroutines < 1 {
		t.Errorf("gauges GOMAXPROCS %d, Goroutines %d", d.GOMAXPROCS, d.Goroutines)
	}
}

func TestDeltaGoZeroSamples(t *testing.T) {
	// Zero GoSamples (never read) must not panic and must report nothing.
	d := DeltaGo(GoSample{}, GoSample{})
	if d != (GoDelta{}) {
		t.Errorf("DeltaGo of zero samples = %+v, want zero", d)
	}
}

func TestGoGOGC(t *testing.T) {
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	s := ReadGo()
	if got := DeltaGo(s, s).GOGC; got != -1 {
		t.Errorf("GOGC with GC off = %d, want -1", got)
	}
	debug.SetGCPercent(150)
	s = ReadGo()
	if got := DeltaGo(s, s).GOGC; got != 150 {
		t.Errorf("GOGC = %d, want 150", got)
	}
}

func BenchmarkReadGo(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		_ = ReadGo()
	}
}
