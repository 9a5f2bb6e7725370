package bench

import (
	"math"
	"testing"
)

// The probe's arithmetic from a fake clock: readings 50 ns apart with two
// gaps, of 10 µs and 1 ms, over about 1.01 s.
func TestGapTracker(t *testing.T) {
	g := newGapTracker(NoiseThresholdNs)
	now := int64(1_000_000_000)
	for i := range 20_000_000 {
		switch i {
		case 1000:
			now += 10_000
		case 2000:
			now += 1_000_000
		default:
			now += 50
		}
		g.observe(now)
	}
	n := g.result(3)
	span := float64(19_999_997*50+10_000+1_000_000) / 1e9 // from the first reading
	if n.CPU != 3 || n.Gaps != 2 || math.Abs(n.DurationS-span) > 1e-9 {
		t.Fatalf("%+v", n)
	}
	if want := 100 * 1.01e6 / (span * 1e9); math.Abs(n.LostPct-want) > 1e-9 {
		t.Errorf("lost %.6f%%, want %.6f%%", n.LostPct, want)
	}
	if *n.GapMaxNs < 999_000 || *n.GapMaxNs > 1_001_000 || *n.GapP50Ns < 9_990 || *n.GapP50Ns > 10_010 {
		t.Errorf("gap p50 %d, max %d", *n.GapP50Ns, *n.GapMaxNs)
	}
	if empty := newGapTracker(NoiseThresholdNs).result(0); empty.Error == "" {
		t.Error("no readings gave a result")
	}
}

// A real probe, briefly: every CPU asked for is reported, with a positive
// duration.
func TestProbeNoise(t *testing.T) {
	got := ProbeNoise([]int{0}, 20_000_000)
	if len(got) != 1 || got[0].CPU != 0 || (got[0].Error == "" && got[0].DurationS <= 0) {
		t.Fatalf("%+v", got)
	}
}
