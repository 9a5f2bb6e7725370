package modes

import (
	"context"
	"os"
	"time"

	"ringbench/bpf"
	"ringbench/internal/cpu"
	"ringbench/internal/hist"
	"ringbench/internal/window"
	"ringbench/modes/cring"
	"ringbench/modes/ring"
	"ringbench/schema"
)

// The C modes: what the same consumer costs without Go. c-mmap is the spin
// and epoll modes' loop in C; libbpf is what a tool that reads through
// libbpf by cgo pays (libbpfgo's way, without the channel it adds). Both
// record in C with the Go Recorder's rules and hand their counts back.

var cmmapWaits = []string{WaitSpin, WaitEpoll}

var cmmapMode = Mode{Name: "c-mmap", New: newCMmap, InC: true, Unavailable: cring.Unavailable, Cost: cCost,
	Waits: cmmapWaits, Polls: []string{WaitSpin},
	GoTwin: func(wait string) string {
		if wait == WaitEpoll {
			return schema.ModeLabel("epoll", WaitThread)
		}
		return "spin"
	},
	Knobs: []Knob{waitKnob("spin (poll in a loop) or epoll (epoll_wait on the locked thread)", cmmapWaits...)},
	Doc:   "the spin/epoll modes' mmap loop written in C (the kernel benchmark's rb-custom/pb-custom), on a locked thread (--wait spin|epoll)"}

var libbpfMode = Mode{Name: "libbpf", New: newLibbpf, InC: true, Sleeps: true, OwnCommit: CommitRecord,
	GoTwin:      func(string) string { return "reader" },
	Unavailable: cring.Unavailable, Cost: cCost,
	Doc: "libbpf's ring_buffer__poll / perf_buffer__poll through cgo, on a locked thread"}

// The C side keeps the sequence trackers in modes' layout.
const _ = uint(cring.SeqWindow-seqWindow) + uint(seqWindow-cring.SeqWindow)

// cConsumer runs a C loop on a locked, pinned thread with a C recorder,
// and merges what it recorded into the Recorder afterwards.
type cConsumer struct {
	setup Setup
	run   func(ctx context.Context, r *cring.Recorder, w *window.Window) error
	close func() error // c-mmap's mappings, or libbpf's buffers
}

func (c *cConsumer) Run(ctx context.Context, rec *Recorder) error {
	tid, undo, err := cpu.LockAndPin(c.setup.CPU)
	if err != nil {
		return err
	}
	defer undo()
	rec.SetThread(tid)
	cr, err := cring.NewRecorder(len(rec.seq), len(rec.latency.Raw()), rec.perEvent, rec.opts.NoTimestamps)
	if err != nil {
		return err
	}
	defer cr.Free()
	err = c.run(ctx, cr, rec.window)
	res := cr.Result()
	rec.merge(res)
	if c.setup.Triggered != nil {
		t := hist.NewCounts()
		add(t.Raw(), res.Trigger.Counts)
		c.setup.Triggered(res.Trigger.Triggers, res.Trigger.WindowTriggers, t.Histogram())
	}
	return err
}

func (c *cConsumer) Close() error { return c.close() }

func newCMmap(s Setup) (Consumer, error) {
	src, err := openSource(s)
	if err != nil {
		return nil, err
	}
	m := cring.Mmap{Perf: s.Transport == bpf.Perfbuf, Epoll: s.Wait == WaitEpoll, CommitRecord: s.Commit == CommitRecord,
		B2B: s.Trigger != nil, TriggerNr: bpf.TriggerSyscall, TimeoutMs: -1}
	if s.needsTimeout() {
		m.TimeoutMs = ms(s.PollTimeout)
	}
	switch src := src.(type) {
	case *ringbufSource:
		pos, prod, data := src.m.Ring.Shared()
		m.Rings = []cring.Ring{{Pos: pos, Head: prod, Data: data, Size: src.m.Ring.Size(), FD: src.fd}}
	case *multiSource:
		for i, r := range src.rings {
			var g cring.Ring
			switch r := r.(type) {
			case *ring.PerfRing:
				g.Pos, g.Head, g.Data = r.Shared()
				g.Size = len(g.Data)
			case *ring.Ringbuf:
				g.Pos, g.Head, g.Data = r.Shared()
				g.Size = r.Size()
			}
			g.FD = src.fdList[i]
			m.Rings = append(m.Rings, g)
		}
	}
	return &cConsumer{setup: s, close: src.close, run: func(ctx context.Context, r *cring.Recorder, w *window.Window) error {
		return cring.RunMmap(ctx, m, r, w)
	}}, nil
}

// libbpfStopPoll bounds each poll when no wakeup may be due, so a stop is
// seen within it: libbpf's epoll set has no room for a wake-up fd of ours.
const libbpfStopPoll = 50 * time.Millisecond

func newLibbpf(s Setup) (Consumer, error) {
	l := cring.Lib{Perf: s.Transport == bpf.Perfbuf, PageCnt: s.RingBytes / os.Getpagesize(),
		TimeoutMs: ms(libbpfStopPoll)}
	if s.needsTimeout() {
		l.TimeoutMs = ms(min(s.PollTimeout, libbpfStopPoll))
	}
	if s.Transport == bpf.Sharded {
		for _, r := range s.Shards {
			l.MapFDs = append(l.MapFDs, r.FD())
		}
	} else {
		l.MapFDs = []int{s.Ring.FD()}
	}
	if l.Perf {
		l.CPUs = s.CPUs
		w := s.perfWakeup()
		l.WakeupEvents, l.Watermark = w.Events, w.Watermark
	}
	lb, err := cring.OpenLibbpf(l)
	if err != nil {
		return nil, err
	}
	return &cConsumer{setup: s, close: lb.Close, run: func(ctx context.Context, r *cring.Recorder, w *window.Window) error {
		return lb.Run(ctx, r, w, s.Trigger != nil, bpf.TriggerSyscall)
	}}, nil
}

// ms is d in whole milliseconds, at least one.
func ms(d time.Duration) int { return int(max((d+time.Millisecond-1)/time.Millisecond, 1)) }

func add(into, from []int64) {
	for i, n := range from {
		into[i] += n
	}
}

// merge takes what a C recorder recorded, as if this Recorder had.
func (r *Recorder) merge(res cring.Result) {
	var batched uint64
	for i, s := range res.Seqs {
		r.seq[i] = cpuSeq{next: s.Next, settled: s.Settled, open: s.Open, dups: s.Dups, reorders: s.Reorders, seen: s.Seen}
		batched += r.seq[i].arrivals() // every C event costs the C recorder's EventNs
	}
	c := res.Counters
	r.addFrom(res.Counts, res.EventLen, c.TooSlow, c.InWindow, RecorderCounts{Malformed: c.Malformed, Negative: c.Negative,
		ClockReads: c.ClockReads, Restamps: c.Restamps, Lost: c.Lost, Batched: batched})
}

// addFrom adds another recorder's histogram and counts to r: the part of
// a merge that is a sum.
func (r *Recorder) addFrom(counts []int64, eventLen uint32, tooSlow, inWin uint64, c RecorderCounts) {
	add(r.latency.Raw(), counts)
	if r.eventLen == 0 {
		r.eventLen = eventLen
	}
	r.c.Malformed += c.Malformed
	r.c.Negative += c.Negative
	r.c.ClockReads += c.ClockReads
	r.c.Restamps += c.Restamps
	r.c.Lost += c.Lost
	r.c.Batched += c.Batched
	r.tooSlow += tooSlow
	r.inWin += inWin
}

// cCost is MeasureRecorderCost for the C recorder: a pass of one event,
// and each event of a pass of costPass (C records both ways alike).
func cCost(d time.Duration, payload int, o RecorderOptions) RecorderCost {
	size := max(payload, bpf.EventHeaderSize)
	if o.NoTimestamps {
		size = bpf.CompactEventSize
	}
	r, err := cring.NewRecorder(1, len(hist.NewCounts().Raw()), o.Clock == ClockPerEvent, o.NoTimestamps)
	if err != nil {
		return RecorderCost{}
	}
	defer r.Free()
	w := window.New()
	w.Open(0)
	overhead := clockReadNs()
	pass := max(r.TimeRecord(w, size, 1, int64(d/2))-overhead, 0)
	event := max(r.TimeRecord(w, size, costPass, int64(d/2))-overhead/costPass, 0)
	return RecorderCost{PassNs: pass, EventNs: event, SingleNs: event}
}
