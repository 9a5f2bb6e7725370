package modes

// seqWindow is how far back, per CPU, the tracker can tell a late event from
// a duplicate: it remembers which of the last seqWindow sequence numbers it
// has seen. Older arrivals are counted as out of order (they cannot be told
// apart from duplicates any more) — with per-CPU rings or a single ring fed in
// per-CPU order, such reordering is itself a defect worth seeing.
const seqWindow = 1 << 16

// cpuSeq tracks one producer CPU's sequence numbers. The producer assigns
// them per emit attempt starting at 0, so a dropped event leaves a hole and
// holes = dropped on every CPU once the run is drained.
//
// The in-order arrival, once per event, writes only next: the distinct
// count is derived (next − open holes) rather than kept, and the bitmap is
// written lazily — numbers that arrived in order since it was last written
// (from settled up to next) are all seen, and settle sets their bits in
// whole words when another kind of arrival needs the bitmap.
type cpuSeq struct {
	next     uint64 // one past the highest sequence number seen
	settled  uint64 // the bitmap is exact below this; [settled, next) arrived in order
	open     int64  // numbers below next not (yet) seen; negative after too-old arrivals
	dups     uint64
	reorders uint64
	seen     [seqWindow / 64]uint64 // bit s%seqWindow: s seen, for s in [next-seqWindow, next)
}

func (c *cpuSeq) bit(s uint64) (word *uint64, mask uint64) {
	i := s % seqWindow
	return &c.seen[i/64], 1 << (i % 64)
}

// observe records one arrival of sequence number s.
func (c *cpuSeq) observe(s uint64) {
	if s != c.next {
		c.observeOther(s)
		return
	}
	c.next = s + 1
}

// settle writes the bits of the numbers that arrived in order since the
// bitmap was last exact: all seen.
func (c *cpuSeq) settle() {
	a, b := c.settled, c.next
	c.settled = b
	if b-a >= seqWindow {
		for i := range c.seen {
			c.seen[i] = ^uint64(0)
		}
		return
	}
	for a < b {
		i := a % seqWindow
		lo := i % 64
		n := min(64-lo, b-a)
		c.seen[i/64] |= (1<<n - 1) << lo // n = 64 wraps to all ones
		a += n
	}
}

// observeOther is every arrival but the next number: after a hole, late, or
// again. It needs the bitmap exact (settle), and leaves it so.
func (c *cpuSeq) observeOther(s uint64) {
	c.settle()
	switch {
	case s >= c.next:
		// In order after a hole: forget the bits that the new window no
		// longer covers, so the hole reads as unseen.
		if s-c.next >= seqWindow {
			c.seen = [seqWindow / 64]uint64{}
		} else {
			for x := c.next; x < s; x++ {
				w, m := c.bit(x)
				*w &^= m
			}
		}
		c.open += int64(s - c.next)
		w, m := c.bit(s)
		*w |= m
		c.next = s + 1
		c.settled = c.next // only this case moves next
	case c.next-s > seqWindow:
		// Too old to tell from a duplicate: counted as a late arrival that
		// fills a hole.
		c.reorders++
		c.open--
	default:
		w, m := c.bit(s)
		if *w&m != 0 {
			c.dups++
			return
		}
		*w |= m
		c.reorders++
		c.open--
	}
}

// unique is how many distinct numbers arrived.
func (c *cpuSeq) unique() uint64 { return uint64(int64(c.next) - c.open) }

// arrivals is how many events arrived, duplicates included.
func (c *cpuSeq) arrivals() uint64 { return c.unique() + c.dups }

// SeqStats is the sequence accounting of one producer CPU.
type SeqStats struct {
	CPU        int    `json:"cpu"`
	Unique     uint64 `json:"unique"`       // distinct events received
	Holes      uint64 `json:"holes"`        // sequence numbers below the highest seen, never received
	Highest    uint64 `json:"next"`         // one past the highest sequence number seen
	Duplicates uint64 `json:"duplicates"`   // events received more than once
	OutOfOrder uint64 `json:"out_of_order"` // events received after a later one of the same CPU
}

func (c *cpuSeq) stats(cpu int) SeqStats {
	u := c.unique()
	return SeqStats{CPU: cpu, Unique: u, Highest: c.next, Holes: c.next - min(u, c.next),
		Duplicates: c.dups, OutOfOrder: c.reorders}
}
