package compare

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"ringbench/schema"
)

// RunEmulated says whether a run was measured under an emulator (QEMU's
// TCG and the like), where no timing says anything about hardware: its
// env says so (ringbench vm sets it in TCG guests), or its hypervisor names
// itself an emulator.
func RunEmulated(e schema.Env) bool {
	h := strings.ToLower(e.Hypervisor)
	return e.Emulated || strings.Contains(h, "tcg") || strings.Contains(h, "emulat")
}

// CompareEnvRow is one environment fact of every run, A first.
type CompareEnvRow struct {
	Name    string   `json:"name"`
	Values  []string `json:"values"`
	Differs bool     `json:"differs"`
	Machine bool     `json:"machine"` // one of the facts that identify a machine
}

type cmpEnvField struct {
	name    string
	machine bool
	get     func(*CompareRun) string
}

var cmpEnvFields = []cmpEnvField{
	{"host", true, func(r *CompareRun) string { return r.Result.Env.Hostname }},
	{"cpu model", true, func(r *CompareRun) string { return r.Result.Env.CPUModel }},
	{"cpus", true, func(r *CompareRun) string { return strconv.Itoa(r.Result.Env.CPUs) }},
	{"hypervisor", true, func(r *CompareRun) string { return r.Result.Env.Hypervisor }},
	{"emulated", false, func(r *CompareRun) string { return cmpYesNo(r.Emulated) }},
	{"kernel", false, func(r *CompareRun) string { return r.Result.Env.Kernel }},
	{"preempt", false, func(r *CompareRun) string { return r.Result.Env.Preempt }},
	{"hz", false, func(r *CompareRun) string { return strconv.Itoa(r.Result.Env.HZ) }},
	{"governor", false, func(r *CompareRun) string { return r.Result.Env.Governor }},
	{"smt", false, func(r *CompareRun) string { return r.Result.Env.SMT }},
	{"go", false, func(r *CompareRun) string { return r.Result.Env.Go }},
	{"gomaxprocs", false, func(r *CompareRun) string { return strconv.Itoa(r.Result.Env.GOMAXPROCS) }},
	{"cilium/ebpf", false, func(r *CompareRun) string { return r.Result.Env.CiliumEBPF }},
	{"commit", false, func(r *CompareRun) string { return cmpCommit(r.Result.Env) }},
	{"attach", false, func(r *CompareRun) string { return r.Result.Env.Attach }},
}

func cmpYesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func cmpCommit(e schema.Env) string {
	c := e.Commit
	if len(c) > 12 {
		c = c[:12]
	}
	if e.Dirty != nil && *e.Dirty {
		c += " (dirty)"
	}
	return c
}

func cmpEnvDiff(runs []*CompareRun) []CompareEnvRow {
	var rows []CompareEnvRow
	for _, f := range cmpEnvFields {
		row := CompareEnvRow{Name: f.name, Machine: f.machine}
		for _, r := range runs {
			v := strings.TrimSpace(f.get(r))
			if v == "" {
				v = "-"
			}
			row.Values = append(row.Values, v)
			row.Differs = row.Differs || v != row.Values[0]
		}
		rows = append(rows, row)
	}
	return rows
}

// cmpMachine names r's machine by the facts that identify one (the
// fields marked machine), those the DIFFERENT MACHINES warning compares.
func cmpMachine(r *CompareRun) string {
	var facts []string
	for _, f := range cmpEnvFields {
		if f.machine {
			facts = append(facts, f.get(r))
		}
	}
	return strings.Join(facts, "|")
}

// cmpEnvWarnings are what makes a comparison suspect: another machine,
// an emulator, a run stopped before its matrix finished.
func cmpEnvWarnings(runs []*CompareRun) []string {
	var out []string
	base := runs[0]
	for _, r := range runs[1:] {
		var diffs []string
		for _, f := range cmpEnvFields {
			if a, b := f.get(base), f.get(r); f.machine && a != b {
				diffs = append(diffs, fmt.Sprintf("%s %q vs %q", f.name, a, b))
			}
		}
		if len(diffs) > 0 {
			out = append(out, fmt.Sprintf("DIFFERENT MACHINES: %s vs %s: %s; a difference may come from the machine, not from what changed",
				r.Label, base.Label, strings.Join(diffs, ", ")))
		}
	}
	for _, r := range runs {
		if r.Emulated {
			out = append(out, fmt.Sprintf("EMULATED: %s ran under an emulator (hypervisor %q): its timings say nothing about real hardware",
				r.Label, r.Result.Env.Hypervisor))
		}
		if m := r.Result.Matrix; m != nil && m.Interrupted {
			out = append(out, fmt.Sprintf("INTERRUPTED: %s was stopped after %d of %d planned scenarios",
				r.Label, len(r.Result.Scenarios), m.Planned))
		}
		if n, total := cmpInterfered(r.Result); n > 0 {
			out = append(out, fmt.Sprintf("INTERFERENCE: %s has %d of %d repetitions during which other processes took "+
				"over %.0f%% of the scenario's CPUs (flag %s): its figures describe a shared machine",
				r.Label, n, total, 100*schema.InterferenceLimit, schema.FlagInterference))
		}
	}
	return out
}

// cmpInterfered counts a run's completed repetitions flagged for
// interference, and its completed repetitions.
func cmpInterfered(r *schema.Result) (flagged, total int) {
	for _, s := range r.Scenarios {
		for _, run := range s.Runs {
			if run.Incomplete() {
				continue
			}
			total++
			if slices.Contains(run.Flags, schema.FlagInterference) {
				flagged++
			}
		}
	}
	return flagged, total
}
