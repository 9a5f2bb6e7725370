package readiness

import (
	"errors"
	"slices"
	"strconv"
	"strings"

	"ringbench/schema"
)

const clocksourceDir = "sys/devices/system/clocksource/clocksource0"

// clocksource: every latency is two clock reads, and only the CPU's own
// counter is read in the vDSO without a trap or a hypervisor's help.
// arch_sys_counter is arm64's equivalent of tsc.
func clocksource(m *machine) schema.Finding {
	cur, err := m.read(clocksourceDir + "/current_clocksource")
	if err != nil {
		return unknown(why(clocksourceDir+"/current_clocksource", err))
	}
	avail, err := m.read(clocksourceDir + "/available_clocksource")
	if err != nil {
		avail = "unknown"
	}
	found := cur + " (available: " + avail + ")"
	switch {
	case cur == "tsc" || cur == "arch_sys_counter":
		return ok(found)
	case slices.Contains(strings.Fields(avail), "tsc"):
		return warn(found, "echo tsc > /"+clocksourceDir+"/current_clocksource")
	}
	return warn(cur+"; tsc is not available (available: "+avail+")", "")
}

// thp: with "always", khugepaged and fault-time compaction run behind the
// harness's allocations. A kernel without THP has no directory, which is
// as good as "never", so absence is ok.
func thp(m *machine) schema.Finding {
	const path = "sys/kernel/mm/transparent_hugepage/enabled"
	s, err := m.read(path)
	switch {
	case absent(err):
		return ok("no transparent hugepages in this kernel")
	case err != nil:
		return unknown(why(path, err))
	}
	mode := bracketed(s)
	switch mode {
	case "always":
		return warn("enabled [always]", "echo madvise > /"+path)
	case "madvise", "never":
		return ok("enabled [" + mode + "]")
	}
	return unknown("/" + path + ": no bracketed mode in " + strconv.Quote(s))
}

// bpfJIT: the interpreter is several times slower than JITed code, the
// debug mode (2) logs every image, and constant blinding (bpf_jit_harden)
// adds instructions to every program it applies to.
func bpfJIT(m *machine) schema.Finding {
	const enable, harden = "proc/sys/net/core/bpf_jit_enable", "proc/sys/net/core/bpf_jit_harden"
	v, err := m.read(enable)
	if err != nil {
		return unknown(why(enable, err))
	}
	var found, fixes []string
	bad := v != "1"
	switch v {
	case "0":
		found = append(found, "bpf_jit_enable 0 (interpreter)")
	case "2":
		found = append(found, "bpf_jit_enable 2 (JIT with debug dumps to the kernel log)")
	default:
		found = append(found, "bpf_jit_enable "+v)
	}
	if bad {
		fixes = append(fixes, "sysctl -w net.core.bpf_jit_enable=1")
	}
	switch h, err := m.read(harden); {
	case err == nil && h == "0":
		found = append(found, "bpf_jit_harden 0")
	case err == nil:
		bad = true
		found = append(found, "bpf_jit_harden "+h+hardenScope(h))
		fixes = append(fixes, "sysctl -w net.core.bpf_jit_harden=0")
	case !absent(err): // absent: a kernel without the knob, nothing to harden
		found = append(found, why(harden, err))
	}
	if bad {
		return warn(strings.Join(found, ", "), strings.Join(fixes, "; "))
	}
	return ok(strings.Join(found, ", "))
}

func hardenScope(h string) string {
	switch h {
	case "1":
		return " (constant blinding for programs loaded without CAP_SYS_ADMIN)"
	case "2":
		return " (constant blinding for every program)"
	}
	return ""
}

// hypervisor: under a hypervisor the vCPU itself is scheduled, and its
// gaps land in the figures. Any one source that says so is enough; only
// CPUID or an x86 flags line without the flag can say there is none.
func hypervisor(m *machine) schema.Finding {
	// No command fixes this, so the advice is part of what was found.
	const advice = "; the vCPU is itself scheduled: figures include the hypervisor's gaps (see the noise floor), run on bare metal to be rid of them"
	var seen []string
	if m.cpuid != "" && m.cpuid != "none" {
		seen = append(seen, m.cpuid+" (CPUID)")
	}
	if t, err := m.read("sys/hypervisor/type"); err == nil && t != "" {
		seen = append(seen, t+" (/sys/hypervisor/type)")
	}
	flags, x86, cerr := m.cpuinfoFlags()
	if slices.Contains(flags, "hypervisor") {
		seen = append(seen, "cpuinfo hypervisor flag")
	}
	if len(seen) > 0 {
		if v, err := m.read("sys/class/dmi/id/sys_vendor"); err == nil && v != "" {
			seen = append(seen, "DMI vendor "+v)
		}
		return warn(strings.Join(seen, ", ")+advice, "")
	}
	switch {
	case m.cpuid == "none":
		return ok("none (CPUID)")
	case x86:
		return ok("no hypervisor flag in /proc/cpuinfo")
	case cerr != nil:
		return unknown(cerr.Error())
	}
	return unknown("no CPUID answer, no x86 flags line in /proc/cpuinfo, no /sys/hypervisor/type")
}

// cpuinfoFlags returns the first "flags" line of proc/cpuinfo and whether
// there was one (only x86 has it).
func (m *machine) cpuinfoFlags() (flags []string, found bool, err error) {
	s, err := m.read("proc/cpuinfo")
	if err != nil {
		return nil, false, errors.New(why("proc/cpuinfo", err))
	}
	for _, line := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == "flags" {
			return strings.Fields(v), true, nil
		}
	}
	return nil, false, nil
}

// bracketed returns the word between [ and ] in s, or "".
func bracketed(s string) string {
	_, rest, ok := strings.Cut(s, "[")
	if !ok {
		return ""
	}
	word, _, ok := strings.Cut(rest, "]")
	if !ok {
		return ""
	}
	return word
}
