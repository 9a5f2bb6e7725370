package ring

import (
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Poller waits for ring fds to become readable: one epoll instance holding
// the rings (level-triggered EPOLLIN: the ringbuf map fd and perf event fds
// report readable while data is pending) and an eventfd that Wake writes, so
// a blocked wait can be ended from another goroutine.
type Poller struct {
	epfd   int
	wakefd int
	events []unix.EpollEvent
	file   *os.File // the epoll fd registered with Go's netpoller, if asked
	conn   syscall.RawConn

	// State of the netpoll wait's callback, kept here and the callback
	// built once so a wait allocates nothing (it runs once per wakeup).
	pollCheck   func(fd uintptr) bool
	pollPending func() bool
	pollErr     error
}

// NewPoller watches fds.
func NewPoller(fds []int) (_ *Poller, err error) {
	p := &Poller{epfd: -1, wakefd: -1, events: make([]unix.EpollEvent, len(fds)+1)}
	defer func() {
		if err != nil {
			p.Close()
		}
	}()
	if p.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return nil, fmt.Errorf("epoll_create1: %w", err)
	}
	if p.wakefd, err = unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK); err != nil {
		return nil, fmt.Errorf("eventfd: %w", err)
	}
	for _, fd := range append([]int{p.wakefd}, fds...) {
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}
		if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return nil, fmt.Errorf("epoll_ctl add fd %d: %w", fd, err)
		}
	}
	return p, nil
}

// Wait blocks the calling thread in epoll_wait until a ring is readable,
// Wake is called, or timeout passes (negative: no timeout). Callers drain
// every ring after it returns, so which fd was ready does not matter.
func (p *Poller) Wait(timeout time.Duration) error {
	ms := -1
	if timeout >= 0 {
		ms = int(max(timeout/time.Millisecond, 1))
	}
	for {
		_, err := unix.EpollWait(p.epfd, p.events, ms)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("epoll_wait: %w", err)
		}
		return nil
	}
}

// WaitNetpoll waits like Wait, but parks the goroutine in Go's netpoller
// instead of blocking the thread: the epoll fd is itself pollable (readable
// while any fd it watches is), so the runtime's epoll watches ours.
//
// pending is checked before parking. A perf event's poll consumes its
// readiness (kernel/events/core.c perf_poll: atomic_xchg(&rb->poll, 0)), and
// when the runtime polls our epoll fd the nested poll can eat a wakeup before
// our own epoll_wait sees it; without the check the goroutine would park
// with data in the ring until the next wakeup, or forever if none comes.
func (p *Poller) WaitNetpoll(timeout time.Duration, pending func() bool) (err error) {
	if p.file == nil {
		if err := unix.SetNonblock(p.epfd, true); err != nil {
			return err
		}
		p.file = os.NewFile(uintptr(p.epfd), "ringbench-epoll")
		if p.conn, err = p.file.SyscallConn(); err != nil {
			return err
		}
		p.pollCheck = p.checkReady
	}
	if timeout >= 0 {
		_ = p.file.SetReadDeadline(time.Now().Add(timeout))
	}
	p.pollPending = pending
	err = p.conn.Read(p.pollCheck)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return nil
	}
	if err == nil {
		err = p.pollErr
	}
	if err != nil {
		return fmt.Errorf("epoll_wait (netpoll): %w", err)
	}
	return nil
}

// checkReady is WaitNetpoll's callback: a non-blocking epoll_wait; true
// ends the Read, false parks the goroutine until the epoll fd is readable.
func (p *Poller) checkReady(fd uintptr) bool {
	n, err := unix.EpollWait(int(fd), p.events, 0)
	if errors.Is(err, unix.EINTR) {
		n, err = 0, nil // as if nothing were ready: park, or see pending
	}
	p.pollErr = err
	return n > 0 || err != nil || p.pollPending()
}

// Wake ends a current or the next wait. It is safe from any goroutine.
func (p *Poller) Wake() error {
	var one = [8]byte{1}
	_, err := unix.Write(p.wakefd, one[:])
	return err
}

// Close releases the epoll instance and the eventfd.
func (p *Poller) Close() error {
	var errs []error
	if p.file != nil {
		errs = append(errs, p.file.Close())
		p.file, p.epfd = nil, -1
	} else if p.epfd >= 0 {
		errs = append(errs, unix.Close(p.epfd))
		p.epfd = -1
	}
	if p.wakefd >= 0 {
		errs = append(errs, unix.Close(p.wakefd))
		p.wakefd = -1
	}
	return errors.Join(errs...)
}
