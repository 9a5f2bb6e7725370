package readiness

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"ringbench/internal/cpulist"
	"ringbench/schema"
)

const smtControl = "sys/devices/system/cpu/smt/control"

// smt: a used CPU whose core has another online thread shares its
// execution units and caches with whatever runs there.
func smt(m *machine) schema.Finding {
	control, cerr := m.read(smtControl) // on, off, forceoff, notsupported, notimplemented
	state := ""
	if cerr == nil {
		state = " (smt control " + control + ")"
	}
	online := m.online()
	var pairs []string
	var siblings []int
	for _, c := range m.cpus {
		p := cpuFile(c, "topology/thread_siblings_list")
		s, err := m.read(p)
		if err != nil {
			if control == "off" || control == "forceoff" || control == "notsupported" {
				continue // no thread can share a core, whatever the topology says
			}
			return unknown(why(p, err))
		}
		list, err := cpulist.Parse(s)
		if err != nil {
			return unknown(fmt.Sprintf("/%s: %v", p, err))
		}
		var busy []int
		for _, sib := range list {
			if sib != c && (online == nil || slices.Contains(online, sib)) {
				busy = append(busy, sib)
			}
		}
		if len(busy) > 0 {
			pairs = append(pairs, fmt.Sprintf("cpu%d with %s", c, cpuList(busy)))
			siblings = append(siblings, busy...)
		}
	}
	if len(pairs) == 0 {
		return ok("no used CPU has an online SMT sibling" + state)
	}
	found := "cores shared: " + strings.Join(pairs, ", ") + state
	if control == "on" {
		return warn(found, "echo off > /"+smtControl)
	}
	slices.Sort(siblings)
	siblings = slices.Compact(siblings)
	var files []string
	for _, s := range siblings {
		files = append(files, "/"+cpuFile(s, "online"))
	}
	return warn(found, "echo 0 | tee "+strings.Join(files, " "))
}

// isolation: CPUs left to the scheduler run other tasks, the tick and RCU
// callbacks between the harness's own work. The sysfs files show what the
// kernel made of the boot parameters, so they win over the command line;
// rcu_nocbs has no file, and nohz_full CPUs are offloaded anyway.
func isolation(m *machine) schema.Finding {
	words, err := m.cmdline()
	if err != nil {
		return unknown(why("proc/cmdline", err))
	}
	isolated, err := m.isolatedSet("sys/devices/system/cpu/isolated", words, "isolcpus")
	if err != nil {
		return unknown(err.Error())
	}
	nohz, err := m.isolatedSet("sys/devices/system/cpu/nohz_full", words, "nohz_full")
	if err != nil {
		return unknown(err.Error())
	}
	nocbs, err := m.isolatedSet("", words, "rcu_nocbs")
	if err != nil {
		return unknown(err.Error())
	}
	nocbs = append(nocbs, nohz...)
	found := fmt.Sprintf("used %s; isolcpus %s, nohz_full %s, rcu_nocbs %s",
		cpuList(m.cpus), listOrNone(isolated), listOrNone(nohz), listOrNone(sortedSet(nocbs)))
	if len(without(m.cpus, isolated)) == 0 && len(without(m.cpus, nohz)) == 0 && len(without(m.cpus, nocbs)) == 0 {
		return ok(found)
	}
	// The kernel keeps at least one CPU for housekeeping; when the scenario
	// uses them all, the first one has to stay out of the isolated set.
	isolate := m.cpus
	if online := m.online(); len(online) > 0 && len(without(online, m.cpus)) == 0 {
		isolate = without(m.cpus, online[:1])
		found += fmt.Sprintf("; every online CPU is used: keep cpu%d for housekeeping and out of the scenario", online[0])
	}
	fix := ""
	if l := cpulist.Format(isolate); l != "" {
		fix = fmt.Sprintf("boot with isolcpus=%s nohz_full=%s rcu_nocbs=%s (kernel command line)", l, l, l)
	}
	return warn(found, fix)
}

// isolatedSet reads a CPU set from its sysfs file if there is one, else
// from the boot parameter key. isolcpus= may start with flags
// ("nohz,domain,managed_irq,2-3"); the CPU list is what follows them.
func (m *machine) isolatedSet(file string, words []string, key string) ([]int, error) {
	var s string
	var err error
	if file != "" {
		s, err = m.read(file)
	}
	if file == "" || absent(err) {
		s, _ = param(words, key)
		parts := strings.Split(s, ",")
		for len(parts) > 0 && parts[0] != "" && parts[0][0] >= 'a' && parts[0][0] <= 'z' {
			parts = parts[1:] // a flag, not a CPU
		}
		s = strings.Join(parts, ",")
	} else if err != nil {
		return nil, errors.New(why(file, err))
	}
	if s == "" || s == "(null)" { // the kernel prints an unset nohz_full mask as "(null)"
		return nil, nil
	}
	cpus, err := cpulist.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%s %q: not a CPU list ringbench can read", key, s)
	}
	return cpus, nil
}

func listOrNone(cpus []int) string {
	if len(cpus) == 0 {
		return "none"
	}
	return cpulist.Format(cpus)
}

func sortedSet(cpus []int) []int {
	slices.Sort(cpus)
	return slices.Compact(cpus)
}
