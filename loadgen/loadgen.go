package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"github.com/HdrHistogram/hdrhistogram-go"
	"golang.org/x/sys/unix"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/cpu"
	"ringbench/internal/hist"
	"ringbench/internal/window"
)

// Waits longer than this are slept (clock_nanosleep on an absolute deadline);
// shorter ones are spun, because a sleeping thread wakes tens of
// microseconds late on a VM. Sleeps are cut into chunks of at most
// maxSleep so cancellation is noticed within one pacing interval at any rate.
const (
	spinBelow = 50_000     // ns
	maxSleep  = 10_000_000 // ns
)

// Config describes one load.
type Config struct {
	Rate   uint64 // offered events/s, all producers together; 0 = back to back
	Batch  int    // events per trigger
	CPUs   []int  // one producer per entry; a negative entry is not pinned
	Window *window.Window
	// Trigger issues one trigger; nil means getpgid(2), the syscall the
	// producer program listens to.
	Trigger func()
	// OnThread, if set, is told each producer's OS thread once it is
	// pinned (from that producer's goroutine).
	OnThread func(tid int)
	// Start is when trigger 0 is due (CLOCK_MONOTONIC ns); 0 means now.
	// End, if not 0, is when the load stops by itself: no trigger starts
	// at or after it.
	Start, End int64
}

// Result is what the producers did.
type Result struct {
	Triggers       uint64 // all triggers issued
	WindowTriggers uint64 // triggers issued inside the measured window
	// Lag is actual − scheduled send time, for window triggers (empty when
	// back to back: there is no schedule).
	Lag *hdrhistogram.Histogram
	// Syscall is each window trigger's duration: the syscall, the producer
	// program and the wakeups it sends.
	Syscall *hdrhistogram.Histogram
	// Interval is the scheduled ns between two triggers of one producer.
	Interval int64
}

func getpgid() { bpf.Trigger() }

// Run starts the producers and returns when ctx is done and every producer
// has stopped.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Batch < 1 || len(cfg.CPUs) == 0 || cfg.Window == nil {
		return Result{}, errors.New("loadgen: need batch ≥ 1, at least one producer and a window")
	}
	trigger := cfg.Trigger
	if trigger == nil {
		trigger = getpgid
	}
	var stop atomic.Bool
	go func() { <-ctx.Done(); stop.Store(true) }()

	start := cfg.Start
	if start == 0 {
		start = clock.Now()
	}
	sched := Schedule{Start: start, Rate: cfg.Rate, Batch: uint64(cfg.Batch), Producers: uint64(len(cfg.CPUs))}
	results := make([]Result, len(cfg.CPUs))
	errs := make([]error, len(cfg.CPUs))
	var wg sync.WaitGroup
	for p, c := range cfg.CPUs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[p], errs[p] = produce(&stop, sched, uint64(p), c, cfg, trigger)
		}()
	}
	wg.Wait()

	total := Result{Lag: hist.New(), Syscall: hist.New(), Interval: sched.Interval()}
	for _, r := range results {
		total.Triggers += r.Triggers
		total.WindowTriggers += r.WindowTriggers
		if r.Lag != nil {
			total.Lag.Merge(r.Lag)
			total.Syscall.Merge(r.Syscall)
		}
	}
	return total, errors.Join(errs...)
}

func produce(stop *atomic.Bool, s Schedule, p uint64, c int, cfg Config, trigger func()) (Result, error) {
	tid, undo, err := cpu.LockAndPin(c)
	if err != nil {
		return Result{}, fmt.Errorf("producer %d: %w", p, err)
	}
	defer undo()
	if cfg.OnThread != nil && tid != 0 {
		cfg.OnThread(tid)
	}
	// The default 50 µs timer slack would add its own lag to every sleep.
	if old, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0); err == nil {
		_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
		defer unix.Prctl(unix.PR_SET_TIMERSLACK, uintptr(old), 0, 0, 0)
	}

	r := Result{Lag: hist.New(), Syscall: hist.New()}
	end := cfg.End
	if end == 0 {
		end = math.MaxInt64
	}
	// Back to back, the clock reading that ends one trigger is the one
	// that decides whether another starts.
	var last int64
	for k := uint64(0); ; k++ {
		due := s.Due(s.Slot(p, k))
		if due >= end || (s.Rate != 0 || k == 0) && !waitUntil(stop, due, end) {
			return r, nil
		}
		if s.Rate == 0 && (last >= end || stop.Load()) {
			return r, nil
		}
		t0, t1, in := r.fire(cfg.Window, trigger)
		if in && s.Rate != 0 {
			r.Lag.RecordValue(t0 - due)
		}
		last = t1
	}
}

// fire issues one trigger, counts it, and records its duration if it
// started inside w; it returns its start and end and whether it was inside.
func (r *Result) fire(w *window.Window, trigger func()) (t0, t1 int64, inWindow bool) {
	t0 = clock.Now()
	trigger()
	t1 = clock.Now()
	r.Triggers++
	if !w.Contains(t0) {
		return t0, t1, false
	}
	r.WindowTriggers++
	r.Syscall.RecordValue(t1 - t0)
	return t0, t1, true
}

// waitUntil returns at or after due, or false as soon as stop is seen or
// the clock reaches end: a producer behind its schedule fires its overdue
// triggers at once, but never after the load's end.
func waitUntil(stop *atomic.Bool, due, end int64) bool {
	for {
		if stop.Load() {
			return false
		}
		now := clock.Now()
		if now >= end {
			return false
		}
		left := due - now
		if left <= 0 {
			return true
		}
		if left > spinBelow {
			until := min(due, now+maxSleep)
			ts := unix.NsecToTimespec(until)
			_ = unix.ClockNanosleep(unix.CLOCK_MONOTONIC, unix.TIMER_ABSTIME, &ts, nil)
		}
	}
}
