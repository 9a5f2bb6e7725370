package perfcount

import (
	"encoding/binary"
	"os"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var hardwareKeys = []string{"cycles", "instructions", "cache_references", "cache_misses", "llc_misses"}

// openHere opens the counters on the calling thread, which the caller has
// locked, and skips when even task-clock cannot be opened (non-root under a
// strict perf_event_paranoid, or a kernel without perf events).
func openHere(t *testing.T) *Counters {
	t.Helper()
	c := Open(unix.Gettid())
	for i, e := range Events {
		if e.Key == "task_clock_ns" && c.fds[i] < 0 {
			c.Close()
			t.Skipf("task-clock unavailable: %s", c.why[i])
		}
	}
	return c
}

// Counting this very thread while it burns CPU: task-clock must see the
// burn, and never more than the wall time it took.
func TestPerfCountersOnThisThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c := openHere(t)
	t0 := time.Now()
	c.Start()
	// Burn 20 ms of this thread's CPU time, not of wall time, so a loaded
	// machine stretches the test instead of failing the lower bound.
	cpu0 := threadCPU(t)
	x := 0
	for threadCPU(t)-cpu0 < 20*time.Millisecond && time.Since(t0) < 5*time.Second {
		for i := range 10_000 {
			x += i
		}
	}
	_ = x
	p := c.Stop()
	wall := time.Since(t0)

	for _, e := range Events {
		if v, ok := p.Values[e.Key]; ok {
			t.Logf("%s = %.0f", e.Key, v)
		} else {
			t.Logf("%s unsupported: %s", e.Key, p.Unsupported[e.Key])
		}
	}
	tc, ok := p.Values["task_clock_ns"]
	if !ok {
		t.Fatalf("task-clock opened but not read: %s", p.Unsupported["task_clock_ns"])
	}
	if tc <= 5e6 || tc > float64(wall+2*time.Millisecond) {
		t.Errorf("task_clock_ns %.0f, want in (5e6, wall %d + 2 ms]", tc, wall)
	}
	for _, k := range hardwareKeys {
		_, hasV := p.Values[k]
		why, hasWhy := p.Unsupported[k]
		if hasV == hasWhy {
			t.Errorf("%s: value %v, reason %v (%q); want exactly one", k, hasV, hasWhy, why)
		}
	}
}

func threadCPU(t *testing.T) time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ts.Nano())
}

func TestPerfDecodeReading(t *testing.T) {
	rec := func(v, enabled, running uint64) (b [24]byte) {
		binary.NativeEndian.PutUint64(b[0:], v)
		binary.NativeEndian.PutUint64(b[8:], enabled)
		binary.NativeEndian.PutUint64(b[16:], running)
		return b
	}
	if v, why := decodeReading(rec(100, 50, 50)); v != 100 || why != "" {
		t.Errorf("full run: %v %q", v, why)
	}
	if v, why := decodeReading(rec(100, 100, 25)); v != 400 || why != "" {
		t.Errorf("multiplexed a quarter of the time: %v %q, want 400", v, why)
	}
	if _, why := decodeReading(rec(0, 100, 0)); why != "never scheduled on a CPU (multiplexing)" {
		t.Errorf("never ran: %q", why)
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip(err)
	}
	return len(ents)
}

// close must be harmless after stop and twice, and stop must leave no fd
// behind: a benchmark opens counters for every repetition.
func TestPerfCountersRelease(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	before := openFDs(t)
	c := openHere(t)
	if opened := openFDs(t) - before; opened == 0 {
		t.Fatal("no fd opened although task-clock opens")
	}
	c.Start()
	c.Stop()
	c.Close()
	c.Close()
	if after := openFDs(t); after != before {
		t.Fatalf("%d fds before open, %d after stop", before, after)
	}
	// Reading again after close reports, rather than reads a reused fd.
	if p := c.Stop(); len(p.Values) != 0 || len(p.Unsupported) != len(Events) {
		t.Errorf("stop after close: %v %v", p.Values, p.Unsupported)
	}
}
