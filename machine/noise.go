package machine

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/internal/clock"
	"ringbench/internal/cpu"
	"ringbench/internal/hist"
	"ringbench/schema"
)

// NoiseThresholdNs is the smallest gap the noise probe counts: a thread
// that does nothing but read the clock sees consecutive readings tens of ns
// apart; a gap above 1 µs is time the machine took from it (an interrupt,
// another task, the hypervisor).
const NoiseThresholdNs = 1000

// DefaultNoiseTime is how long the probe watches each CPU.
const DefaultNoiseTime = 2 * time.Second

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

func (g *gapTracker) result(c int) schema.NoiseCPU {
	n := schema.NoiseCPU{CPU: c, ThresholdNs: g.threshold, Gaps: uint64(g.gaps.TotalCount())}
	span := g.last - g.first
	if span <= 0 {
		n.Error = "no clock readings"
		return n
	}
	n.DurationS = float64(span) / 1e9
	n.GapsPerS = float64(n.Gaps) / n.DurationS
	n.LostPct = 100 * float64(g.lost) / float64(span)
	if n.Gaps > 0 {
		p50, p99 := g.gaps.ValueAtQuantile(50), g.gaps.ValueAtQuantile(99)
		n.GapP50Ns, n.GapP99Ns = &p50, &p99
		m := g.gaps.Max()
		n.GapMaxNs = &m
	}
	return n
}

// ProbeNoise measures the noise floor of each CPU in turn, for d each, on a
// thread pinned to it; one CPU at a time, so that the Go runtime keeps a
// CPU for its own goroutines.
func ProbeNoise(cpus []int, d time.Duration) []schema.NoiseCPU {
	out := make([]schema.NoiseCPU, 0, len(cpus))
	for _, c := range cpus {
		ch := make(chan schema.NoiseCPU, 1)
		go func() { ch <- probeCPU(c, d) }()
		out = append(out, <-ch)
	}
	return out
}

func probeCPU(c int, d time.Duration) schema.NoiseCPU {
	_, undo, err := cpu.LockAndPin(c)
	if err != nil {
		return schema.NoiseCPU{CPU: c, Error: err.Error()}
	}
	defer undo()
	g := newGapTracker(NoiseThresholdNs)
	end := clock.Now() + int64(d)
	for t := clock.Now(); t < end; t = clock.Now() {
		g.observe(t)
	}
	return g.result(c)
}
