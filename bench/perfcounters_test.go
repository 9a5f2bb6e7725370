package bench

import (
	"strings"
	"testing"

	"ringbench/internal/perfcount"
)

var hardwareKeys = []string{"cycles", "instructions", "cache_references", "cache_misses", "llc_misses"}

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
		p       perfcount.Readings
		events  uint64
		want    PerfCounters
		reasons []string // Unsupported keys expected, besides none other
	}{
		{"all present", perfcount.Readings{Values: all, Unsupported: map[string]string{}}, 20, PerfCounters{
			CyclesPerEvent: f(200), InstructionsPerEvent: f(400), IPC: f(2), CacheReferencesPerEvent: f(20),
			CacheMissesPerEvent: f(2), LLCMissesPerEvent: f(1), TaskClockNsPerEvent: f(100),
			ContextSwitches: f(3), PageFaults: f(5), CPUMigrations: f(1),
		}, nil},
		{"hardware missing", perfcount.Readings{Values: noHW, Unsupported: hwWhy}, 20, PerfCounters{
			TaskClockNsPerEvent: f(100), ContextSwitches: f(3), PageFaults: f(5), CPUMigrations: f(1),
		}, []string{"cycles_per_event", "instructions_per_event", "ipc", "cache_references_per_event",
			"cache_misses_per_event", "llc_misses_per_event"}},
		{"no events", perfcount.Readings{Values: all, Unsupported: map[string]string{}}, 0, PerfCounters{
			IPC: f(2), ContextSwitches: f(3), PageFaults: f(5), CPUMigrations: f(1),
		}, []string{"cycles_per_event", "instructions_per_event", "cache_references_per_event",
			"cache_misses_per_event", "llc_misses_per_event", "task_clock_ns_per_event"}},
		{"not locked", perfcount.Open(0).Stop(), 20, PerfCounters{},
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
	fillPerf(&r, perfcount.Readings{Values: noHW, Unsupported: hwWhy}, 20)
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
	fillPerf(&r, perfcount.Readings{}, 20)
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
