package markdown

import (
	"bytes"
	"fmt"
	"strings"

	"ringbench/internal/format"
	"ringbench/internal/mdtext"
	"ringbench/report/view"
	"ringbench/schema"
)

// mdBreakdown is the section on where the sleeping modes' latency goes,
// for the scenarios run with --breakdown: each phase's p50 and p99, the
// share of events split, what the instruments cost, and the latency of the
// same scenario without them when the run has it.
func mdBreakdown(b *bytes.Buffer, r *schema.Result) {
	groups := view.BreakdownGroups(view.Measured(r))
	if len(groups) == 0 {
		return
	}
	plain := map[string]schema.Scenario{}
	for _, s := range view.Measured(r) {
		if !s.Params.Breakdown {
			plain[s.ID] = s
		}
	}
	b.WriteString("## Where the latency goes\n\n")
	b.WriteString("For the scenarios run with `--breakdown`, BPF programs on the scheduler and the wait syscall split " +
		"each event read after a wakeup of its own into four phases; an event's phases add up to its latency. " +
		"p50 / p99 per phase, means of the repetitions; \"split\" is the share of the window's events read after " +
		"such a wakeup; \"median event\" splits the events whose latency is within " + mdPercent(schema.AtMedianShare) + " of the p50 (the phases' own " +
		"p50s do not add up to the latency's: the median of a sum is not the sum of the medians); \"without\" is " +
		"the latency p50 of the same scenario without the breakdown's programs, where this run has it, and \"cost\" " +
		"their BPF run time per event.\n\n")
	b.WriteString("| scenario | split |")
	for _, ph := range view.BreakdownPhases {
		b.WriteString(" " + ph.Label + " |")
	}
	b.WriteString(" latency p50 | median event | without | cost/event |\n|---|---:|" + strings.Repeat("---:|", len(view.BreakdownPhases)+4) + "\n")
	for _, g := range groups {
		for _, s := range g {
			cells := []string{mdtext.Code(s.ID), mdSplitShare(s)}
			for _, ph := range view.BreakdownPhases {
				cells = append(cells, mdMeanCell(s, view.BreakdownKey(ph.Key, "p50_ns"), format.Duration)+" / "+
					mdMeanCell(s, view.BreakdownKey(ph.Key, "p99_ns"), format.Duration))
			}
			without := "-"
			if twin, ok := plain[strings.TrimSuffix(s.ID, "/breakdown")]; ok {
				without = mdMeanCell(twin, "latency_ns.p50", format.Duration)
			}
			cells = append(cells, mdMeanCell(s, "latency_ns.p50", format.Duration), mdMedianSplit(s), without,
				mdMeanCell(s, "breakdown.cost_ns_per_event", format.Duration))
			b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
		}
	}
	b.WriteByte('\n')
}

// mdMeanCell is a summary figure's mean, "-" when absent.
func mdMeanCell(s schema.Scenario, key string, f func(float64) string) string {
	if v, ok := mdMean(s, key); ok {
		return f(v)
	}
	return "-"
}

func mdSplitShare(s schema.Scenario) string {
	m, okM := mdMean(s, "breakdown.matched")
	n, okN := mdMean(s, "breakdown.reads")
	if !okM || !okN || n == 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*m/n)
}

// mdMedianSplit is the median event's phases, "a + b + c + d", means of
// the repetitions.
func mdMedianSplit(s schema.Scenario) string {
	var parts []string
	for _, k := range []string{"wakeup_ns", "run_queue_ns", "syscall_exit_ns", "read_ns"} {
		v, ok := mdMean(s, "breakdown.at_median."+k)
		if !ok {
			return "-"
		}
		parts = append(parts, format.Duration(v))
	}
	return strings.Join(parts, " + ")
}
