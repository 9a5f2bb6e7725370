package bench

import (
	"encoding/binary"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var hardwareKeys = []string{"cycles", "instructions", "cache_references", "cache_misses", "llc_misses"}

// openHere opens the counters on the calling thread, which the caller has
// locked, and skips when even task-clock cannot be opened (non-root under a
// strict perf_event_paranoid, or a kernel without perf events).
func openHere(t *testing.T) *threadCounters {
	t.Helper()
	c := openThreadCounters(unix.Gettid())
	for i, e := range perfEvents {
		if e.key == "task_clock_ns" && c.fds[i] < 0 {
			c.close()
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
	c.start()
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
	p := c.stop()
	wall := time.Since(t0)

	for _, e := range perfEvents {
		if v, ok := p.values[e.key]; ok {
			t.Logf("%s = %.0f", e.key, v)
		} else {
			t.Logf("%s unsupported: %s", e.key, p.unsupported[e.key])
		}
	}
	tc, ok := p.values["task_clock_ns"]
	if !ok {
		t.Fatalf("task-clock opened but not read: %s", p.unsupported["task_clock_ns"])
	}
	if tc <= 5e6 || tc > float64(wall+2*time.Millisecond) {
		t.Errorf("task_clock_ns %.0f, want in (5e6, wall %d + 2 ms]", tc, wall)
	}
	for _, k := range hardwareKeys {
		_, hasV := p.values[k]
		why, hasWhy := p.unsupported[k]
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

func TestFillPerf(t *testing.T) {
	all := map[string]float64{
		"cycles": 4000, "instructions": 8000, "cache_references": 400, "cache_misses": 40,
		"llc_misses": 20, "task_clock_ns": 2000, "context_switches": 3, "page_faults": 5, "cpu_migrations": 1,
	}
	noHW := map[string]float64{"task_clock_ns": 2000, "context_switches": 3, "page_faults": 5, "cpu_migrations": 1}
	hwWhy := map[string]string{}
	for _, k := range hardwareKeys {
		hwWhy[k] = "no hardware counters on this machine: perf_event_open " + k + ": no such file or directory"
	}
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		name    string
		p       perfReadings
		events  uint64
		want    PerfCounters
		reasons []string // Unsupported keys expected, besides none other
	}{
		{"all present", perfReadings{values: all, unsupported: map[string]string{}}, 20, PerfCounters{
			CyclesPerEvent: f(200), InstructionsPerEvent: f(400), IPC: f(2), CacheReferencesPerEvent: f(20),
			CacheMissesPerEvent: f(2), LLCMissesPerEvent: f(1), TaskClockNsPerEvent: f(100),
			ContextSwitches: f(3), PageFaults: f(5), CPUMigrations: f(1),
		}, nil},
		{"hardware missing", perfReadings{values: noHW, unsupported: hwWhy}, 20, PerfCounters{
			TaskClockNsPerEvent: f(100), ContextSwitches: f(3), PageFaults: f(5), CPUMigrations: f(1),
		}, []string{"cycles_per_event", "instructions_per_event", "ipc", "cache_references_per_event",
			"cache_misses_per_event", "llc_misses_per_event"}},
		{"no events", perfReadings{values: all, unsupported: map[string]string{}}, 0, PerfCounters{
			IPC: f(2), ContextSwitches: f(3), PageFaults: f(5), CPUMigrations: f(1),
		}, []string{"cycles_per_event", "instructions_per_event", "cache_references_per_event",
			"cache_misses_per_event", "llc_misses_per_event", "task_clock_ns_per_event"}},
		{"not locked", openThreadCounters(0).stop(), 20, PerfCounters{},
			[]string{"cycles_per_event", "instructions_per_event", "ipc", "cache_references_per_event",
				"cache_misses_per_event", "llc_misses_per_event", "task_clock_ns_per_event",
				"context_switches", "page_faults", "cpu_migrations"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := Run{Unsupported: map[string]string{}}
			fillPerf(&r, tc.p, tc.events)
			checkPerf(t, r.Perf, tc.want)
			if len(r.Unsupported) != len(tc.reasons) {
				t.Errorf("unsupported %v, want keys %v", r.Unsupported, tc.reasons)
			}
			for _, k := range tc.reasons {
				if r.Unsupported["perf."+k] == "" {
					t.Errorf("no reason for perf.%s", k)
				}
			}
		})
	}

	r := Run{}
	fillPerf(&r, perfReadings{values: noHW, unsupported: hwWhy}, 20)
	if got := r.Unsupported["perf.cycles_per_event"]; got != hwWhy["cycles"] {
		t.Errorf("cycles reason %q, want the open error's", got)
	}
	if got := r.Unsupported["perf.ipc"]; !strings.Contains(got, "no such file") {
		t.Errorf("ipc reason %q does not say why cycles are missing", got)
	}
	if got := r.Unsupported["perf.context_switches"]; got != "" {
		t.Errorf("context switches marked unsupported: %q", got)
	}
	r = Run{Unsupported: map[string]string{}}
	fillPerf(&r, perfReadings{}, 20)
	if got := r.Unsupported["perf.task_clock_ns_per_event"]; got != notLocked {
		t.Errorf("unlocked consumer reason %q", got)
	}
}

func checkPerf(t *testing.T, got, want PerfCounters) {
	t.Helper()
	pairs := []struct {
		name string
		g, w *float64
	}{
		{"cycles", got.CyclesPerEvent, want.CyclesPerEvent},
		{"instructions", got.InstructionsPerEvent, want.InstructionsPerEvent},
		{"ipc", got.IPC, want.IPC},
		{"cache_references", got.CacheReferencesPerEvent, want.CacheReferencesPerEvent},
		{"cache_misses", got.CacheMissesPerEvent, want.CacheMissesPerEvent},
		{"llc_misses", got.LLCMissesPerEvent, want.LLCMissesPerEvent},
		{"task_clock", got.TaskClockNsPerEvent, want.TaskClockNsPerEvent},
		{"context_switches", got.ContextSwitches, want.ContextSwitches},
		{"page_faults", got.PageFaults, want.PageFaults},
		{"cpu_migrations", got.CPUMigrations, want.CPUMigrations},
	}
	for _, p := range pairs {
		switch {
		case p.g == nil && p.w == nil:
		case p.g == nil || p.w == nil:
			t.Errorf("%s: got %v, want %v", p.name, p.g, p.w)
		case *p.g != *p.w:
			t.Errorf("%s: got %v, want %v", p.name, *p.g, *p.w)
		}
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
	c.start()
	c.stop()
	c.close()
	c.close()
	if after := openFDs(t); after != before {
		t.Fatalf("%d fds before open, %d after stop", before, after)
	}
	// Reading again after close reports, rather than reads a reused fd.
	if p := c.stop(); len(p.values) != 0 || len(p.unsupported) != len(perfEvents) {
		t.Errorf("stop after close: %v %v", p.values, p.unsupported)
	}
}
