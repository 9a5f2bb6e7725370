package modes

import (
	"math/rand/v2"
	"testing"
)

func track(seqs ...uint64) SeqStats {
	var c cpuSeq
	for _, s := range seqs {
		c.observe(s)
	}
	return c.stats(0)
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

// eagerSeq is the tracker as it was before its bitmap went lazy: every
// arrival writes its bit. The lazy one must agree with it on any input.
type eagerSeq struct {
	next, unique, dups, reorders uint64
	seen                         [seqWindow / 64]uint64
}

func (c *eagerSeq) bit(s uint64) (*uint64, uint64) {
	i := s % seqWindow
	return &c.seen[i/64], 1 << (i % 64)
}

func (c *eagerSeq) observe(s uint64) {
	switch {
	case s >= c.next:
		if s-c.next >= seqWindow {
			c.seen = [seqWindow / 64]uint64{}
		} else {
			for x := c.next; x < s; x++ {
				w, m := c.bit(x)
				*w &^= m
			}
		}
		w, m := c.bit(s)
		*w |= m
		c.next = s + 1
		c.unique++
	case c.next-s > seqWindow:
		c.reorders++
		c.unique++
	default:
		w, m := c.bit(s)
		if *w&m != 0 {
			c.dups++
			return
		}
		*w |= m
		c.reorders++
		c.unique++
	}
}

// Runs in order, gaps (small and wider than the window), late arrivals and
// repeats, at random: the lazy tracker counts what the eager one does.
func TestSeqTrackerMatchesEager(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 200 {
		var lazy cpuSeq
		var eager eagerSeq
		var s uint64
		for range 2000 {
			switch k := rng.IntN(100); {
			case k < 70: // in order
				s = eager.next
			case k < 80: // a gap
				s = eager.next + uint64(rng.IntN(200))
			case k < 82: // a gap wider than the window
				s = eager.next + seqWindow + uint64(rng.IntN(100))
			case k < 95 && eager.next > 0: // late or repeated, in the window
				s = eager.next - 1 - uint64(rng.IntN(int(min(eager.next, 300))))
			case eager.next > seqWindow+10: // older than the window
				s = eager.next - seqWindow - 5
			default:
				s = eager.next
			}
			lazy.observe(s)
			eager.observe(s)
		}
		got := lazy.stats(0)
		want := SeqStats{Unique: eager.unique, Highest: eager.next, Holes: eager.next - min(eager.unique, eager.next),
			Duplicates: eager.dups, OutOfOrder: eager.reorders}
		if got != want {
			t.Fatalf("trial %d: lazy %+v, eager %+v", trial, got, want)
		}
	}
}
