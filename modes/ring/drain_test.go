package ring

import (
	"bytes"
	"slices"
	"testing"
)

// batchRing is a ring under test with its fake's positions.
type batchRing struct {
	name string
	r    interface {
		DrainBatch([][]byte, func([][]byte)) (int, error)
		DrainEach(func([]byte)) (int, error)
	}
	add         func(i int) // publishes record i
	stored, end func() uint64
}

func batchRings(t *testing.T) []batchRing {
	rb := newFakeRingbuf(4096, 0)
	pf := newFakePerf(4096, 0)
	return []batchRing{
		{"ringbuf", rb.ring(t), func(i int) { rb.add(payload(i, 16), 0) },
			func() uint64 { return rb.cons }, func() uint64 { return rb.prod }},
		{"perf", pf.ring(t), func(i int) { pf.sample(payload(i, 16)) },
			func() uint64 { return pf.tail }, func() uint64 { return pf.head }},
	}
}

// DrainBatch hands records over in batches of the buffer's capacity, in
// order, drains only what was published when it started, and stores the
// position once, at the end.
func TestDrainBatch(t *testing.T) {
	for _, c := range batchRings(t) {
		for i := range 10 {
			c.add(i)
		}
		published := c.end()
		var got [][]byte
		var sizes []int
		start := c.stored()
		n, err := c.r.DrainBatch(make([][]byte, 0, 3), func(views [][]byte) {
			if c.stored() != start {
				t.Errorf("%s: position stored before the drain ended", c.name)
			}
			sizes = append(sizes, len(views))
			for _, v := range views {
				got = append(got, append([]byte(nil), v[:16]...))
			}
			if len(got) == 3 {
				c.add(99) // published during the drain: the next one's
			}
		})
		if err != nil || n != 10 || len(got) != 10 {
			t.Fatalf("%s: %d records (%d seen): %v", c.name, n, len(got), err)
		}
		for i, g := range got {
			if !bytes.Equal(g, payload(i, 16)) {
				t.Errorf("%s: record %d is %v", c.name, i, g)
			}
		}
		if !slices.Equal(sizes, []int{3, 3, 3, 1}) {
			t.Errorf("%s: batches of %v, want 3 3 3 1", c.name, sizes)
		}
		if c.stored() != published || c.end() == published {
			t.Errorf("%s: stored %d, published at the start %d, now %d", c.name, c.stored(), published, c.end())
		}
	}
}

// DrainEach stores the position after every record: while a record is
// visited, everything before it has been handed back.
func TestDrainEach(t *testing.T) {
	for _, c := range batchRings(t) {
		var positions []uint64
		for i := range 4 {
			positions = append(positions, c.end())
			c.add(i)
		}
		i := 0
		n, err := c.r.DrainEach(func([]byte) {
			if c.stored() != positions[i] {
				t.Errorf("%s: visiting record %d with the position at %d, want %d", c.name, i, c.stored(), positions[i])
			}
			i++
		})
		if err != nil || n != 4 || c.stored() != c.end() {
			t.Fatalf("%s: %d records, stored %d of %d: %v", c.name, n, c.stored(), c.end(), err)
		}
	}
}
