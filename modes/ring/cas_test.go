package ring

import (
	"encoding/binary"
	"sync"
	"testing"
)

// With nothing overwriting the ring, concurrent claimers take every record
// exactly once, DISCARD records included, and leave consumer_pos at the
// producer's: the protocol's bookkeeping is sound (run with -race, it is
// also free of data races). What it does with a live producer is claim
// C12's to decide.
func TestClaimNextConcurrent(t *testing.T) {
	const records, size = 200, 1 << 14
	f := newFakeRingbuf(size, 1<<64-512) // the positions wrap past 2^64
	for i := range records {
		p := make([]byte, 16)
		binary.NativeEndian.PutUint64(p, uint64(i))
		flags := uint32(0)
		if i%17 == 0 {
			flags = RingbufDiscardBit
		}
		f.add(p, flags)
	}
	r, err := NewRingbuf(&f.cons, &f.prod, f.data)
	if err != nil {
		t.Fatal(err)
	}
	const goroutines = 4
	got := make([][]uint64, goroutines)
	discards := make([]int, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				view, ok, err := r.ClaimNext()
				if err != nil {
					t.Error(err)
					return
				}
				if !ok {
					if r.Published()-r.ConsumerPos() == 0 {
						return
					}
					continue
				}
				if view == nil {
					discards[g]++
					continue
				}
				got[g] = append(got[g], binary.NativeEndian.Uint64(view))
			}
		}()
	}
	wg.Wait()
	seen := map[uint64]int{}
	nd := 0
	for g := range goroutines {
		for _, s := range got[g] {
			seen[s]++
		}
		nd += discards[g]
	}
	for i := range uint64(records) {
		want := 1
		if i%17 == 0 {
			want = 0
		}
		if seen[i] != want {
			t.Errorf("record %d claimed %d times, want %d", i, seen[i], want)
		}
	}
	if nd != (records+16)/17 || f.cons != f.prod {
		t.Errorf("%d discards claimed, consumer at %d, producer at %d", nd, f.cons, f.prod)
	}
}
