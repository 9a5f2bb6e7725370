package bench

// fillGo turns the window's runtime/metrics delta into per-event figures.
func fillGo(r *Run, d GoDelta, events uint64) {
	f := func(v uint64) *float64 { x := float64(v); return &x }
	per := func(v uint64) *float64 { return ratio(float64(v), events) }
	g := &r.Go
	g.GCCycles, g.SchedEvents, g.Goroutines = f(d.GCCycles), f(d.SchedEvents), f(d.Goroutines)
	g.GOMAXPROCS = f(uint64(d.GOMAXPROCS))
	gogc := float64(d.GOGC)
	g.GOGC = &gogc
	g.AllocBytesPerEvent, g.AllocsPerEvent = per(d.AllocBytes), per(d.AllocObjects)
	g.SchedEventsPerEvent = per(d.SchedEvents)
	g.SchedLatencyP99Ns, g.SchedLatencyMaxNs = d.SchedLatencyP99Ns, d.SchedLatencyMaxNs
	if g.SchedLatencyP99Ns == nil {
		r.Unsupported["go.sched_latency_p99_ns"] = "no goroutine was made runnable in the window"
		r.Unsupported["go.sched_latency_max_ns"] = r.Unsupported["go.sched_latency_p99_ns"]
	}
	if d.GCPauses == nil {
		r.Unsupported["go.gc_pause"] = "this Go runtime has no GC pause distribution metric"
		return
	}
	g.GCPauses = f(d.GCPauseCount)
	g.GCPauseP99Ns, g.GCPauseMaxNs, g.GCPauseTotalNs = d.GCPauseP99Ns, d.GCPauseMaxNs, d.GCPauseTotalNs
	if d.GCPauseCount == 0 {
		why := "no GC pause in the window"
		r.Unsupported["go.gc_pause_p99_ns"], r.Unsupported["go.gc_pause_max_ns"] = why, why
	}
}
