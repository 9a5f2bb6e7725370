package readiness

import (
	"maps"
	"slices"
	"strings"

	"ringbench/internal/cpulist"
	"ringbench/schema"
)

// governor: any governor but performance changes the clock under the run.
// No cpufreq directory means the kernel does not drive the frequency at
// all (a VM, or firmware in charge), which is unknown, not fine.
func governor(m *machine) schema.Finding {
	byGovernor := map[string][]int{}
	var none, slow []int
	for _, c := range m.cpus {
		p := cpuFile(c, "cpufreq/scaling_governor")
		g, err := m.read(p)
		switch {
		case absent(err):
			none = append(none, c)
		case err != nil:
			return unknown(why(p, err))
		default:
			byGovernor[g] = append(byGovernor[g], c)
			if g != "performance" {
				slow = append(slow, c)
			}
		}
	}
	if len(byGovernor) == 0 {
		return unknown("no cpufreq in sysfs for " + cpuList(none) + ": the hypervisor or firmware controls frequency")
	}
	var parts []string
	for _, g := range slices.Sorted(maps.Keys(byGovernor)) {
		parts = append(parts, g+" on "+cpuList(byGovernor[g]))
	}
	if len(none) > 0 {
		parts = append(parts, "no cpufreq for "+cpuList(none))
	}
	found := strings.Join(parts, ", ")
	switch {
	case len(slow) > 0:
		return warn(found, "cpupower -c "+cpulist.Format(slow)+" frequency-set -g performance")
	case len(none) > 0:
		return unknown(found)
	}
	return ok(found)
}

// boost: turbo makes the clock follow temperature and the other cores'
// load, so two runs of one scenario differ. acpi-cpufreq and amd-pstate
// show it as cpufreq/boost, intel_pstate as intel_pstate/no_turbo
// (inverted); neither file means the kernel does not control turbo here.
func boost(m *machine) schema.Finding {
	for _, k := range []struct{ path, off, name, offState, onState string }{
		{"sys/devices/system/cpu/cpufreq/boost", "0", "cpufreq boost", "off", "on"},
		{"sys/devices/system/cpu/intel_pstate/no_turbo", "1", "intel_pstate no_turbo", "turbo off", "turbo on"},
	} {
		v, err := m.read(k.path)
		switch {
		case err == nil && v == k.off:
			return ok(k.name + " " + v + " (" + k.offState + ")")
		case err == nil:
			return warn(k.name+" "+v+" ("+k.onState+")", "echo "+k.off+" > /"+k.path)
		case !absent(err):
			return unknown(why(k.path, err))
		}
	}
	return unknown("no cpufreq/boost or intel_pstate/no_turbo in sysfs: the hypervisor or firmware controls turbo")
}
