package modes

import (
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
	if s.Transport == bpf.Ringbuf {
		m, err := ring.MapRingbuf(s.Ring.FD(), s.RingBytes)
		if err != nil {
			return nil, err
		}
		return &ringbufSource{m: m, fd: s.Ring.FD()}, nil
	}
	p, err := ring.OpenPerf(s.Ring, s.CPUs, s.RingBytes, s.perfWakeup())
	if err != nil {
		return nil, err
	}
	ps := &perfSource{bufs: p}
	for _, c := range p.CPUs {
		ps.rings = append(ps.rings, c.Ring)
	}
	return ps, nil
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

// perfSource reads the per-CPU rings round robin, so that one busy CPU
// cannot starve the others when a reader stops early.
type perfSource struct {
	bufs  *ring.PerfBuffers
	rings []*ring.PerfRing
	next  int
	full  bool
}

func (p *perfSource) read(visit func([]byte) bool) (int, error) {
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
			return total, fmt.Errorf("perf ring: %w", err)
		}
		if p.full {
			p.next = (p.next + i) % len(p.rings)
			return total, nil
		}
	}
	p.next = (p.next + 1) % len(p.rings)
	return total, nil
}

func (p *perfSource) mark(m []uint64) []uint64 {
	m = m[:0]
	for _, r := range p.rings {
		m = append(m, r.Cursor())
	}
	return m
}

func (p *perfSource) commit(m []uint64) {
	for i, r := range p.rings {
		r.Commit(m[i])
	}
}

func (p *perfSource) drain(visit func([]byte), each bool) (int, error) {
	return p.eachRing(func(r *ring.PerfRing) (int, error) {
		if each {
			return r.DrainEach(visit)
		}
		return r.Drain(visit)
	})
}

func (p *perfSource) drainBatch(buf [][]byte, process func([][]byte)) (int, error) {
	return p.eachRing(func(r *ring.PerfRing) (int, error) { return r.DrainBatch(buf, process) })
}

// eachRing drains every ring, starting one further each time.
func (p *perfSource) eachRing(drain func(*ring.PerfRing) (int, error)) (int, error) {
	total := 0
	for i := range p.rings {
		n, err := drain(p.rings[(p.next+i)%len(p.rings)])
		total += n
		if err != nil {
			return total, fmt.Errorf("perf ring: %w", err)
		}
	}
	p.next = (p.next + 1) % len(p.rings)
	return total, nil
}

func (p *perfSource) fds() []int { return p.bufs.FDs() }

func (p *perfSource) pending() bool {
	for _, r := range p.rings {
		if r.Pending() > 0 {
			return true
		}
	}
	return false
}

func (p *perfSource) lost() uint64 {
	var n uint64
	for _, r := range p.rings {
		n += r.Lost
	}
	return n
}

func (p *perfSource) close() error { return p.bufs.Close() }
