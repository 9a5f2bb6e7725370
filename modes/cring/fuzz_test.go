package cring_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"ringbench/internal/hist"
	"ringbench/internal/window"
	"ringbench/modes/cring"
	"ringbench/modes/ring"
)

const fuzzSize = 256

// FuzzCDrain gives the C parsers arbitrary ring contents and positions and
// holds them to modes/ring's Go parsers, which have their own fuzz targets:
// the same records visited, the same position after, corruption found in
// the same places, the same LOST and DISCARD counts. The C side reads a
// copy in C memory, so a read outside the ring shows under ASan or as a
// crash, not as a quiet disagreement.
func FuzzCDrain(f *testing.F) {
	sample := func(b []byte, at int, size uint16, raw uint32) {
		binary.NativeEndian.PutUint32(b[at:], ring.PerfRecordSample)
		binary.NativeEndian.PutUint16(b[at+6:], size)
		binary.NativeEndian.PutUint32(b[at+8:], raw)
	}
	perf := make([]byte, fuzzSize)
	sample(perf, 0, 40, 28)
	sample(perf, 40, 40, 28)
	f.Add(true, perf, uint64(0), uint64(80))
	f.Add(true, perf, uint64(1<<64-40), uint64(80))
	rb := make([]byte, fuzzSize)
	binary.NativeEndian.PutUint32(rb, 24)
	binary.NativeEndian.PutUint32(rb[32:], 24|ring.RingbufDiscardBit)
	binary.NativeEndian.PutUint32(rb[64:], 24|ring.RingbufBusyBit)
	f.Add(false, rb, uint64(0), uint64(96))
	f.Add(false, rb, uint64(1<<64-32), uint64(96))
	f.Add(false, []byte{}, uint64(8), uint64(1<<20))

	f.Fuzz(func(t *testing.T, perf bool, contents []byte, pos, span uint64) {
		if cring.Unavailable != "" {
			t.Skip(cring.Unavailable)
		}
		data := make([]byte, fuzzSize)
		copy(data, contents)
		goData := data
		if !perf { // a ring buffer's data area is mapped twice
			goData = append(append([]byte(nil), data...), data...)
		}
		tail, head := pos, pos+span
		var goVisits int
		var goErr error
		var lost, discarded uint64
		if perf {
			r, err := ring.NewPerfRing(&head, &tail, append([]byte(nil), goData...))
			if err != nil {
				t.Fatal(err)
			}
			_, goErr = r.Drain(func([]byte) { goVisits++ })
			lost = r.Lost
		} else {
			r, err := ring.NewRingbuf(&tail, &head, append([]byte(nil), goData...))
			if err != nil {
				return // a consumer position the kernel never has
			}
			_, goErr = r.Drain(func([]byte) { goVisits++ })
			discarded = r.Discarded
		}

		w := window.New()
		rec, err := cring.NewRecorder(4, len(hist.NewCounts().Raw()), false, false)
		if err != nil {
			t.Fatal(err)
		}
		defer rec.Free()
		cPos, cErr := cring.Drain(perf, goData, fuzzSize, pos, head, rec, w)
		res := rec.Result()
		cVisits := res.Counters.Malformed
		for _, s := range res.Seqs {
			cVisits += uint64(int64(s.Next)-s.Open) + s.Dups
		}
		if (goErr != nil) != (cErr != nil) || (goErr != nil && !errors.Is(goErr, ring.ErrCorrupt)) {
			t.Fatalf("Go: %v; C: %v", goErr, cErr)
		}
		if cPos != tail || cVisits != uint64(goVisits) || res.Counters.Lost != lost || res.Counters.Discarded != discarded {
			t.Fatalf("position Go %d C %d; records Go %d C %d; lost Go %d C %d; discarded Go %d C %d",
				tail, cPos, goVisits, cVisits, lost, res.Counters.Lost, discarded, res.Counters.Discarded)
		}
	})
}
