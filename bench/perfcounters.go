package bench

import "ringbench/internal/perfcount"

const notLocked = "the consumer is not locked to one OS thread"

// fillPerf writes the readings into r.Perf: per event consumed in the
// window, except IPC and the software totals, and the reason for every null
// figure under r.Unsupported.
func fillPerf(r *Run, p perfcount.Readings, events uint64) {
	if r.Unsupported == nil {
		r.Unsupported = map[string]string{}
	}
	pc := &r.Perf
	figures := []struct {
		key, json string
		field     **float64
		perEvent  bool
	}{
		{"cycles", "cycles_per_event", &pc.CyclesPerEvent, true},
		{"instructions", "instructions_per_event", &pc.InstructionsPerEvent, true},
		{"cache_references", "cache_references_per_event", &pc.CacheReferencesPerEvent, true},
		{"cache_misses", "cache_misses_per_event", &pc.CacheMissesPerEvent, true},
		{"llc_misses", "llc_misses_per_event", &pc.LLCMissesPerEvent, true},
		{"task_clock_ns", "task_clock_ns_per_event", &pc.TaskClockNsPerEvent, true},
		{"context_switches", "context_switches", &pc.ContextSwitches, false},
		{"page_faults", "page_faults", &pc.PageFaults, false},
		{"cpu_migrations", "cpu_migrations", &pc.CPUMigrations, false},
	}
	if p.Values == nil && p.Unsupported == nil {
		for _, f := range figures {
			r.Unsupported["perf."+f.json] = notLocked
		}
		r.Unsupported["perf.ipc"] = notLocked
		return
	}
	for _, f := range figures {
		v, ok := p.Values[f.key]
		switch {
		case !ok:
			why := p.Unsupported[f.key]
			if why == "" {
				why = "not read"
			}
			r.Unsupported["perf."+f.json] = why
		case f.perEvent && events == 0:
			r.Unsupported["perf."+f.json] = "no event consumed in the window"
		case f.perEvent:
			x := v / float64(events)
			*f.field = &x
		default:
			x := v
			*f.field = &x
		}
	}
	// IPC needs no events, only both counters, so it survives an empty window.
	cyc, okc := p.Values["cycles"]
	ins, oki := p.Values["instructions"]
	switch {
	case !okc:
		r.Unsupported["perf.ipc"] = "no cycles: " + r.Unsupported["perf.cycles_per_event"]
	case !oki:
		r.Unsupported["perf.ipc"] = "no instructions: " + r.Unsupported["perf.instructions_per_event"]
	case cyc == 0:
		r.Unsupported["perf.ipc"] = "no cycles counted in the window"
	default:
		ipc := ins / cyc
		pc.IPC = &ipc
	}
}
