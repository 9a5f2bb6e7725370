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

var readerMode = Mode{Name: "reader", Sleeps: true, OwnCommit: CommitRecord, OneRing: true, New: newReader,
	Doc: "cilium/ebpf's ringbuf.Reader or perf.Reader, blocking Read calls on a locked thread"}

func newReader(s Setup) (Consumer, error) {
	if s.Transport == bpf.Ringbuf {
		rd, err := ringbuf.NewReader(s.Ring)
		if err != nil {
			return nil, fmt.Errorf("ringbuf reader: %w", err)
		}
		return &reader{setup: s, lib: &ringbufLib{rd: rd}}, nil
	}
	w := s.perfWakeup()
	rd, err := perf.NewReaderWithOptions(s.Ring, s.RingBytes, perf.ReaderOptions{WakeupEvents: w.Events, Watermark: w.Watermark})
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
	// A deadline matters only to a read that may block, so it is set after a
	// read that left the ring empty (or failed), not before every record: the
	// clock read and the reader's mutex would otherwise be per-event costs the
	// library itself does not have.
	//
	// A pass — the records timed against one clock reading — begins with
	// a read that may block; the sink ends it after passViews records, so
	// that a ring the producer never lets empty still gets fresh readings.
	mayBlock := true
	for {
		if mayBlock && c.setup.needsTimeout() {
			c.lib.setDeadline(time.Now().Add(c.setup.PollTimeout))
		}
		remaining, err := c.step(out, mayBlock)
		mayBlock = err != nil || remaining == 0
		switch {
		case err == nil:
		case errors.Is(err, errDeadline):
			out.flush()
		case err == errFlushed:
			return nil
		default:
			return fmt.Errorf("%s read: %w", c.setup.Transport, err)
		}
	}
}

// step reads one record and hands it on: a sample to out, a perf LOST
// count to the recorder.
// first says the read starts a pass: the one before it found the ring
// empty (or this one may block), so what it returns and what follows up to
// the next empty ring became visible together.
func (c *reader) step(out *copier, first bool) (remaining int, err error) {
	if first {
		out.beginPass()
	}
	raw, remaining, lost, err := c.lib.next()
	switch {
	case err != nil:
	case lost > 0:
		out.rec.AddLost(lost)
	default:
		out.take(raw, remaining)
	}
	return remaining, err
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
		for first := true; ; first = false {
			_, err := c.step(out, first)
			if err == nil {
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
