package modes

import (
	"context"
	"errors"
	"fmt"

	"ringbench/internal/cpu"
	"ringbench/modes/ring"
)

// idler is what an mmap mode does when a drain found nothing: spin modes
// back off, epoll modes wait for a wakeup.
type idler interface {
	idle() error
	// wake ends an idle early, from another goroutine.
	wake()
	close() error
}

// mmapConsumer is the loop shared by the spin and epoll modes: drain what
// is visible, idle when there is nothing, and after cancellation drain
// until the rings are empty.
type mmapConsumer struct {
	setup Setup
	src   source
	idler idler
	// waits: the idler sleeps until data is ready (epoll). In the
	// back-to-back topology such a mode still waits after each trigger
	// (the wait returns at once when data is there), as the kernel
	// benchmark's consumers do; a spinning mode just drains.
	waits bool
	// unlocked: the mode parks its goroutine in the netpoller, which a
	// goroutine locked to its thread cannot do without blocking the thread.
	unlocked bool
}

var _ Consumer = (*mmapConsumer)(nil)

func newMmap(s Setup, makeIdler func(source) (idler, error)) (_ *mmapConsumer, err error) {
	src, err := openSource(s)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			src.close()
		}
	}()
	id, err := makeIdler(src)
	if err != nil {
		return nil, err
	}
	return &mmapConsumer{setup: s, src: src, idler: id}, nil
}

func (c *mmapConsumer) Run(ctx context.Context, rec *Recorder) (err error) {
	if !c.unlocked {
		tid, undo, err := cpu.LockAndPin(c.setup.CPU)
		if err != nil {
			return err
		}
		defer undo()
		rec.SetThread(tid)
	}

	stop, unwatch := watchStop(ctx, c.idler.wake)
	defer unwatch()

	d := newDeliverer(c.setup, c.src, rec, c.waits)
	defer func() {
		err = errors.Join(err, d.finish())
		rec.AddLost(c.src.lost())
	}()
	for !stop.Load() {
		if c.setup.Trigger != nil {
			c.setup.Trigger()
			if c.waits {
				if err := c.idler.idle(); err != nil {
					return err
				}
			}
		}
		n, err := d.drain()
		if err != nil {
			return corrupt(err)
		}
		if n == 0 && c.setup.Trigger == nil {
			if err := c.idler.idle(); err != nil {
				return err
			}
		}
	}
	// The runner stops the load before cancelling us: what is in the
	// rings now is all there will be.
	for {
		n, err := d.drain()
		if err != nil {
			return corrupt(err)
		}
		if n == 0 {
			return nil
		}
	}
}

func corrupt(err error) error {
	if errors.Is(err, ring.ErrCorrupt) {
		return fmt.Errorf("stopping: %w", err)
	}
	return err
}

func (c *mmapConsumer) Close() error { return errors.Join(c.idler.close(), c.src.close()) }
