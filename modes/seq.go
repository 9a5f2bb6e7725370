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
type cpuSeq struct {
	next     uint64 // one past the highest sequence number seen
	unique   uint64 // distinct sequence numbers seen
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
	switch {
	case s >= c.next:
		// In order, possibly after a hole: forget the bits that the new
		// window no longer covers, so the hole reads as unseen.
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

// SeqStats is the sequence accounting of one producer CPU.
type SeqStats struct {
	CPU        int    `json:"cpu"`
	Unique     uint64 `json:"unique"`       // distinct events received
	Holes      uint64 `json:"holes"`        // sequence numbers below the highest seen, never received
	Highest    uint64 `json:"next"`         // one past the highest sequence number seen
	Duplicates uint64 `json:"duplicates"`   // events received more than once
	OutOfOrder uint64 `json:"out_of_order"` // events received after a later one of the same CPU
}
