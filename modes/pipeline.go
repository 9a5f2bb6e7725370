package modes

import (
	"fmt"
	"runtime"

	"ringbench/modes/ring"
)

// batchesInFlight is how many batches a channel delivery circulates: the
// reading goroutine fills one while the worker records others.
const batchesInFlight = 4

// pipeline circulates a fixed set of batches between the reading goroutine
// and one worker goroutine over Go channels: fill, send, the worker
// processes, the batch comes back, reuse. With one worker and FIFO channels
// batches come back in the order they were sent, which is what lets the mmap
// modes release ring space per returned batch. Nothing is allocated after
// construction.
type pipeline[B any] struct {
	cur        B
	free       []B
	full, done chan B
	inFlight   int
	returned   func(B) // on the reading goroutine, for each batch back
}

func newPipeline[B any](batches []B, work, returned func(B)) *pipeline[B] {
	p := &pipeline[B]{
		cur: batches[0], free: batches[1:], returned: returned,
		full: make(chan B, len(batches)), done: make(chan B, len(batches)),
	}
	go func() {
		for b := range p.full {
			work(b)
			p.done <- b
		}
		close(p.done)
	}()
	return p
}

// send hands the current batch to the worker and makes a free one current,
// waiting for the worker if none is free (back-pressure).
func (p *pipeline[B]) send() {
	p.full <- p.cur
	p.inFlight++
	if len(p.free) == 0 {
		p.awaitOne()
	}
	p.cur, p.free = p.free[len(p.free)-1], p.free[:len(p.free)-1]
	p.reap()
}

// reap takes back the batches the worker has finished, without waiting.
func (p *pipeline[B]) reap() {
	for {
		select {
		case b := <-p.done:
			p.back(b)
		default:
			return
		}
	}
}

// awaitPolls bounds how long awaitOne polls before it yields: awaitPolls
// PAUSEs and channel checks, some tens of µs. A worker records a batch in
// about a µs per 30 events; giving up the thread at once costs scheduler
// syscalls per batch (a futex wait and wake when it parked: 3–4× the
// syscalls/event of inline epoll at 100k events/s on 2 CPUs, against
// 1.1–1.3× polling first). The polling is the mode's cost and is counted
// in its CPU figures.
const awaitPolls = 1024

// awaitOne waits for the worker to hand one batch back; call it only with
// batches in flight. It never blocks on the channel. A reading thread
// parked there is readied by the worker's send, and the runtime starts a
// readied locked goroutine on the waker's P with the rest of the waker's
// time slice: the two then hand that P back and forth and sysmon never
// sees a slice run long enough to preempt, so every other goroutine
// queued there — the scenario's main goroutine among them — starved for
// seconds on 2 CPUs. Yielding instead (runtime.Gosched) puts the reader at
// the back of the global run queue: everything queued before it runs
// first, and no goroutine ever wakes it.
func (p *pipeline[B]) awaitOne() {
	for i := 0; ; i++ {
		select {
		case b := <-p.done:
			p.back(b)
			return
		default:
		}
		if i < awaitPolls {
			ring.Pause()
		} else {
			runtime.Gosched()
		}
	}
}

func (p *pipeline[B]) back(b B) {
	p.returned(b)
	p.inFlight--
	p.free = append(p.free, b)
}

// finish stops the worker once it has processed everything sent.
func (p *pipeline[B]) finish() error {
	close(p.full)
	for b := range p.done {
		p.back(b)
	}
	if p.inFlight != 0 {
		return fmt.Errorf("channel delivery: %d batches never came back", p.inFlight)
	}
	return nil
}
