package machine

import (
	"math"
	"testing"
	"time"

	"ringbench/internal/cpu"
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

// A real probe, briefly: every online CPU asked for is probed, for about
// the time asked, and an offline one is reported as not probed.
func TestProbeNoise(t *testing.T) {
	online, err := cpu.Online()
	if err != nil {
		t.Skipf("no online CPU list: %v", err)
	}
	got := ProbeNoise([]int{online[0], 1 << 20}, 20*time.Millisecond)
	if len(got) != 2 || got[0].CPU != online[0] || got[0].Error != "" || got[0].DurationS < 0.019 {
		t.Fatalf("CPU %d: %+v", online[0], got)
	}
	if got[1].Error == "" {
		t.Errorf("CPU %d does not exist, yet was probed: %+v", 1<<20, got[1])
	}
}
