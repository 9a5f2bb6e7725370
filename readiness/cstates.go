package readiness

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"

	"ringbench/internal/cpulist"
	"ringbench/schema"
)

// maxExitLatencyUs is the deepest C-state exit a perf box keeps: a wakeup
// from a deeper state shows up in every latency figure.
const maxExitLatencyUs = 10

// cstates: an idle CPU in a deep C-state takes tens to hundreds of µs to
// wake, which is added to the latency of the event that wakes it.
func cstates(m *machine) schema.Finding {
	words, _ := m.cmdline() // a missing cmdline only loses the limits' note
	if v, _ := param(words, "idle"); v == "poll" {
		return ok("idle=poll on the kernel command line: idle CPUs poll and enter no C-state")
	}
	limits := m.cstateLimits(words)
	deep := map[string][]int{} // "C6 (exit 133 µs)" → CPUs where it is enabled
	var bare []int
	for _, c := range m.cpus {
		dir := cpuFile(c, "cpuidle")
		entries, err := fs.ReadDir(m.root, dir)
		if absent(err) {
			bare = append(bare, c)
			continue
		}
		if err != nil {
			return unknown(why(dir, err))
		}
		for _, e := range entries {
			if !strings.HasPrefix(e.Name(), "state") {
				continue
			}
			state, err := m.idleState(dir + "/" + e.Name())
			if err != nil {
				return unknown(err.Error())
			}
			if state != "" {
				deep[state] = append(deep[state], c)
			}
		}
	}
	if len(bare) == len(m.cpus) {
		found := "no cpuidle directory for " + cpuList(bare)
		if d, err := m.read("sys/devices/system/cpu/cpuidle/current_driver"); err == nil {
			found += " (cpuidle driver: " + d + ")"
		}
		return unknown(found + limits)
	}
	var parts []string
	for _, s := range slices.Sorted(maps.Keys(deep)) {
		parts = append(parts, s+" on "+cpuList(deep[s]))
	}
	if len(bare) > 0 {
		parts = append(parts, "no cpuidle directory for "+cpuList(bare))
	}
	if len(deep) == 0 {
		return ok(fmt.Sprintf("no enabled C-state exits slower than %d µs", maxExitLatencyUs) + prefixed("; ", parts) + limits)
	}
	// cpupower idle-set -D N disables the states whose latency is N or more.
	fix := fmt.Sprintf("cpupower -c %s idle-set -D %d", cpulist.Format(m.cpus), maxExitLatencyUs+1)
	return warn("enabled: "+strings.Join(parts, ", ")+limits, fix)
}

// idleState reads one cpuidle state directory and names the state if it
// is enabled and exits slower than maxExitLatencyUs, else returns "".
func (m *machine) idleState(dir string) (string, error) {
	var v [3]string
	for i, f := range []string{"name", "latency", "disable"} {
		s, err := m.read(dir + "/" + f)
		if err != nil {
			return "", errors.New(why(dir+"/"+f, err))
		}
		v[i] = s
	}
	latency, err := strconv.Atoi(v[1])
	if err != nil {
		return "", fmt.Errorf("/%s/latency: %q is not a number of µs", dir, v[1])
	}
	if latency <= maxExitLatencyUs || v[2] != "0" {
		return "", nil
	}
	return fmt.Sprintf("%s (exit %d µs)", v[0], latency), nil
}

// cstateLimits notes the boot-time caps on C-states, which decide which
// states the driver offered in the first place.
func (m *machine) cstateLimits(words []string) string {
	var limits []string
	if v, ok := param(words, "processor.max_cstate"); ok {
		limits = append(limits, "processor.max_cstate="+v)
	}
	if d, _ := m.read("sys/devices/system/cpu/cpuidle/current_driver"); d == "intel_idle" {
		if v, err := m.read("sys/module/intel_idle/parameters/max_cstate"); err == nil {
			limits = append(limits, "intel_idle.max_cstate "+v)
		}
	}
	return prefixed("; ", limits)
}

func prefixed(sep string, parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	return sep + strings.Join(parts, ", ")
}
