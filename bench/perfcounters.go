package bench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// perfEvent is one counter ringbench opens on the reading thread.
type perfEvent struct {
	key    string // perfReadings key
	name   string // perf(1)'s name, for reasons a reader can look up
	typ    uint32
	config uint64
}

// Cycles come first: the probe opens perfEvents[0] to tell whether this
// machine has hardware counters.
var perfEvents = []perfEvent{
	{"cycles", "cycles", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CPU_CYCLES},
	{"instructions", "instructions", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_INSTRUCTIONS},
	{"cache_references", "cache-references", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CACHE_REFERENCES},
	{"cache_misses", "cache-misses", unix.PERF_TYPE_HARDWARE, unix.PERF_COUNT_HW_CACHE_MISSES},
	{"llc_misses", "LLC-load-misses", unix.PERF_TYPE_HW_CACHE, unix.PERF_COUNT_HW_CACHE_LL |
		unix.PERF_COUNT_HW_CACHE_OP_READ<<8 | unix.PERF_COUNT_HW_CACHE_RESULT_MISS<<16},
	{"task_clock_ns", "task-clock", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_TASK_CLOCK},
	{"context_switches", "context-switches", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CONTEXT_SWITCHES},
	{"page_faults", "page-faults", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_PAGE_FAULTS},
	{"cpu_migrations", "cpu-migrations", unix.PERF_TYPE_SOFTWARE, unix.PERF_COUNT_SW_CPU_MIGRATIONS},
}

const notLocked = "the consumer is not locked to one OS thread"

// threadCounters are perf_event counters opened on one thread of this process.
type threadCounters struct {
	fds []int    // per perfEvents entry; -1 when not open (failed or closed)
	why []string // per entry, why it failed to open
	tid int
}

// openThreadCounters opens, disabled, one counter per event of perfEvents on
// thread tid. They are opened separately, not as a group, because on many
// VMs the hardware ones fail (ENOENT, EOPNOTSUPP) while the software ones
// work, and a group stands or falls as one. Each failure keeps its reason.
// tid 0 opens nothing: perf_event_open would read it as "the calling
// thread", which is not the consumer's when the consumer is not locked.
func openThreadCounters(tid int) *threadCounters {
	c := &threadCounters{tid: tid, fds: make([]int, len(perfEvents)), why: make([]string, len(perfEvents))}
	for i, e := range perfEvents {
		c.fds[i] = -1
		if tid == 0 {
			continue
		}
		fd, err := e.open(tid)
		if err != nil {
			c.why[i] = err.Error()
			continue
		}
		c.fds[i] = fd
	}
	return c
}

// open opens e, disabled, on thread tid (0: the calling thread). The error
// says why in terms a reader can act on.
func (e perfEvent) open(tid int) (int, error) {
	attr := unix.PerfEventAttr{
		Type:   e.typ,
		Config: e.config,
		Bits:   unix.PerfBitDisabled,
		// Hardware counters outnumbering the PMU's slots are
		// multiplexed; the two times let stop scale them.
		Read_format: unix.PERF_FORMAT_TOTAL_TIME_ENABLED | unix.PERF_FORMAT_TOTAL_TIME_RUNNING,
	}
	attr.Size = uint32(unsafe.Sizeof(attr))
	fd, err := unix.PerfEventOpen(&attr, tid, -1, -1, unix.PERF_FLAG_FD_CLOEXEC)
	if err == nil {
		return fd, nil
	}
	why := fmt.Errorf("perf_event_open %s: %w", e.name, err)
	switch {
	case e.typ != unix.PERF_TYPE_SOFTWARE && (errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EOPNOTSUPP)):
		return -1, fmt.Errorf("no hardware counters on this machine: %w", why)
	case errors.Is(err, unix.EACCES) || errors.Is(err, unix.EPERM):
		return -1, fmt.Errorf("%w (see /proc/sys/kernel/perf_event_paranoid)", why)
	}
	return -1, why
}

// start resets and enables every opened counter. A counter that fails to
// start is closed, so stop reports it instead of a partial count.
func (c *threadCounters) start() {
	for i, fd := range c.fds {
		if fd < 0 {
			continue
		}
		for _, req := range []uint{unix.PERF_EVENT_IOC_RESET, unix.PERF_EVENT_IOC_ENABLE} {
			if err := unix.IoctlSetInt(fd, req, 0); err != nil {
				c.why[i] = fmt.Sprintf("enabling %s: %v", perfEvents[i].name, err)
				unix.Close(fd)
				c.fds[i] = -1
				break
			}
		}
	}
}

// perfReadings are the counters over the window: each key of perfEvents is
// in values or in unsupported. Both maps nil means no thread was counted
// (the consumer is not locked to one).
type perfReadings struct {
	values      map[string]float64
	unsupported map[string]string
}

// stop disables and reads every counter, closes all fds, and returns the
// values, scaled up when the counter was multiplexed.
func (c *threadCounters) stop() perfReadings {
	if c.tid == 0 {
		return perfReadings{}
	}
	p := perfReadings{values: map[string]float64{}, unsupported: map[string]string{}}
	for i, e := range perfEvents {
		fd := c.fds[i]
		if fd < 0 {
			why := c.why[i]
			if why == "" {
				why = "counter closed before it was read"
			}
			p.unsupported[e.key] = why
			continue
		}
		// Disable first so every counter stops at about the same moment.
		if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_DISABLE, 0); err != nil {
			p.unsupported[e.key] = fmt.Sprintf("disabling %s: %v", e.name, err)
			continue
		}
	}
	var buf [24]byte // value, time_enabled, time_running
	for i, e := range perfEvents {
		fd := c.fds[i]
		if fd < 0 {
			continue
		}
		if _, done := p.unsupported[e.key]; done {
			continue
		}
		n, err := unix.Read(fd, buf[:])
		switch {
		case err != nil:
			p.unsupported[e.key] = fmt.Sprintf("reading %s: %v", e.name, err)
		case n != len(buf):
			p.unsupported[e.key] = fmt.Sprintf("reading %s: %d bytes, want %d", e.name, n, len(buf))
		default:
			if v, why := decodeReading(buf); why != "" {
				p.unsupported[e.key] = why
			} else {
				p.values[e.key] = v
			}
		}
	}
	c.close()
	return p
}

// decodeReading scales a read_format TOTAL_TIME_ENABLED|TOTAL_TIME_RUNNING
// record: a counter that ran for part of the time it was enabled is
// extrapolated as perf(1) does; one that never ran has no estimate.
func decodeReading(b [24]byte) (float64, string) {
	v := binary.NativeEndian.Uint64(b[0:])
	enabled := binary.NativeEndian.Uint64(b[8:])
	running := binary.NativeEndian.Uint64(b[16:])
	if running == 0 {
		return 0, "never scheduled on a CPU (multiplexing)"
	}
	if running < enabled {
		return float64(v) * float64(enabled) / float64(running), ""
	}
	return float64(v), ""
}

// close releases fds without reading (for error paths); safe after stop
// and twice.
func (c *threadCounters) close() {
	for i, fd := range c.fds {
		if fd >= 0 {
			unix.Close(fd)
			c.fds[i] = -1
		}
	}
}

// fillPerf writes the readings into r.Perf: per event consumed in the
// window, except IPC and the software totals, and the reason for every null
// figure under r.Unsupported.
func fillPerf(r *Run, p perfReadings, events uint64) {
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
	if p.values == nil && p.unsupported == nil {
		for _, f := range figures {
			r.Unsupported["perf."+f.json] = notLocked
		}
		r.Unsupported["perf.ipc"] = notLocked
		return
	}
	for _, f := range figures {
		v, ok := p.values[f.key]
		switch {
		case !ok:
			why := p.unsupported[f.key]
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
	cyc, okc := p.values["cycles"]
	ins, oki := p.values["instructions"]
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
