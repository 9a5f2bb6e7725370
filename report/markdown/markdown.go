package markdown

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"ringbench/internal/cpulist"
	"ringbench/internal/mdtext"
	"ringbench/report/charts"
	"ringbench/schema"
)

// Markdown renders report.md for a design review: what ran where, which
// mode to use when (sentences computed from this run's figures), the
// claims' verdicts, the charts, every scenario's figures, what went wrong,
// and the environment. It depends on r, cl and charts alone, so rendering
// the same run twice gives the same bytes.
func Markdown(r *schema.Result, cl []schema.Claim, charts []charts.Chart, o Options) []byte {
	var b bytes.Buffer
	mdHeader(&b, r)
	mdDecisionTable(&b, r, o)
	mdWhichMode(&b, r)
	mdClaims(&b, cl)
	mdCharts(&b, charts)
	mdGoAgainstC(&b, r)
	mdBreakdown(&b, r)
	mdScenarios(&b, r)
	mdFlags(&b, r)
	mdEnv(&b, r.Env)
	return b.Bytes()
}

func mdHeader(b *bytes.Buffer, r *schema.Result) {
	e := r.Env
	fmt.Fprintf(b, "# ringbench report: %s on %s\n\n", mdOrUnknown(e.Kernel), mdOrUnknown(e.Hostname))
	var machine []string
	if n := mdOnlineCPUs(e); n > 0 {
		machine = append(machine, mdPlural(n, "CPU", "CPUs")+" online")
	}
	if e.CPUModel != "" {
		machine = append(machine, e.CPUModel)
	}
	if e.Hypervisor != "" {
		machine = append(machine, "hypervisor "+e.Hypervisor)
	}
	ran, skipped := 0, 0
	for _, s := range r.Scenarios {
		if s.Skipped != "" {
			skipped++
		} else {
			ran++
		}
	}
	host := mdOrUnknown(e.Hostname)
	if len(machine) > 0 {
		host += " (" + strings.Join(machine, ", ") + ")"
	}
	fmt.Fprintf(b, "Kernel %s on host %s, started %s. %s\n",
		mdOrUnknown(e.Kernel), host, mdOrUnknown(e.Start), mdChosen(r.Matrix, ran, skipped))
	if m := r.Matrix; m != nil && m.Interrupted {
		fmt.Fprintf(b, "\n> **INTERRUPTED: this matrix run was stopped before it finished.** "+
			"%d of %d planned scenarios are in this report", len(r.Scenarios), m.Planned)
		if missing := m.Planned - len(r.Scenarios); missing > 0 {
			fmt.Fprintf(b, "; the other %d are missing from every figure, sentence and chart below", missing)
		}
		b.WriteString(".\n")
	}
	b.WriteByte('\n')
}

// chosen says how the scenarios were picked and how far the run got.
func mdChosen(m *schema.MatrixInfo, ran, skipped int) string {
	counts := fmt.Sprintf("%d ran", ran)
	if skipped > 0 {
		counts += fmt.Sprintf(", %d skipped", skipped)
	}
	if m == nil {
		return fmt.Sprintf("Scenarios given on the command line (see Environment): %s.", counts)
	}
	var how []string
	if m.Preset != "" {
		how = append(how, "preset `"+m.Preset+"`")
	}
	if m.File != "" {
		how = append(how, "file `"+m.File+"`")
	}
	if m.Filter != "" {
		how = append(how, "filter `"+m.Filter+"`")
	}
	if m.Emulated != "" {
		how = append(how, "in its emulated form (`"+m.Emulated+"`)")
	}
	if len(how) == 0 {
		how = append(how, "the default matrix")
	}
	return fmt.Sprintf("Matrix from %s: %d planned, %s.", strings.Join(how, ", "), m.Planned, counts)
}

func mdClaims(b *bytes.Buffer, cl []schema.Claim) {
	if len(cl) == 0 {
		return
	}
	b.WriteString("## Claims\n\n")
	b.WriteString("Each verdict was computed by `ringbench claims` on this kernel; the full evidence is in claims.json.\n\n")
	b.WriteString("| id | verdict | claim | evidence (first line) |\n|---|---|---|---|\n")
	for _, c := range cl {
		ev := "-"
		if len(c.Evidence) > 0 {
			ev = c.Evidence[0]
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdtext.Cell(c.ID), mdtext.Cell(string(c.Verdict)), mdtext.Cell(c.Claim), mdtext.Cell(ev))
	}
	b.WriteByte('\n')
}

func mdCharts(b *bytes.Buffer, charts []charts.Chart) {
	b.WriteString("## Charts\n\n")
	if len(charts) == 0 {
		b.WriteString("No charts: this run has no data to draw.\n\n")
		return
	}
	for _, c := range charts {
		fmt.Fprintf(b, "![%s](plots/%s.png)\n\n", mdtext.AltText(c.Title), c.Name)
		if c.Caption != "" {
			fmt.Fprintf(b, "*%s* ", mdtext.Inline(c.Caption))
		}
		fmt.Fprintf(b, "([SVG](plots/%s.svg))\n\n", c.Name)
	}
}

func mdEnv(b *bytes.Buffer, e schema.Env) {
	b.WriteString("## Environment\n\n| | |\n|---|---|\n")
	row := func(k, v string) { fmt.Fprintf(b, "| %s | %s |\n", k, mdtext.Cell(mdOrUnknown(v))) }
	kernel := e.Kernel
	if e.Kernel != "" && e.KernelVersion != "" {
		kernel += " " + e.KernelVersion
	}
	if kernel != "" && e.Arch != "" {
		kernel += ", " + e.Arch
	}
	row("kernel", kernel)
	row("CPU model", e.CPUModel)
	cpus := ""
	if n := mdOnlineCPUs(e); n > 0 {
		cpus = strconv.Itoa(n)
		if len(e.OnlineCPUs) > 0 {
			cpus += " (" + cpulist.Format(e.OnlineCPUs) + ")"
		}
	}
	row("CPUs online", cpus)
	row("hypervisor", e.Hypervisor)
	preempt := mdOrUnknown(e.Preempt) + ", HZ " + mdOrUnknown(mdItoa0(e.HZ))
	if e.NoHZ != "" {
		preempt += ", nohz " + e.NoHZ
	}
	if e.KernelConfig != "" {
		preempt += " (from " + e.KernelConfig + ")"
	}
	row("preempt / HZ", preempt)
	jit := e.BPFJIT
	if jit != "" && e.BPFJITAlways {
		jit += " (always on)"
	}
	row("BPF JIT", jit)
	row("lockdown", e.Lockdown)
	row("SMT", e.SMT)
	row("governor", e.Governor)
	row("Go", e.Go)
	row("GOMAXPROCS", mdItoa0(e.GOMAXPROCS))
	row("cilium/ebpf", e.CiliumEBPF)
	commit := e.Commit
	if commit != "" && e.Dirty != nil && *e.Dirty {
		commit += " (dirty: uncommitted changes)"
	}
	row("commit", commit)
	attach := e.Attach
	if attach != "" && len(e.AttachRefused) > 0 {
		attach += "; refused: " + strings.Join(e.AttachRefused, "; ")
	}
	row("attach", attach)
	for _, n := range e.Noise {
		_, floor, _ := strings.Cut(n.String(), ": ")
		row(fmt.Sprintf("noise floor, CPU %d", n.CPU), floor)
	}
	if len(e.CommandLine) > 0 {
		fmt.Fprintf(b, "| command line | %s |\n", mdtext.Code(strings.Join(e.CommandLine, " ")))
	}
	mdReadiness(b, e.Readiness)
}

// mdCPUs is the machine's CPU count as prose.
func mdCPUs(e schema.Env) string {
	if n := mdOnlineCPUs(e); n > 0 {
		return mdPlural(n, "CPU", "CPUs")
	}
	return "an unknown number of CPUs"
}

func mdOnlineCPUs(e schema.Env) int {
	if len(e.OnlineCPUs) > 0 {
		return len(e.OnlineCPUs)
	}
	return e.CPUs
}

func mdItoa0(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func mdOrUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unknown"
	}
	return s
}
