package loadgen

import (
	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/internal/hist"
	"ringbench/internal/window"
)

// Inline triggers from the caller's own thread, for the kernel benchmark's
// back-to-back topology (the consumer triggers the next batch after each
// drain). It measures each trigger like a producer does; there is no
// schedule, so no lag.
type Inline struct {
	w       *window.Window
	trigger func()
	r       Result
}

// NewInline returns an inline trigger; a nil trigger means getpgid(2).
func NewInline(w *window.Window, trigger func()) *Inline {
	if trigger == nil {
		trigger = getpgid
	}
	return &Inline{w: w, trigger: trigger, r: Result{Lag: hist.New(), Syscall: hist.New()}}
}

// Trigger issues one trigger and records its duration if it falls in the
// window. Call it from one goroutine only.
func (l *Inline) Trigger() { l.r.fire(l.w, l.trigger) }

// Add counts triggers issued without Trigger (by a consumer loop in C,
// which times them the same way): how many, how many in the window, and
// each window trigger's duration.
func (l *Inline) Add(triggers, windowTriggers uint64, durations *hdrhistogram.Histogram) {
	l.r.Triggers += triggers
	l.r.WindowTriggers += windowTriggers
	l.r.Syscall.Merge(durations)
}

// Result is what Trigger recorded; read it after the triggering goroutine
// has stopped.
func (l *Inline) Result() Result { return l.r }
