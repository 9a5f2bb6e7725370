package report

import (
	"bytes"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// The log reads back with hdrhistogram-go's own reader: one histogram per
// repetition, tagged, with the recorded counts.
func TestHlogRepsRoundTrip(t *testing.T) {
	var reps []*hdrhistogram.Histogram
	for i := range 3 {
		h := hdrhistogram.New(1, 60_000_000_000, 3)
		for v := range 100 * (i + 1) {
			h.RecordValue(int64(1000 + v))
		}
		reps = append(reps, h)
	}
	b, err := HlogReps(reps, 3000)
	if err != nil {
		t.Fatal(err)
	}
	rd := hdrhistogram.NewHistogramLogReader(bytes.NewReader(b))
	for i := range 3 {
		h, err := rd.NextIntervalHistogram()
		if err != nil || h == nil {
			t.Fatalf("interval %d: %v", i, err)
		}
		if h.TotalCount() != int64(100*(i+1)) || h.Tag() != "rep"+string(rune('1'+i)) {
			t.Errorf("interval %d: %d values, tag %q", i, h.TotalCount(), h.Tag())
		}
	}
	if h, _ := rd.NextIntervalHistogram(); h != nil {
		t.Error("more intervals than repetitions")
	}
	if reps[0].Tag() != "" {
		t.Error("the caller's histogram was modified")
	}
}
