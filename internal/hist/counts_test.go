package hist

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// Counts files every value where the library would: the same counts array,
// and so the same histogram, for values across the whole range and beyond.
func TestCountsMatchHDR(t *testing.T) {
	c, h := NewCounts(), New()
	values := []int64{0, 1, 2, 1023, 1024, 2047, 2048, 2049, 4095, 4096, 1e6, MaxNs, MaxNs + 1, 1 << 62, -1}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200_000 {
		values = append(values, rng.Int64N(1<<uint(rng.IntN(40))+1))
	}
	for _, v := range values {
		ok := c.Record(v)
		if (h.RecordValue(v) == nil) != ok {
			t.Fatalf("value %d: Counts took it %v, the library disagrees", v, ok)
		}
	}
	got := c.Histogram()
	if !slices.Equal(got.Export().Counts, h.Export().Counts) || got.TotalCount() != h.TotalCount() {
		t.Fatal("counts differ from the library's")
	}
	if got.ValueAtQuantile(99) != h.ValueAtQuantile(99) || got.Max() != h.Max() || got.Min() != h.Min() {
		t.Errorf("p99 %d/%d, max %d/%d, min %d/%d", got.ValueAtQuantile(99), h.ValueAtQuantile(99), got.Max(), h.Max(), got.Min(), h.Min())
	}
}

func BenchmarkCountsRecord(b *testing.B) {
	c := NewCounts()
	v := int64(12_345)
	for b.Loop() {
		c.Record(v)
		v += 7
		if v > 1e9 {
			v = 12_345
		}
	}
}
