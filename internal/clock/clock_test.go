package clock

import (
	"testing"

	"golang.org/x/sys/unix"
)

func mono(t *testing.T) int64 {
	t.Helper()
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	return ts.Nano()
}

// Now must read the same clock as clock_gettime(CLOCK_MONOTONIC): sandwiched
// between two syscall reads it can be neither earlier nor later. A process-
// relative clock (time.Now's monotonic part) would fail this by the machine's
// uptime.
func TestNowIsClockMonotonic(t *testing.T) {
	for range 1000 {
		before := mono(t)
		now := Now()
		after := mono(t)
		if now < before || now > after {
			t.Fatalf("clock.Now()=%d outside clock_gettime(CLOCK_MONOTONIC) [%d, %d]", now, before, after)
		}
	}
}

// Now runs once per event on every hot path: it must not allocate, and a
// monotonic clock never steps back.
func BenchmarkNow(b *testing.B) {
	b.ReportAllocs()
	prev := Now()
	for b.Loop() {
		now := Now()
		if now < prev {
			b.Fatalf("clock went back from %d to %d", prev, now)
		}
		prev = now
	}
}
