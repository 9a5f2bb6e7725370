package loadgen

import (
	"context"
	"math"
	"sync/atomic"
	"testing"
	"time"

	"ringbench/internal/clock"
	"ringbench/internal/window"
)

func TestScheduleDue(t *testing.T) {
	s := Schedule{Start: 1000, Rate: 100_000, Batch: 1, Producers: 1}
	for i, want := range map[uint64]int64{0: 1000, 1: 11_000, 100_000: 1_000_001_000} {
		if got := s.Due(i); got != want {
			t.Errorf("Due(%d) = %d, want %d", i, got, want)
		}
	}
	// Batch 10 at 100k events/s is 10k triggers/s: 100 µs apart.
	s.Batch = 10
	if got := s.Due(1) - s.Due(0); got != 100_000 {
		t.Errorf("batch 10: interval %d ns, want 100000", got)
	}
	// A rate whose interval is not a whole number of ns must not drift:
	// trigger 3e6 at 3e6/s is due exactly 1 s after start.
	s = Schedule{Start: 0, Rate: 3_000_000, Batch: 1, Producers: 1}
	if got := s.Due(3_000_000); got != 1_000_000_000 {
		t.Errorf("3M/s: trigger 3e6 due at %d, want 1e9", got)
	}
	// 128-bit: i·batch·1e9 overflows 64 bits long before the result does.
	s = Schedule{Start: 0, Rate: 10_000_000, Batch: 500, Producers: 1}
	if got, want := s.Due(1<<40), int64(1<<40)*50_000; got != want {
		t.Errorf("large i: %d, want %d", got, want)
	}
	if got := (Schedule{Rate: 1, Batch: 1}).Due(math.MaxUint64); got != math.MaxInt64 {
		t.Errorf("beyond 2^64 ns: %d", got)
	}
}

func TestScheduleProducersInterleave(t *testing.T) {
	s := Schedule{Start: 0, Rate: 1000, Batch: 1, Producers: 2}
	// Producer 0 takes slots 0,2,4…; producer 1 takes 1,3,5…
	if s.Slot(0, 2) != 4 || s.Slot(1, 2) != 5 {
		t.Fatal("slots do not interleave")
	}
	if got := s.Interval(); got != 2_000_000 {
		t.Errorf("per-producer interval %d, want 2 ms", got)
	}
	if (Schedule{}).Interval() != 0 {
		t.Error("back to back has an interval")
	}
}

// With a counting trigger: every trigger is counted, window triggers are a
// subset, histograms hold one value per window trigger, and Run returns once
// cancelled even at a rate whose interval is long.
func TestRunCountsAndStops(t *testing.T) {
	for _, rate := range []uint64{0, 20_000, 1} {
		w := window.New()
		w.Open(0)
		var n atomic.Uint64
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan Result)
		go func() {
			r, err := Run(ctx, Config{Rate: rate, Batch: 1, CPUs: []int{-1, -1}, Window: w, Trigger: func() { n.Add(1) }})
			if err != nil {
				t.Error(err)
			}
			done <- r
		}()
		for n.Load() < 2 {
			time.Sleep(time.Millisecond)
		}
		cancel()
		var r Result
		select {
		case r = <-done:
		case <-time.After(30 * time.Second): // liveness bound, not a timing check
			t.Fatalf("rate %d: Run did not return after cancel", rate)
		}
		if r.Triggers != n.Load() || r.WindowTriggers != r.Triggers {
			t.Errorf("rate %d: result %d triggers (%d in window), trigger saw %d", rate, r.Triggers, r.WindowTriggers, n.Load())
		}
		if uint64(r.Syscall.TotalCount()) != r.WindowTriggers {
			t.Errorf("rate %d: %d syscall samples for %d triggers", rate, r.Syscall.TotalCount(), r.WindowTriggers)
		}
		wantLag := r.WindowTriggers
		if rate == 0 {
			wantLag = 0
		}
		if uint64(r.Lag.TotalCount()) != wantLag {
			t.Errorf("rate %d: %d lag samples, want %d", rate, r.Lag.TotalCount(), wantLag)
		}
	}
}

// A producer behind its schedule fires overdue triggers at once, but none
// starts at or after the load's end: the load stops by itself in time, not
// once the schedule has caught up.
func TestRunStopsAtEndWhenBehind(t *testing.T) {
	w := window.New()
	w.Open(0)
	start := clock.Now()
	end := start + 30_000_000 // 30 ms of a 1M/s schedule no trigger can keep
	var late, n atomic.Uint64
	slow := func() {
		if clock.Now() >= end {
			late.Add(1)
		}
		n.Add(1)
		time.Sleep(time.Millisecond)
	}
	r, err := Run(context.Background(), Config{Rate: 1_000_000, Batch: 1, CPUs: []int{-1}, Window: w,
		Trigger: slow, Start: start, End: end})
	if err != nil {
		t.Fatal(err)
	}
	if late.Load() != 0 || r.Triggers != n.Load() || r.Triggers == 0 || r.Triggers > 30 {
		t.Errorf("%d triggers (%d started after the end); a 30 ms load of 1 ms triggers has room for 30", r.Triggers, late.Load())
	}
}
