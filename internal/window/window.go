// Package window holds the measured window of a scenario: the interval of
// CLOCK_MONOTONIC time, after warm-up and before drain, that figures cover.
// The runner opens and closes it; the load generator and the recorders ask,
// per event, whether a timestamp falls inside it. The bounds are atomics so
// those hot-path checks take no lock.
package window

import (
	"math"
	"sync/atomic"
)

// Window is [start, end) in CLOCK_MONOTONIC nanoseconds. The zero value is
// not usable; call New.
type Window struct {
	start, end atomic.Int64
}

// New returns a window that is not open yet: it contains nothing.
func New() *Window {
	w := &Window{}
	w.start.Store(math.MaxInt64)
	w.end.Store(math.MaxInt64)
	return w
}

// Open starts the window at t.
func (w *Window) Open(t int64) { w.start.Store(t) }

// Close ends the window at t.
func (w *Window) Close(t int64) { w.end.Store(t) }

// Contains reports whether t lies in the window.
func (w *Window) Contains(t int64) bool {
	return t >= w.start.Load() && t < w.end.Load()
}

// Bounds returns start and end; end is math.MaxInt64 while open.
func (w *Window) Bounds() (start, end int64) { return w.start.Load(), w.end.Load() }

// Seconds is the window's length, or 0 if it was never closed.
func (w *Window) Seconds() float64 {
	s, e := w.Bounds()
	if s == math.MaxInt64 || e == math.MaxInt64 {
		return 0
	}
	return float64(e-s) / 1e9
}
