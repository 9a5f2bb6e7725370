package claims

import (
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"ringbench/bpf"
	"ringbench/internal/cpu"
	"ringbench/internal/format"
	"ringbench/modes/ring"
)

const c12Text = "Several goroutines can consume one mmapped ring buffer concurrently, each claiming records with an atomic compare-and-swap on the consumer position, without losing, duplicating or corrupting records, and faster than one consumer"

// c12Payload is the events' size: the header, then zeroes the producer
// copies from its scratch, which are the payload's checksum: a byte that
// is not zero was written by someone else.
const c12Payload = 64

// The experiment: a small ring, so the producer laps it often, fed in
// batches for a while per run.
const (
	c12RingBytes = 1 << 14
	c12Batch     = 16
	c12RunFor    = time.Second
)

// c12Run is what one run of consumers saw.
type c12Run struct {
	name      string
	consumers int
	// The producer's: events attempted, and those the full ring refused.
	emitted, dropped            uint64
	received, unique            uint64
	lost, duplicated, corrupted uint64
	eps                         float64 // distinct events per second
	errs                        []string
}

// runC12 runs the claim's consumers, one and several, against the same
// producer as a baseline consumer that reads a record before it hands the
// space back, and counts what each delivered.
func runC12() Result {
	r := Result{ID: "C12", Claim: c12Text}
	k := max(2, min(4, runtime.NumCPU()-1))
	r.Evidence = []string{fmt.Sprintf("one ring buffer of %d KiB, %d-byte events in batches of %d from a pinned thread of this process, %v per run, on %d CPUs (with fewer than the claimers plus one, they share CPUs with the producer); "+
		"the baseline reads each record, then hands its space back (ringbench's spin consumer); the claim's consumers are locked goroutines that claim a record by CAS on consumer_pos, then read it",
		c12RingBytes>>10, c12Payload, c12Batch, c12RunFor, runtime.NumCPU())}
	var runs []c12Run
	for _, c := range []struct {
		name string
		k    int
	}{{"baseline, read then commit", 0}, {"CAS", 1}, {"CAS", k}} {
		run, err := casRun(c.name, c.k, c12RunFor)
		if err != nil {
			r.Verdict, r.Evidence = Inconclusive, append(r.Evidence, err.Error())
			return r
		}
		runs = append(runs, run)
		r.Evidence = append(r.Evidence, run.String())
	}
	var why string
	r.Verdict, why = decideC12(runs[0], runs[1], runs[2])
	r.Evidence = append(r.Evidence, why)
	return r
}

func (c c12Run) String() string {
	s := fmt.Sprintf("%s, %d consumer(s): producer emitted %d, dropped %d (ring full); consumers received %d, distinct %d: lost %d, duplicated %d, corrupted %d; %s distinct events/s",
		c.name, max(c.consumers, 1), c.emitted, c.dropped, c.received, c.unique, c.lost, c.duplicated, c.corrupted, format.SI(c.eps))
	for _, e := range c.errs {
		s += "; " + e
	}
	return s
}

// decideC12: any event lost, duplicated or corrupted by the claim's
// consumers refutes it; a clean run holds only if it is also faster than
// one ordinary consumer. A baseline that is not clean means the test
// itself is broken.
func decideC12(base, one, many c12Run) (Verdict, string) {
	bad := func(c c12Run) bool { return c.lost+c.duplicated+c.corrupted > 0 || len(c.errs) > 0 }
	switch {
	case bad(base):
		return Inconclusive, "the baseline consumer did not account for every event, so the test cannot tell the protocol's faults from its own"
	case many.emitted <= base.emitted/10:
		return Inconclusive, "the producer emitted too little in the concurrent run to test it"
	case bad(many):
		why := fmt.Sprintf("with %d consumers events were lost, duplicated or corrupted, while the baseline lost none", many.consumers)
		if bad(one) {
			why += "; one CAS consumer alone does it too: the swap hands a record's space back to the producer before the record is read, so the producer can overwrite it mid-read"
		}
		return Refuted, why
	case many.eps > base.eps*1.05:
		return Holds, fmt.Sprintf("no event lost, duplicated or corrupted, and %d consumers got %s× the baseline's distinct events/s", many.consumers, format.Sig3(many.eps/base.eps))
	}
	return Partly, fmt.Sprintf("no event lost, duplicated or corrupted, but %d consumers got %s× the baseline's distinct events/s: not faster", many.consumers, format.Sig3(many.eps/base.eps))
}

// casRun drives the producer from a pinned thread for d while consumers
// read the ring — k claiming by CAS, or with k = 0 one baseline consumer —
// then stops the producer, lets them empty the ring, and compares what
// they received with what the producer wrote.
func casRun(name string, k int, d time.Duration) (c12Run, error) {
	const size = c12RingBytes
	p, err := bpf.Load(bpf.Options{Transport: bpf.Ringbuf, Wakeup: bpf.Wakeup{Kind: bpf.NoWakeup},
		Batch: c12Batch, Payload: c12Payload, RingBytes: size})
	if err != nil {
		return c12Run{}, fmt.Errorf("cannot load the producer: %v", err)
	}
	defer p.Close()
	m, err := ring.MapRingbuf(p.Ring().FD(), size)
	if err != nil {
		return c12Run{}, fmt.Errorf("mmap the ring: %v", err)
	}
	defer m.Close()
	online, _ := cpu.Online()

	var producing atomic.Bool
	producing.Store(true)
	goroutines := max(k, 1)
	seen := make([][]uint64, goroutines)
	corrupt := make([]uint64, goroutines)
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			// Each consumer keeps its own tally and hands it over once:
			// neighbouring elements of shared slices, written per event,
			// would share cache lines and charge the claimers for it.
			var keys []uint64
			var bad uint64
			errs[i] = consumeC12(m, k == 0, &producing, func(v []byte) {
				key, good := casEvent(v)
				if !good {
					bad++
				}
				keys = append(keys, key)
			})
			seen[i], corrupt[i] = keys, bad
		}()
	}
	start := time.Now()
	func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		if len(online) > 1 {
			if _, undo, err := cpu.LockAndPin(online[0]); err == nil {
				defer undo()
			}
		}
		for time.Since(start) < d {
			for range 64 {
				bpf.Trigger()
			}
		}
	}()
	producing.Store(false)
	elapsed := time.Since(start)
	wg.Wait()

	cnt, err := p.Counters()
	if err != nil {
		return c12Run{}, err
	}
	t := cnt.Total()
	run := c12Run{name: name, consumers: k, emitted: t.Emitted, dropped: t.Dropped}
	var all []uint64
	for i := range goroutines {
		all = append(all, seen[i]...)
		run.corrupted += corrupt[i]
		if errs[i] != nil {
			run.errs = append(run.errs, fmt.Sprintf("consumer %d: %v", i, errs[i]))
		}
	}
	run.received = uint64(len(all))
	slices.Sort(all)
	run.unique = uint64(len(slices.Compact(all)))
	run.duplicated = run.received - run.unique
	if written := run.emitted - run.dropped; written > run.unique {
		run.lost = written - run.unique
	}
	run.eps = float64(run.unique) / elapsed.Seconds()
	return run, nil
}

// consumeC12 reads until the producer has stopped and the ring is empty:
// read then commit (baseline), or the claim's CAS protocol.
func consumeC12(m *ring.RingbufMapping, baseline bool, producing *atomic.Bool, visit func([]byte)) error {
	for {
		if baseline {
			n, err := m.Ring.Drain(visit)
			if err != nil {
				return err
			}
			if n == 0 && !producing.Load() && m.Ring.Pending() == 0 {
				return nil
			}
			continue
		}
		view, ok, err := m.Ring.ClaimNext()
		switch {
		case err != nil:
			return err
		case ok && view != nil:
			visit(view)
		case !ok && !producing.Load() && m.Ring.Published() == m.Ring.ConsumerPos():
			return nil // stopped and empty
		}
	}
}

// casEvent is an event's (CPU, sequence) key, and whether the record is the
// producer's: its length, and zeroes after the header.
func casEvent(view []byte) (key uint64, good bool) {
	h, ok := bpf.ParseEventHeader(view)
	if !ok || len(view) != c12Payload {
		return 1<<63 | uint64(len(view)), false
	}
	good = h.Len == c12Payload
	for _, b := range view[bpf.EventHeaderSize:] {
		good = good && b == 0
	}
	return uint64(h.CPU)<<48 | h.Seq&(1<<48-1), good
}
