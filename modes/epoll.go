package modes

import (
	"time"

	"ringbench/modes/ring"
)

// The epoll mode maps the rings itself and sleeps in epoll_wait on the
// ringbuf map fd or the per-CPU perf fds until the kernel wakes it, then
// drains everything visible. With --wait thread the OS thread blocks in
// epoll_wait; with --wait netpoll the epoll fd is handed to Go's netpoller
// and only the goroutine parks.

type epollWaiter struct {
	p *ring.Poller
	// pending is src.pending as a func, made once: a method value taken
	// from an interface allocates each time, and idle runs per wakeup.
	pending func() bool
	netpoll bool
	timeout time.Duration // negative: wait for a wakeup however long
}

var epollWaits = []string{WaitThread, WaitNetpoll}

var epollMode = Mode{Name: "epoll", Waits: epollWaits, Sleeps: true,
	Knobs: []Knob{waitKnob("thread (blocking epoll_wait on a locked thread) or netpoll (Go's netpoller)", epollWaits...)},
	New:   newEpoll, Doc: "mmap the ring and sleep in epoll_wait between drains, on a locked thread or in Go's netpoller (--wait)"}

func newEpoll(s Setup) (Consumer, error) {
	c, err := newMmap(s, func(src source) (idler, error) {
		p, err := ring.NewPoller(src.fds())
		if err != nil {
			return nil, err
		}
		w := &epollWaiter{p: p, pending: src.pending, netpoll: s.Wait == WaitNetpoll, timeout: -1}
		if s.needsTimeout() {
			w.timeout = s.PollTimeout
		}
		return w, nil
	})
	if err != nil {
		return nil, err
	}
	c.waits, c.unlocked = true, s.Wait == WaitNetpoll
	return c, nil
}

func (w *epollWaiter) idle() error {
	if w.netpoll {
		return w.p.WaitNetpoll(w.timeout, w.pending)
	}
	return w.p.Wait(w.timeout)
}

func (w *epollWaiter) wake()        { _ = w.p.Wake() }
func (w *epollWaiter) close() error { return w.p.Close() }
