package modes

import (
	"errors"
	"fmt"

	"ringbench/bpf"
	"ringbench/modes/ring"
)

// source is a transport's rings mapped into this process and read in
// place. Reading and committing are separate so that views can be handed to
// another goroutine and the ring space released only once it is done.
type source interface {
	// read visits the records visible now, across all rings, without
	// committing; it stops early when visit returns false.
	read(visit func([]byte) bool) (int, error)
	// mark stores each ring's read position into marks (reused).
	mark(marks []uint64) []uint64
	// commit releases each ring up to marks.
	commit(marks []uint64)
	// drain visits everything visible now and releases what it read, once
	// per ring and only if that ring's cursor moved (skipped DISCARD and
	// LOST records move it too); with each, after every record as well.
	drain(visit func([]byte), each bool) (int, error)
	// drainBatch is drain handing process the records of a ring in batches
	// of up to cap(buf) views; each ring is released once, after its last
	// batch.
	drainBatch(buf [][]byte, process func([][]byte)) (int, error)
	// pending reports whether the producer has published beyond what was
	// read: a check of the positions, no syscall.
	pending() bool
	fds() []int
	lost() uint64
	close() error
}

func openSource(s Setup) (source, error) {
	switch s.Transport {
	case bpf.Ringbuf:
		m, err := ring.MapRingbuf(s.Ring.FD(), s.RingBytes)
		if err != nil {
			return nil, err
		}
		return &ringbufSource{m: m, fd: s.Ring.FD()}, nil
	case bpf.Sharded:
		return openShards(s)
	}
	p, err := ring.OpenPerf(s.Ring, s.CPUs, s.RingBytes, s.perfWakeup())
	if err != nil {
		return nil, err
	}
	ms := &multiSource{fdList: p.FDs(), closeFn: p.Close, lostFn: func() uint64 {
		var n uint64
		for _, c := range p.CPUs {
			n += c.Ring.Lost
		}
		return n
	}}
	for _, c := range p.CPUs {
		ms.rings = append(ms.rings, c.Ring)
	}
	return ms, nil
}

// openShards maps every ring of ringbuf-sharded.
func openShards(s Setup) (source, error) {
	var maps []*ring.RingbufMapping
	closeAll := func() error {
		var errs []error
		for _, m := range maps {
			errs = append(errs, m.Close())
		}
		return errors.Join(errs...)
	}
	ms := &multiSource{closeFn: closeAll, lostFn: func() uint64 { return 0 }}
	for i, shard := range s.Shards {
		m, err := ring.MapRingbuf(shard.FD(), s.RingBytes)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("ringbuf-sharded ring %d: %w", i, err)
		}
		maps = append(maps, m)
		ms.rings = append(ms.rings, m.Ring)
		ms.fdList = append(ms.fdList, shard.FD())
	}
	if len(ms.rings) == 0 {
		return nil, errors.New("ringbuf-sharded: no ring to read")
	}
	return ms, nil
}

type ringbufSource struct {
	m  *ring.RingbufMapping
	fd int
}

func (r *ringbufSource) read(visit func([]byte) bool) (int, error) { return r.m.Ring.Read(visit) }
func (r *ringbufSource) mark(m []uint64) []uint64                  { return append(m[:0], r.m.Ring.Cursor()) }
func (r *ringbufSource) commit(m []uint64)                         { r.m.Ring.Commit(m[0]) }
func (r *ringbufSource) drain(visit func([]byte), each bool) (int, error) {
	if each {
		return r.m.Ring.DrainEach(visit)
	}
	return r.m.Ring.Drain(visit)
}
func (r *ringbufSource) drainBatch(buf [][]byte, process func([][]byte)) (int, error) {
	return r.m.Ring.DrainBatch(buf, process)
}
func (r *ringbufSource) pending() bool { return r.m.Ring.Pending() > 0 }
func (r *ringbufSource) fds() []int    { return []int{r.fd} }
func (r *ringbufSource) lost() uint64  { return 0 }
func (r *ringbufSource) close() error  { return r.m.Close() }

// multiRing is what a multiSource needs of each of its rings: a perf ring
// or a ring buffer read in place.
type multiRing interface {
	Read(visit func([]byte) bool) (int, error)
	Cursor() uint64
	Commit(pos uint64)
	Drain(visit func([]byte)) (int, error)
	DrainEach(visit func([]byte)) (int, error)
	DrainBatch(buf [][]byte, process func([][]byte)) (int, error)
	Pending() uint64
}

var (
	_ multiRing = (*ring.PerfRing)(nil)
	_ multiRing = (*ring.Ringbuf)(nil)
)

// multiSource reads several rings round robin (perf's per-CPU rings,
// ringbuf-sharded's shards), so that one busy ring cannot starve the
// others when a reader stops early.
type multiSource struct {
	rings   []multiRing
	fdList  []int // each ring's, in order
	next    int
	full    bool
	closeFn func() error
	lostFn  func() uint64
}

func (p *multiSource) read(visit func([]byte) bool) (int, error) {
	total := 0
	p.full = false
	stopping := func(b []byte) bool {
		if !visit(b) {
			p.full = true
			return false
		}
		return true
	}
	for i := range p.rings {
		r := p.rings[(p.next+i)%len(p.rings)]
		n, err := r.Read(stopping)
		total += n
		if err != nil {
			return total, fmt.Errorf("ring %d: %w", (p.next+i)%len(p.rings), err)
		}
		if p.full {
			p.next = (p.next + i) % len(p.rings)
			return total, nil
		}
	}
	p.next = (p.next + 1) % len(p.rings)
	return total, nil
}

func (p *multiSource) mark(m []uint64) []uint64 {
	m = m[:0]
	for _, r := range p.rings {
		m = append(m, r.Cursor())
	}
	return m
}

func (p *multiSource) commit(m []uint64) {
	for i, r := range p.rings {
		r.Commit(m[i])
	}
}

func (p *multiSource) drain(visit func([]byte), each bool) (int, error) {
	return p.eachRing(func(r multiRing) (int, error) {
		if each {
			return r.DrainEach(visit)
		}
		return r.Drain(visit)
	})
}

func (p *multiSource) drainBatch(buf [][]byte, process func([][]byte)) (int, error) {
	return p.eachRing(func(r multiRing) (int, error) { return r.DrainBatch(buf, process) })
}

// eachRing drains every ring, starting one further each time.
func (p *multiSource) eachRing(drain func(multiRing) (int, error)) (int, error) {
	total := 0
	for i := range p.rings {
		k := (p.next + i) % len(p.rings)
		n, err := drain(p.rings[k])
		total += n
		if err != nil {
			return total, fmt.Errorf("ring %d: %w", k, err)
		}
	}
	p.next = (p.next + 1) % len(p.rings)
	return total, nil
}

func (p *multiSource) fds() []int   { return p.fdList }
func (p *multiSource) lost() uint64 { return p.lostFn() }
func (p *multiSource) close() error { return p.closeFn() }

func (p *multiSource) pending() bool {
	for _, r := range p.rings {
		if r.Pending() > 0 {
			return true
		}
	}
	return false
}
