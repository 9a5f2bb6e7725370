package bench

import (
	"fmt"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/internal/clock"
	"ringbench/internal/cpu"
	"ringbench/internal/hist"
)

// NoiseThresholdNs is the smallest gap the noise probe counts: a thread
// that does nothing but read the clock sees consecutive readings tens of ns
// apart; a gap above 1 µs is time the machine took from it (an interrupt,
// another task, the hypervisor).
const NoiseThresholdNs = 1000

// DefaultNoiseTime is how long the probe watches each CPU.
const DefaultNoiseTime = 2 * time.Second

// NoiseCPU is one CPU's noise floor: what a pinned thread reading the clock
// in a tight loop lost to gaps over the threshold (the idea of hwlatdetect,
// cyclictest and jitterdebugger). A latency at or below these gaps describes
// the machine, not a read mode.
type NoiseCPU struct {
	CPU         int     `json:"cpu"`
	DurationS   float64 `json:"duration_s"`
	ThresholdNs int64   `json:"threshold_ns"`
	Gaps        uint64  `json:"gaps"`
	GapsPerS    float64 `json:"gaps_per_s"`
	LostPct     float64 `json:"lost_pct"` // share of the time lost in gaps
	GapP50Ns    *int64  `json:"gap_p50_ns"`
	GapP99Ns    *int64  `json:"gap_p99_ns"`
	GapMaxNs    *int64  `json:"gap_max_ns"`
	Error       string  `json:"error,omitempty"` // why this CPU was not probed
}

// gapTracker turns consecutive clock readings into the gaps between them.
type gapTracker struct {
	threshold   int64
	first, last int64
	gaps        *hdrhistogram.Histogram
	lost        int64
}

func newGapTracker(threshold int64) *gapTracker {
	return &gapTracker{threshold: threshold, gaps: hist.New()}
}

func (g *gapTracker) observe(t int64) {
	if g.first == 0 {
		g.first, g.last = t, t
		return
	}
	if d := t - g.last; d > g.threshold {
		g.gaps.RecordValue(d)
		g.lost += d
	}
	g.last = t
}

func (g *gapTracker) result(c int) NoiseCPU {
	n := NoiseCPU{CPU: c, ThresholdNs: g.threshold, Gaps: uint64(g.gaps.TotalCount())}
	span := g.last - g.first
	if span <= 0 {
		n.Error = "no clock readings"
		return n
	}
	n.DurationS = float64(span) / 1e9
	n.GapsPerS = float64(n.Gaps) / n.DurationS
	n.LostPct = 100 * float64(g.lost) / float64(span)
	if n.Gaps > 0 {
		n.GapP50Ns, n.GapP99Ns = q(g.gaps, 50), q(g.gaps, 99)
		m := g.gaps.Max()
		n.GapMaxNs = &m
	}
	return n
}

// ProbeNoise measures the noise floor of each CPU in turn, for d each, on a
// thread pinned to it; one CPU at a time, so that the Go runtime keeps a
// CPU for its own goroutines.
func ProbeNoise(cpus []int, d time.Duration) []NoiseCPU {
	out := make([]NoiseCPU, 0, len(cpus))
	for _, c := range cpus {
		ch := make(chan NoiseCPU, 1)
		go func() { ch <- probeCPU(c, d) }()
		out = append(out, <-ch)
	}
	return out
}

func probeCPU(c int, d time.Duration) NoiseCPU {
	_, undo, err := cpu.LockAndPin(c)
	if err != nil {
		return NoiseCPU{CPU: c, Error: err.Error()}
	}
	defer undo()
	g := newGapTracker(NoiseThresholdNs)
	end := clock.Now() + int64(d)
	for t := clock.Now(); t < end; t = clock.Now() {
		g.observe(t)
	}
	return g.result(c)
}

// String is the CPU's floor in one line.
func (n NoiseCPU) String() string {
	if n.Error != "" {
		return fmt.Sprintf("CPU %d: not probed: %s", n.CPU, n.Error)
	}
	s := fmt.Sprintf("CPU %d: %.0f gaps/s over %d ns, %.2f%% of the time lost", n.CPU, n.GapsPerS, n.ThresholdNs, n.LostPct)
	if n.GapP50Ns != nil {
		s += fmt.Sprintf("; gap p50 %v, p99 %v, max %v", time.Duration(*n.GapP50Ns), time.Duration(*n.GapP99Ns), time.Duration(*n.GapMaxNs))
	}
	return s
}
