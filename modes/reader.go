package modes

import (
	"context"
	"errors"
	"fmt"

	"github.com/cilium/ebpf/perf"
	"github.com/cilium/ebpf/ringbuf"

	"ringbench/bpf"
	"ringbench/internal/cpu"
)

// The reader mode is what most Go programs do: cilium/ebpf's blocking
// readers (epoll on the map or perf fds, then a copy of each record into a
// reused buffer with ReadInto). It is the real form of "blocking read()":
// read(2) on a BPF map fd is EINVAL.

type ringbufReader struct {
	rd  *ringbuf.Reader
	cpu int
}

type perfReader struct {
	rd  *perf.Reader
	cpu int
}

var (
	_ Consumer = (*ringbufReader)(nil)
	_ Consumer = (*perfReader)(nil)
)

func newReader(s Setup) (Consumer, error) {
	if s.Transport == bpf.Ringbuf {
		rd, err := ringbuf.NewReader(s.Ring)
		if err != nil {
			return nil, fmt.Errorf("ringbuf reader: %w", err)
		}
		return &ringbufReader{rd: rd, cpu: s.CPU}, nil
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
	return &perfReader{rd: rd, cpu: s.CPU}, nil
}

// flushOnDone makes a blocked reader drain and stop once ctx is done: Flush
// makes the readers return every pending record, then ErrFlushed. The
// returned func stops the watcher when Run ends first.
func flushOnDone(ctx context.Context, flush func() error) (stop func()) {
	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = flush()
		case <-done:
		}
	}()
	return func() { close(done) }
}

func (c *ringbufReader) Run(ctx context.Context, rec *Recorder) error {
	undo, err := cpu.LockAndPin(c.cpu)
	if err != nil {
		return err
	}
	defer undo()
	defer flushOnDone(ctx, c.rd.Flush)()

	var r ringbuf.Record
	for {
		err := c.rd.ReadInto(&r)
		switch {
		case err == nil:
			rec.Record(r.RawSample)
		case errors.Is(err, ringbuf.ErrFlushed):
			return nil
		default:
			return fmt.Errorf("ringbuf read: %w", err)
		}
	}
}

func (c *ringbufReader) Close() error { return c.rd.Close() }

func (c *perfReader) Run(ctx context.Context, rec *Recorder) error {
	undo, err := cpu.LockAndPin(c.cpu)
	if err != nil {
		return err
	}
	defer undo()
	defer flushOnDone(ctx, c.rd.Flush)()

	var r perf.Record
	for {
		err := c.rd.ReadInto(&r)
		switch {
		case err == nil && r.LostSamples > 0:
			rec.AddLost(r.LostSamples)
		case err == nil:
			rec.Record(r.RawSample)
		case errors.Is(err, perf.ErrFlushed):
			return nil
		default:
			return fmt.Errorf("perf read: %w", err)
		}
	}
}

func (c *perfReader) Close() error { return c.rd.Close() }
