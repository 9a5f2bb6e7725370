package markdown

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"ringbench/internal/cpulist"
	"ringbench/internal/format"
	"ringbench/internal/mdtext"
	"ringbench/report/view"
	"ringbench/schema"
)

// mdScenarioColumns are the full table's figures after the scenario and
// its repetitions, from the catalog, headed by their labels.
var mdScenarioColumns = schema.MetricsAt("throughput.consumed_eps", "throughput.dropped_eps",
	"latency_ns.p50", "latency_ns.p99", "latency_ns.p999", "os.cpu_ns_per_event", "consumer.harness_ns_per_event",
	"os.syscalls_per_event", "go.allocs_per_event", "producer.bpf_ns_per_event",
	"producer.loadgen_cpu_ns_per_trigger", "interference.foreign_share")

func mdPercent(share float64) string { return view.UnitFormat(schema.UnitShare)(share) }

func mdScenarios(b *bytes.Buffer, r *schema.Result) {
	b.WriteString("## Scenarios\n\n")
	if len(r.Scenarios) == 0 {
		b.WriteString("None: run.json holds no scenario.\n\n")
		return
	}
	b.WriteString("Every scenario in run order: mean ± relative sample stddev over its completed repetitions " +
		"(no ± with one); \"-\" where a figure was not measured. Latency is from emission in the BPF program " +
		"to the consumer reading the event; CPU is the consumer process's; harness is the part of it ringbench itself " +
		"added (its Recorder at the run's clock readings per event, measured in the scenario's process, and its syscall " +
		"counter); BPF is the producer program's run time; loadgen CPU is the traced workload's own process per trigger " +
		"(pacing, the syscall, the program and the wakeups it runs); others' CPU is the share of the scenario's CPUs that " +
		"processes other than ringbench's took in the window (its scheduler watch, whose own cost per context switch is " +
		"in run.json as interference.watch_ns_per_switch).\n\n")
	b.WriteString("| scenario | reps ok |")
	for _, c := range mdScenarioColumns {
		b.WriteString(" " + c.Label + " |")
	}
	b.WriteString("\n|---|---|" + strings.Repeat("---:|", len(mdScenarioColumns)) + "\n")
	for _, s := range r.Scenarios {
		fmt.Fprintf(b, "| %s |", mdtext.Code(s.ID))
		ok := 0
		for _, run := range s.Runs {
			if run.Trusted() {
				ok++
			}
		}
		var cells []string
		switch {
		case s.Skipped != "":
			cells = append([]string{"-", "skipped: " + mdtext.Cell(s.Skipped)}, mdBlanks(len(mdScenarioColumns)-1)...)
		case len(s.Summary) == 0:
			cells = append([]string{fmt.Sprintf("%d/%d", ok, len(s.Runs)), "no completed repetition"},
				mdBlanks(len(mdScenarioColumns)-1)...)
		default:
			cells = append(cells, fmt.Sprintf("%d/%d", ok, len(s.Runs)))
			for _, c := range mdScenarioColumns {
				cells = append(cells, mdStatCell(s, c.Path, view.UnitFormat(c.Unit)))
			}
		}
		b.WriteString(" " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteByte('\n')
}

func mdBlanks(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "-"
	}
	return out
}

type mdRepRef struct {
	s   schema.Scenario
	rep int // 0-based
}

func (x mdRepRef) run() schema.Run { return x.s.Runs[x.rep] }

func (x mdRepRef) String() string {
	return fmt.Sprintf("%s rep %d of %d", mdtext.Code(x.s.ID), x.rep+1, len(x.s.Runs))
}

type mdFlagSet struct {
	flagged, failed, drops []mdRepRef
	checks                 []string
	flagNames              []string
	byFlag                 map[string][]mdRepRef
	skipped                []schema.Scenario
}

func mdCollectFlags(r *schema.Result) mdFlagSet {
	f := mdFlagSet{byFlag: map[string][]mdRepRef{}}
	for _, s := range r.Scenarios {
		if s.Skipped != "" {
			f.skipped = append(f.skipped, s)
		}
		for i, run := range s.Runs {
			ref := mdRepRef{s, i}
			if run.Incomplete() {
				f.failed = append(f.failed, ref)
				continue
			}
			if len(run.Flags) > 0 {
				f.flagged = append(f.flagged, ref)
			}
			for _, fl := range run.Flags {
				if f.byFlag[fl] == nil {
					f.flagNames = append(f.flagNames, fl)
				}
				f.byFlag[fl] = append(f.byFlag[fl], ref)
			}
			if run.Events.WindowDropped > 0 {
				f.drops = append(f.drops, ref)
			}
			for _, c := range run.Failed() {
				f.checks = append(f.checks, fmt.Sprintf("%s: check %s failed: %s", ref, c.Name, mdtext.Inline(c.Detail)))
			}
		}
	}
	sort.Strings(f.flagNames)
	return f
}

// flagHelp says what a flag of bench's runner means.
var mdFlagHelp = map[string]string{
	schema.FlagRateMissed: fmt.Sprintf("The load generator fell more than %.0f%% short of the offered rate: "+
		"these repetitions measured a lower load than their scenario names.", 100*schema.RateMissTolerance),
	schema.FlagScheduleLag: "The load generator fell behind its schedule by more than " + format.Duration(schema.LagFlagNs) +
		" at p99: triggers went out late and in bursts, so the load was burstier than the offered rate says.",
	schema.FlagInterference: fmt.Sprintf("Processes other than ringbench's ran on the scenario's CPUs for more than %.0f%% "+
		"of their time in the window: these repetitions' latency, CPU and throughput describe a shared machine, not the "+
		"mode alone. Rerun them with the machine to itself.", 100*schema.InterferenceLimit),
	schema.FlagPhaseStretched: "The runner sampled a window edge, or the consumer finished draining, more than " +
		format.Duration(schema.PhaseToleranceNs) + " late: the time-based figures (CPU, syscalls, Go runtime) cover more " +
		"than the planned window, and the main goroutine was kept from its CPU.",
}

// flagDetail is the figure behind a repetition's flag.
func mdFlagDetail(flag string, run schema.Run) string {
	switch flag {
	case schema.FlagRateMissed:
		return "achieved " + format.SI(run.Throughput.AchievedEPS) + " ev/s"
	case schema.FlagScheduleLag:
		if v := run.Producer.LagP99Ns; v != nil {
			return "lag p99 " + format.Duration(float64(*v))
		}
	case schema.FlagPhaseStretched:
		c := run.Consumer
		return fmt.Sprintf("window opened %s late, closed %s late, drain took %s",
			format.Duration(float64(c.OpenLateNs)), format.Duration(float64(c.CloseLateNs)), format.Duration(float64(c.StopNs)))
	case schema.FlagInterference:
		if in := run.Interference; in != nil && in.ForeignCPUNs != nil && in.ForeignShare != nil {
			d := fmt.Sprintf("others ran %s (%s of CPUs %s)", format.Duration(*in.ForeignCPUNs), mdPercent(*in.ForeignShare), cpulist.Format(in.CPUs))
			if v := in.ConsumerRunDelayNs; v != nil {
				d += ", consumer waited " + format.Duration(*v) + " for its CPU"
			}
			var who []string
			for _, o := range in.Others {
				who = append(who, fmt.Sprintf("%s (pid %d) %s", mdtext.Inline(o.Comm), o.PID, format.Duration(o.CPUNs)))
			}
			if len(who) > 0 {
				d += "; busiest: " + strings.Join(who, ", ")
			}
			return d
		}
	}
	return ""
}

func mdFlags(b *bytes.Buffer, r *schema.Result) {
	b.WriteString("## Flags raised\n\n")
	f := mdCollectFlags(r)
	interrupted := r.Matrix != nil && r.Matrix.Interrupted
	if len(f.failed)+len(f.checks)+len(f.drops)+len(f.flagged)+len(f.skipped) == 0 && !interrupted {
		b.WriteString("None.\n\n")
		return
	}
	if interrupted {
		fmt.Fprintf(b, "### Interrupted\n\n- The matrix was stopped after %d of %d planned scenarios.\n\n",
			len(r.Scenarios), r.Matrix.Planned)
	}
	list := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintf(b, "### %s\n\n", title)
		for _, l := range lines {
			b.WriteString("- " + l + "\n")
		}
		b.WriteByte('\n')
	}
	var failed, drops []string
	for _, x := range f.failed {
		l := x.String() + ": " + mdtext.Inline(x.run().Error)
		if tail, _, _ := strings.Cut(strings.TrimSpace(x.run().StderrTail), "\n"); tail != "" {
			l += " (stderr: " + mdtext.Code(tail) + ")"
		}
		failed = append(failed, l)
	}
	list("Failed repetitions", failed)
	list("Failed checks", f.checks)
	for _, x := range f.drops {
		e := x.run().Events
		drops = append(drops, fmt.Sprintf("%s: %d of %d events emitted in the window dropped",
			x, e.WindowDropped, e.WindowEmitted))
	}
	list("Drops in the measured window", drops)
	for _, name := range f.flagNames {
		fmt.Fprintf(b, "### Flag %s (%s)\n\n", mdtext.Code(name), mdPlural(len(f.byFlag[name]), "repetition", "repetitions"))
		if h := mdFlagHelp[name]; h != "" {
			b.WriteString(h + "\n\n")
		}
		// One line per scenario, its flagged repetitions with their figure.
		var order []string
		reps := map[string][]string{}
		for _, x := range f.byFlag[name] {
			if reps[x.s.ID] == nil {
				order = append(order, x.s.ID)
			}
			d := fmt.Sprintf("rep %d", x.rep+1)
			if det := mdFlagDetail(name, x.run()); det != "" {
				d += " " + det
			}
			reps[x.s.ID] = append(reps[x.s.ID], d)
		}
		for _, id := range order {
			fmt.Fprintf(b, "- %s: %s\n", mdtext.Code(id), strings.Join(reps[id], ", "))
		}
		b.WriteByte('\n')
	}
	var skipped []string
	for _, s := range f.skipped {
		skipped = append(skipped, mdtext.Code(s.ID)+": "+mdtext.Inline(s.Skipped))
	}
	list("Skipped scenarios", skipped)
}
