package modes

import (
	"context"
	"testing"
	"time"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/window"
)

// scriptedLib plays a library reader: each step is a record with that many
// bytes left behind it, or, if negative, a read that timed out.
type scriptedLib struct {
	steps     []int
	buf       []byte
	deadlines int
}

func (l *scriptedLib) next() ([]byte, int, uint64, error) {
	if len(l.steps) == 0 {
		return nil, 0, 0, errFlushed
	}
	s := l.steps[0]
	l.steps = l.steps[1:]
	if s < 0 {
		return nil, 0, 0, errDeadline
	}
	return event(l.buf, 0, clock.Now(), 0), s, 0, nil
}
func (l *scriptedLib) flush() error          { return nil }
func (l *scriptedLib) setDeadline(time.Time) { l.deadlines++ }
func (l *scriptedLib) close() error          { return nil }

// With a policy that may not wake, the reader sets a deadline only before a
// read that may block — the first, and each after an empty ring or a
// timeout — not before every record.
func TestReaderDeadlineOnlyWhenEmpty(t *testing.T) {
	lib := &scriptedLib{steps: []int{128, 64, 0, -1, 64, 0, 0}, buf: make([]byte, 64)}
	c := &reader{lib: lib, setup: Setup{CPU: -1, Wakeup: bpf.Wakeup{Kind: bpf.NoWakeup}, PollTimeout: time.Millisecond}}
	rec := NewRecorder(1, window.New(), RecorderOptions{})
	if err := c.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	// Before the first read, and after each of 0, -1, 0, 0.
	if lib.deadlines != 5 || rec.Counts().Consumed != 6 {
		t.Fatalf("%d deadlines, %d records; want 5 and 6", lib.deadlines, rec.Counts().Consumed)
	}
}

// compactLib hands out n compact events, each with records left behind it
// until the last: a ring the producer never lets empty.
type compactLib struct {
	scriptedLib
	seq, n uint64
}

func (l *compactLib) next() ([]byte, int, uint64, error) {
	if l.seq == l.n {
		return nil, 0, 0, errFlushed
	}
	bpf.PutCompactEvent(l.buf, 0, l.seq)
	l.seq++
	return l.buf, int(l.n - l.seq), 0, nil
}

// A pass lasts at most passViews records, even when the ring never empties,
// so that every record is timed (or, without timestamps, placed in the
// window) against a reading of its own pass.
func TestReaderPassesBounded(t *testing.T) {
	lib := &compactLib{scriptedLib: scriptedLib{buf: make([]byte, bpf.CompactEventSize)}, n: 2*passViews + 10}
	c := &reader{lib: lib, setup: Setup{CPU: -1}}
	w := window.New()
	w.Open(0)
	rec := NewRecorder(1, w, RecorderOptions{NoTimestamps: true})
	if err := c.Run(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if got := rec.Counts(); got.Consumed != lib.n || got.Measured != lib.n || got.ClockReads != 3 {
		t.Fatalf("consumed %d, measured %d, %d clock readings; want %d, %d and 3 passes", got.Consumed, got.Measured, got.ClockReads, lib.n, lib.n)
	}
}
