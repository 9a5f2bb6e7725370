package claims

import (
	"encoding/binary"
	"fmt"
	"os"
	"runtime"
	"sync/atomic"

	"ringbench/bpf"
	"ringbench/modes/ring"
)

// The producer the experiments drive: smallest events, one per trigger.
func loadRingbufProducer(ringBytes int) (*bpf.Producer, error) {
	return bpf.Load(bpf.Options{Transport: bpf.Ringbuf, Wakeup: bpf.Wakeup{Kind: bpf.NoWakeup},
		Batch: 1, Payload: bpf.EventHeaderSize, RingBytes: ringBytes})
}

// emitRecords triggers n events on this thread and returns how many the
// producer emitted and dropped.
func emitRecords(p *bpf.Producer, n int) (emitted, dropped uint64, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for range n {
		bpf.Trigger()
	}
	c, err := p.Counters()
	if err != nil {
		return 0, 0, err
	}
	t := c.Total()
	return t.Emitted, t.Dropped, nil
}

const c3Text = "A ringbuf can be consumed through one read-only mmap of the map fd from offset 0 of max_entries bytes, producer position in bytes 0–3, consumer position in bytes 4–7"

// runC3 is the claim's consumer, built as written: it maps the ring as the
// claim says and reads the positions where the claim says they are, then
// compares them with where the kernel really keeps them (the layout of
// kernel/bpf/ringbuf.c, read through the mapping ring.MapRingbuf makes).
func runC3() Result {
	r := Result{ID: "C3", Claim: c3Text}
	const size, records = 1 << 14, 10
	p, err := loadRingbufProducer(size)
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, []string{"cannot load the producer: " + err.Error()}
		return r
	}
	defer p.Close()
	fd := p.Ring().FD()

	claimed, unmap, mapErr := ring.TryMap(fd, 0, size, false)
	r.Evidence = append(r.Evidence, fmt.Sprintf("mmap(ringbuf fd, offset 0, %d bytes, PROT_READ) → %s", size, errnoText(mapErr)))
	defer unmap()
	_, unmapW, wErr := ring.TryMap(fd, 0, size, true)
	unmapW()
	r.Evidence = append(r.Evidence, fmt.Sprintf("mmap(ringbuf fd, offset 0, %d bytes, PROT_READ|PROT_WRITE) → %s", size, errnoText(wErr)))

	emitted, _, err := emitRecords(p, records)
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, append(r.Evidence, err.Error())
		return r
	}
	real, err := ring.MapRingbuf(fd, size)
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, append(r.Evidence, "cannot map the ring the kernel's way: "+err.Error())
		return r
	}
	defer real.Close()
	prod := real.Ring.Cursor() + real.Ring.Pending()
	cons := real.Ring.Cursor()
	record := uint64(ring.RingbufHeaderSize + bpf.EventHeaderSize)
	r.Evidence = append(r.Evidence, fmt.Sprintf("after %d events of %d bytes: the kernel's producer_pos (page 1) = %d, consumer_pos (page 0) = %d", emitted, record, prod, cons))
	if mapErr != nil {
		r.Verdict = Refuted
		r.Evidence = append(r.Evidence, "the mapping the claim describes cannot be made")
		return r
	}
	if prod == 0 {
		r.Verdict = Inconclusive
		r.Evidence = append(r.Evidence, "no record reached the ring: with both positions 0 the bytes cannot tell where each is kept")
		return r
	}
	at0 := binary.NativeEndian.Uint32(claimed[0:4])
	at4 := binary.NativeEndian.Uint32(claimed[4:8])
	r.Evidence = append(r.Evidence, fmt.Sprintf("the claim's mapping: bytes 0–3 = %d (claimed producer position), bytes 4–7 = %d (claimed consumer position)", at0, at4))
	okProd := uint64(at0) == prod&0xffffffff && prod != 0
	okCons := uint64(at4) == cons&0xffffffff
	r.Verdict = decideC3(okProd, okCons, wErr == nil)
	if !okProd {
		r.Evidence = append(r.Evidence, fmt.Sprintf("bytes 0–7 hold the 64-bit consumer_pos (%d), page 0; producer_pos is the first word of page 1 (offset %d); data starts at page 2, mapped twice", cons, os.Getpagesize()))
	}
	if wErr != nil {
		r.Evidence = append(r.Evidence, "a consumer must write consumer_pos, which needs page 0 mapped writable on its own: a writable mapping past page 0 is refused")
	}
	return r
}

// decideC3: the claim holds only if both positions are where it says and
// the consumer can write its own; the producer position is the claim's
// core.
func decideC3(prodWhereClaimed, consWhereClaimed, writable bool) Verdict {
	switch {
	case prodWhereClaimed && consWhereClaimed && writable:
		return Holds
	case !prodWhereClaimed:
		return Refuted
	}
	return Partly
}

const c5Text = "A consumer that maps the ringbuf read-only and never writes the consumer position can keep up with the producer"

// runC5 runs the claim's consumer: it reads every record the producer
// publishes but never writes consumer_pos, for a bounded number of events
// (four ring capacities), and counts what the producer drops.
func runC5() Result {
	r := Result{ID: "C5", Claim: c5Text}
	const size = 1 << 14
	p, err := loadRingbufProducer(size)
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, []string{"cannot load the producer: " + err.Error()}
		return r
	}
	defer p.Close()
	m, err := ring.MapRingbufReadOnly(p.Ring().FD(), size)
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, []string{"mmap the ring with a read-only consumer page: " + errnoText(err)}
		return r
	}
	defer m.Close()
	rd := m.Ring
	record := ring.RingbufHeaderSize + bpf.EventHeaderSize
	// __bpf_ringbuf_reserve refuses a record that would put producer −
	// consumer above size − 1 (kernel/bpf/ringbuf.c), so a full ring holds
	// one record fewer than size/record when records tile it exactly.
	capacity := (size - 1) / record
	var read atomic.Uint64
	emitted, dropped := uint64(0), uint64(0)
	for range 4 {
		if emitted, dropped, err = emitRecords(p, capacity); err != nil {
			break
		}
		// Read everything visible, as the claim's consumer would; it
		// never calls Commit, so consumer_pos stays where it was.
		n, _ := rd.Read(func([]byte) bool { return true })
		read.Add(uint64(n))
	}
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, []string{err.Error()}
		return r
	}
	cons := m.Ring.ConsumerPos()
	r.Evidence = []string{
		fmt.Sprintf("ring of %d bytes, records of %d bytes: at most %d fit (producer − consumer stays below the ring size); %d events triggered in 4 rounds, the consumer reading after each", size, record, capacity, 4*capacity),
		fmt.Sprintf("producer: emitted %d, dropped %d (failed bpf_ringbuf_reserve); consumer read %d; consumer_pos still %d", emitted, dropped, read.Load(), cons),
	}
	r.Verdict = decideC5(emitted, dropped, uint64(capacity))
	switch r.Verdict {
	case Inconclusive:
		r.Evidence = append(r.Evidence, "the producer saw no more events than one ring holds, so the consumer was never put to the test")
	case Refuted:
		r.Evidence = append(r.Evidence, "the kernel frees ring space only when consumer_pos advances: once one ring's worth was written, every reserve failed")
	case Partly:
		r.Evidence = append(r.Evidence, "some events were dropped, but more than a ring's worth got through")
	}
	return r
}

// decideC5: keeping up means no drop; a consumer that never frees space
// gets at most one ring's worth through. Fewer events than a ring holds
// show neither.
func decideC5(emitted, dropped, capacity uint64) Verdict {
	switch {
	case emitted <= capacity:
		return Inconclusive
	case dropped == 0:
		return Holds
	case emitted-dropped <= capacity:
		return Refuted
	}
	return Partly
}
