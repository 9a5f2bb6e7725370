// Package perfcount opens perf_event counters on one thread, reads them over
// an interval and says why any could not be counted: the one place of
// ringbench's perf_event_open and its raw layout.
package perfcount

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Event is one counter ringbench opens on the reading thread.
type Event struct {
	Key    string // Readings key
	Name   string // perf(1)'s name, for reasons a reader can look up
	typ    uint32
	config uint64
}

// Cycles come first: the probe opens Events[0] to tell whether this
// machine has hardware counters.
var Events = []Event{
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

// Counters are perf_event counters opened on one thread of this process.
type Counters struct {
	fds []int    // per Events entry; -1 when not open (failed or closed)
	why []string // per entry, why it failed to open
	tid int
}

// Open opens, disabled, one counter per event of Events on
// thread tid. They are opened separately, not as a group, because on many
// VMs the hardware ones fail (ENOENT, EOPNOTSUPP) while the software ones
// work, and a group stands or falls as one. Each failure keeps its reason.
// tid 0 opens nothing: perf_event_open would read it as "the calling
// thread", which is not the consumer's when the consumer is not locked.
func Open(tid int) *Counters {
	c := &Counters{tid: tid, fds: make([]int, len(Events)), why: make([]string, len(Events))}
	for i, e := range Events {
		c.fds[i] = -1
		if tid == 0 {
			continue
		}
		fd, err := e.Open(tid)
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
func (e Event) Open(tid int) (int, error) {
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
	why := fmt.Errorf("perf_event_open %s: %w", e.Name, err)
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
func (c *Counters) Start() {
	for i, fd := range c.fds {
		if fd < 0 {
			continue
		}
		for _, req := range []uint{unix.PERF_EVENT_IOC_RESET, unix.PERF_EVENT_IOC_ENABLE} {
			if err := unix.IoctlSetInt(fd, req, 0); err != nil {
				c.why[i] = fmt.Sprintf("enabling %s: %v", Events[i].Name, err)
				unix.Close(fd)
				c.fds[i] = -1
				break
			}
		}
	}
}

// Readings are the counters over the window: each key of Events is
// in values or in unsupported. Both maps nil means no thread was counted
// (the consumer is not locked to one).
type Readings struct {
	Values      map[string]float64
	Unsupported map[string]string
}

// stop disables and reads every counter, closes all fds, and returns the
// values, scaled up when the counter was multiplexed.
func (c *Counters) Stop() Readings {
	if c.tid == 0 {
		return Readings{}
	}
	p := Readings{Values: map[string]float64{}, Unsupported: map[string]string{}}
	for i, e := range Events {
		fd := c.fds[i]
		if fd < 0 {
			why := c.why[i]
			if why == "" {
				why = "counter closed before it was read"
			}
			p.Unsupported[e.Key] = why
			continue
		}
		// Disable first so every counter stops at about the same moment.
		if err := unix.IoctlSetInt(fd, unix.PERF_EVENT_IOC_DISABLE, 0); err != nil {
			p.Unsupported[e.Key] = fmt.Sprintf("disabling %s: %v", e.Name, err)
			continue
		}
	}
	var buf [24]byte // value, time_enabled, time_running
	for i, e := range Events {
		fd := c.fds[i]
		if fd < 0 {
			continue
		}
		if _, done := p.Unsupported[e.Key]; done {
			continue
		}
		n, err := unix.Read(fd, buf[:])
		switch {
		case err != nil:
			p.Unsupported[e.Key] = fmt.Sprintf("reading %s: %v", e.Name, err)
		case n != len(buf):
			p.Unsupported[e.Key] = fmt.Sprintf("reading %s: %d bytes, want %d", e.Name, n, len(buf))
		default:
			if v, why := decodeReading(buf); why != "" {
				p.Unsupported[e.Key] = why
			} else {
				p.Values[e.Key] = v
			}
		}
	}
	c.Close()
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
func (c *Counters) Close() {
	for i, fd := range c.fds {
		if fd >= 0 {
			unix.Close(fd)
			c.fds[i] = -1
		}
	}
}
