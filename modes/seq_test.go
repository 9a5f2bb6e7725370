package modes

import "testing"

func track(seqs ...uint64) SeqStats {
	var c cpuSeq
	for _, s := range seqs {
		c.observe(s)
	}
	return SeqStats{Unique: c.unique, Highest: c.next, Holes: c.next - min(c.unique, c.next), Duplicates: c.dups, OutOfOrder: c.reorders}
}

func TestSeqTracker(t *testing.T) {
	for _, tc := range []struct {
		name string
		seqs []uint64
		want SeqStats
	}{
		{"in order", []uint64{0, 1, 2, 3}, SeqStats{Unique: 4, Highest: 4}},
		{"gap", []uint64{0, 1, 4, 5}, SeqStats{Unique: 4, Highest: 6, Holes: 2}},
		{"leading drops", []uint64{3, 4}, SeqStats{Unique: 2, Highest: 5, Holes: 3}},
		{"duplicate", []uint64{0, 1, 1, 2}, SeqStats{Unique: 3, Highest: 3, Duplicates: 1}},
		{"duplicate of older", []uint64{0, 1, 2, 0}, SeqStats{Unique: 3, Highest: 3, Duplicates: 1}},
		{"reordered", []uint64{0, 2, 1, 3}, SeqStats{Unique: 4, Highest: 4, OutOfOrder: 1}},
		{"late then duplicate", []uint64{0, 2, 1, 1}, SeqStats{Unique: 3, Highest: 3, OutOfOrder: 1, Duplicates: 1}},
		{"hole wider than window", []uint64{0, seqWindow * 3, 5}, SeqStats{Unique: 3, Highest: seqWindow*3 + 1, Holes: seqWindow*3 - 2, OutOfOrder: 1}},
	} {
		if got := track(tc.seqs...); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// A hole that the window has moved past must not be mistaken for a seen
// number when the bitmap wraps: 0..W-1 seen except 5, then W+5 arrives (same
// bit as 5), then 5 arrives late.
func TestSeqTrackerWrap(t *testing.T) {
	var c cpuSeq
	for s := uint64(0); s < seqWindow; s++ {
		if s != 5 {
			c.observe(s)
		}
	}
	c.observe(seqWindow + 5) // skips W..W+4, reuses bit 5
	c.observe(seqWindow + 1) // late, in window
	c.observe(seqWindow + 1) // duplicate
	if c.dups != 1 || c.reorders != 1 {
		t.Fatalf("dups %d reorders %d, want 1 and 1", c.dups, c.reorders)
	}
}
