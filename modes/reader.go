package modes

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"

	"ringbench/bpf"
	"ringbench/internal/cpu"
)

// The reader mode is what most Go programs do: cilium/ebpf's blocking
// readers (epoll on the map or perf fds, then a copy of each record into a
// reused buffer with ReadInto). It is the real form of "blocking read()":
// read(2) on a BPF map fd is EINVAL.

// libReader adapts ringbuf.Reader and perf.Reader to one shape.
type libReader interface {
	// next reads one record into a buffer reused by the next call.
	next() (raw []byte, remaining int, lost uint64, err error)
	flush() error
	setDeadline(time.Time)
	close() error
}

var (
	errFlushed  = errors.New("flushed")
	errDeadline = os.ErrDeadlineExceeded
)

type ringbufLib struct {
	rd  *ringbuf.Reader
	rec ringbuf.Record
}

func (r *ringbufLib) next() ([]byte, int, uint64, error) {
	err := r.rd.ReadInto(&r.rec)
	if errors.Is(err, ringbuf.ErrFlushed) {
		err = errFlushed
	}
	return r.rec.RawSample, r.rec.Remaining, 0, err
}
func (r *ringbufLib) flush() error            { return r.rd.Flush() }
func (r *ringbufLib) setDeadline(t time.Time) { r.rd.SetDeadline(t) }
func (r *ringbufLib) close() error            { return r.rd.Close() }

type perfLib struct {
	rd  *perf.Reader
	rec perf.Record
}

func (r *perfLib) next() ([]byte, int, uint64, error) {
	err := r.rd.ReadInto(&r.rec)
	if errors.Is(err, perf.ErrFlushed) {
		err = errFlushed
	}
	if err == nil && r.rec.LostSamples > 0 {
		return nil, r.rec.Remaining, r.rec.LostSamples, nil
	}
	return r.rec.RawSample, r.rec.Remaining, 0, err
}
func (r *perfLib) flush() error            { return r.rd.Flush() }
func (r *perfLib) setDeadline(t time.Time) { r.rd.SetDeadline(t) }
func (r *perfLib) close() error            { return r.rd.Close() }

type reader struct {
	setup Setup
	lib   libReader
}

var _ Consumer = (*reader)(nil)

func newReader(s Setup) (Consumer, error) {
	if s.Transport == bpf.Ringbuf {
		rd, err := ringbuf.NewReader(s.Ring)
		if err != nil {
			return nil, fmt.Errorf("ringbuf reader: %w", err)
		}
		return &reader{setup: s, lib: &ringbufLib{rd: rd}}, nil
	}
	var opts perf.ReaderOptions
	switch s.Wakeup.Kind {
	case bpf.WakeupEvents:
		opts.WakeupEvents = s.Wakeup.N
	case bpf.Watermark:
		opts.Watermark = s.Wakeup.N
	}
	rd, err := perf.NewReaderWithOptions(s.Ring, s.RingBytes, opts)
	if err != nil {
		return nil, fmt.Errorf("perf reader: %w", err)
	}
	return &reader{setup: s, lib: &perfLib{rd: rd}}, nil
}

func (c *reader) Close() error { return c.lib.close() }

func (c *reader) Run(ctx context.Context, rec *Recorder) (err error) {
	tid, undo, err := cpu.LockAndPin(c.setup.CPU)
	if err != nil {
		return err
	}
	defer undo()
	rec.SetThread(tid)

	// Flush makes a blocked ReadInto return every pending record, then
	// ErrFlushed: that is the drain.
	stop, unwatch := watchStop(ctx, func() { _ = c.lib.flush() })
	defer unwatch()

	out := newCopier(c.setup, rec)
	defer func() { err = errors.Join(err, out.finish()) }()
	if c.setup.Trigger != nil {
		return c.backToBack(stop, out)
	}
	for {
		if c.setup.needsTimeout() {
			c.lib.setDeadline(time.Now().Add(c.setup.PollTimeout))
		}
		raw, remaining, lost, err := c.lib.next()
		switch {
		case err == nil && lost > 0:
			rec.AddLost(lost)
		case err == nil:
			out.take(raw, remaining)
		case errors.Is(err, errDeadline):
			out.flush()
		case err == errFlushed:
			return nil
		default:
			return fmt.Errorf("%s read: %w", c.setup.Transport, err)
		}
	}
}

// backToBack triggers a batch, reads until the ring is empty (a deadline in
// the past makes ReadInto return instead of blocking), and repeats.
func (c *reader) backToBack(stop *atomic.Bool, out *copier) error {
	c.lib.setDeadline(time.Unix(1, 0))
	for {
		done := stop.Load()
		if !done {
			c.setup.Trigger()
		}
		for {
			raw, remaining, lost, err := c.lib.next()
			if err == nil && lost > 0 {
				out.rec.AddLost(lost)
				continue
			}
			if err == nil {
				out.take(raw, remaining)
				continue
			}
			if errors.Is(err, errDeadline) || err == errFlushed {
				break
			}
			return fmt.Errorf("%s read: %w", c.setup.Transport, err)
		}
		out.flush()
		if done {
			return nil
		}
	}
}
