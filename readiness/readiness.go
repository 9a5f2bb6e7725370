// Package readiness says whether this machine is set up as a perf box: one
// finding per check, each with what was found and the exact command that
// fixes a warning (the way pyperf's `system show` does). It only reads:
// ringbench never applies a fix, because each one changes the machine for
// everything else running on it.
//
// Every check reads from an fs.FS rooted at "/", so tests run them on
// fixture trees and production on os.DirFS("/").
package readiness

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"ringbench/internal/cpu"
	"ringbench/internal/cpulist"
	"ringbench/schema"
)

// checks run in this order; each reads the machine and returns one
// finding, without its name. A perCPU check has nothing to say about an
// empty CPU list.
var checks = []struct {
	name   string
	run    func(*machine) schema.Finding
	perCPU bool
}{
	{"governor", governor, true},
	{"boost", boost, false},
	{"smt", smt, true},
	{"isolation", isolation, true},
	{"irqs", irqs, true},
	{"clocksource", clocksource, false},
	{"thp", thp, false},
	{"cstates", cstates, true},
	{"bpf_jit", bpfJIT, false},
	{"hypervisor", hypervisor, false},
}

// Option adds a fact that does not come from the file tree.
type Option func(*machine)

// CPUID passes in the hypervisor the CPU itself reports (cpu.Hypervisor:
// a name, "none", or "" when this architecture cannot tell). Only the
// real machine can answer, so System passes it and tests pass their own.
func CPUID(hypervisor string) Option {
	return func(m *machine) { m.cpuid = hypervisor }
}

// Check runs every check on the tree root (paths like "proc/cmdline") for
// the CPUs a scenario uses; callers that do not know pass the online CPUs.
func Check(root fs.FS, cpus []int, opts ...Option) []schema.Finding {
	m := &machine{root: root, cpus: cpus}
	for _, o := range opts {
		o(m)
	}
	out := make([]schema.Finding, 0, len(checks))
	for _, c := range checks {
		var f schema.Finding
		if c.perCPU && len(cpus) == 0 {
			f = unknown("no CPUs given to check (the online CPU list could not be read)")
		} else {
			f = c.run(m)
		}
		f.Check = c.name
		out = append(out, f)
	}
	return out
}

// System checks this machine.
func System(cpus []int) []schema.Finding {
	return Check(os.DirFS("/"), cpus, CPUID(cpu.Hypervisor()))
}

// machine is what the checks read from.
type machine struct {
	root  fs.FS
	cpus  []int  // the CPUs a scenario uses
	cpuid string // hypervisor from CPUID; "" when not asked or not answerable
}

// read returns a file's content without surrounding white space.
func (m *machine) read(path string) (string, error) {
	b, err := fs.ReadFile(m.root, path)
	return strings.TrimSpace(string(b)), err
}

// online lists the online CPUs, or nil when the tree does not say.
func (m *machine) online() []int {
	s, err := m.read("sys/devices/system/cpu/online")
	if err != nil {
		return nil
	}
	cpus, _ := cpulist.Parse(s)
	return cpus
}

// cmdline returns the kernel's boot parameters; words after "--" go to
// init, not the kernel.
func (m *machine) cmdline() ([]string, error) {
	s, err := m.read("proc/cmdline")
	words := strings.Fields(s)
	for i, w := range words {
		if w == "--" {
			return words[:i], err
		}
	}
	return words, err
}

// param is the value of the last "key=value" in words (the kernel lets a
// later one override an earlier one) and whether there was one.
func param(words []string, key string) (string, bool) {
	val, found := "", false
	for _, w := range words {
		if v, ok := strings.CutPrefix(w, key+"="); ok {
			val, found = v, true
		} else if w == key {
			val, found = "", true
		}
	}
	return val, found
}

func cpuFile(c int, rest string) string {
	return fmt.Sprintf("sys/devices/system/cpu/cpu%d/%s", c, rest)
}

// cpuList names CPUs the way the kernel lists them: "cpu0-3,6".
func cpuList(cpus []int) string {
	if len(cpus) == 0 {
		return "no CPU"
	}
	return "cpu" + cpulist.Format(cpus)
}

func absent(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// why says in a few words why path could not be read.
func why(path string, err error) string {
	if absent(err) {
		return "no /" + path
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return fmt.Sprintf("cannot read /%s: %v", path, err)
}

func ok(found string) schema.Finding { return schema.Finding{Status: schema.ReadinessOK, Found: found} }
func unknown(found string) schema.Finding {
	return schema.Finding{Status: schema.ReadinessUnknown, Found: found}
}
func warn(found, fix string) schema.Finding {
	return schema.Finding{Status: schema.ReadinessWarn, Found: found, Fix: fix}
}

// without returns the CPUs of list that are not in drop.
func without(list, drop []int) []int {
	var out []int
	for _, c := range list {
		if !slices.Contains(drop, c) {
			out = append(out, c)
		}
	}
	return out
}
