package compare

import (
	"bytes"
	"fmt"
	"strings"

	"ringbench/internal/format"
	"ringbench/internal/mdtext"
)

// Markdown is compare.md: the runs, loud warnings, the environment, for
// each run compared with A its significant changes and counts, then per
// metric its chart (plots/NAME.png, from RenderCharts) and every scenario
// with each run's median and change.
func (c *CompareResult) Markdown(charts []CompareChart) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# ringbench compare: %s\n\n", c.runsTitle())
	b.WriteString("| run | run.json | started | host |\n|---|---|---|---|\n")
	for _, r := range c.Runs {
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", r.Label, mdtext.Code(r.Path), mdtext.Cell(r.Result.Env.Start), mdtext.Cell(r.Result.Env.Hostname))
	}
	b.WriteString("\n")
	for _, w := range c.Warnings {
		fmt.Fprintf(&b, "> **⚠ WARNING: %s**\n\n", mdtext.Cell(w))
	}
	b.WriteString("## Environment\n\n|  |")
	for _, r := range c.Runs {
		fmt.Fprintf(&b, " %s |", r.Label)
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(c.Runs)) + "\n")
	for _, row := range c.Env {
		name := row.Name
		if row.Differs {
			name = "**" + name + "** ≠"
		}
		fmt.Fprintf(&b, "| %s |", name)
		for _, v := range row.Values {
			fmt.Fprintf(&b, " %s |", mdtext.Cell(v))
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	for _, p := range c.Pairs {
		c.mdPair(&b, p)
	}
	if len(charts) > 0 {
		b.WriteString("## Metrics\n\n")
	}
	for _, ch := range charts {
		c.mdMetric(&b, ch)
	}
	var zero []string
	for _, m := range compareMetrics {
		if ids := c.chartScenarios(); c.measured(m, ids) && c.allZero(m, ids) {
			zero = append(zero, m.Label)
		}
	}
	if len(zero) > 0 {
		fmt.Fprintf(&b, "%s: 0 in every repetition of every run, in every scenario in common (no chart).\n\n", strings.Join(zero, ", "))
	}
	fmt.Fprintf(&b, "## Method\n\nEach figure is the median over a scenario's completed repetitions (failed ones are left out), "+
		"with the %.0f%% confidence interval of the median (± is its larger side, in %% of the median; ∞ with fewer than %d repetitions). "+
		"Changes are tested with the Mann-Whitney U test over the repetitions (golang.org/x/perf/benchmath, AssumeNothing: "+
		"what benchstat does) and called significant when p ≤ α = %g. With fewer than %d repetitions per side no change can reach "+
		"that level: such comparisons are counted as *too few repetitions*, not as *no change*. A *no change* says how large a "+
		"change it could have seen: the smallest shift of the compared run's median, with both runs' spreads as measured, at which "+
		"the same test would have called it (\"detectable from ±x%%\"); smaller changes may have happened unseen. "+
		"Many metrics are compared at once, so about 1 in %.0f unchanged ones is expected to come out significant by chance.\n",
		CompareConfidence*100, cmpMinRepsCI(), CompareAlpha, cmpMinReps(), 1/CompareAlpha)
	return b.Bytes()
}

func (c *CompareResult) mdPair(b *bytes.Buffer, p ComparePair) {
	fmt.Fprintf(b, "## %s vs %s\n\n%s. %s.\n\n", p.Other, p.Base, p.scenarioCounts(), p.Counts())
	if p.SameKernel {
		fmt.Fprintf(b, "%s and %s ran the same kernel: what differs between them is this machine's own drift, and the changes between kernels are held against it.\n\n", p.Base, p.Other)
	}
	for _, only := range []struct {
		label string
		ids   []string
	}{{p.Base, p.OnlyBase}, {p.Other, p.OnlyOther}} {
		if len(only.ids) > 0 {
			fmt.Fprintf(b, "Only in %s: `%s`.\n\n", only.label, strings.Join(only.ids, "`, `"))
		}
	}
	var sig []MetricComparison
	for _, r := range p.Rows {
		if r.Significant {
			sig = append(sig, r)
		}
	}
	if len(sig) == 0 {
		fmt.Fprintf(b, "No significant change (α = %g).\n\n", CompareAlpha)
		return
	}
	fmt.Fprintf(b, "| scenario | metric | %s | %s | change | p | n | |\n|---|---|--:|--:|--:|--:|--:|---|\n", p.Base, p.Other)
	for _, r := range sig {
		m := cmpMetric(r.Metric)
		mark := cmpVerdictMark(r.Verdict)
		if r.WithinDrift {
			mark = fmt.Sprintf("≈ drift: runs of one kernel differed by up to %s%%, so not the kernel's", format.Sig3(*r.DriftPct))
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s | **%s** | %s | %s | %s |\n", r.Scenario, m.Label,
			cmpSide(m, r.Base), cmpSide(m, r.Other), cmpChange(r), cmpP(r.P), cmpN(r), mark)
	}
	b.WriteString("\n")
}

func (c *CompareResult) mdMetric(b *bytes.Buffer, ch CompareChart) {
	m := cmpMetric(ch.Metric)
	fmt.Fprintf(b, "### %s\n\n![%s](plots/%s.png)\n\n%s\n\n| scenario | %s |", m.Label, mdtext.AltText(ch.Title), ch.Name, ch.Caption, c.Runs[0].Label)
	for _, r := range c.Runs[1:] {
		fmt.Fprintf(b, " %s | %s vs %s |", r.Label, r.Label, c.Runs[0].Label)
	}
	b.WriteString("\n|---|--:|" + strings.Repeat("--:|---|", len(c.Runs)-1) + "\n")
	for _, id := range c.chartScenarios() {
		base := c.vals[0][id][m.Key]
		cells := []string{"`" + id + "`", cmpMdSide(m, base)}
		seen := len(base) > 0
		for i := 1; i < len(c.Runs); i++ {
			vals := c.vals[i][id][m.Key]
			seen = seen || len(vals) > 0
			cells = append(cells, cmpMdSide(m, vals))
			r, ok := c.row(i, m.Key, id)
			switch {
			case !ok:
				cells = append(cells, "")
			case r.Significant:
				cells = append(cells, fmt.Sprintf("**%s** %s %s", cmpChange(r), cmpP(r.P), cmpVerdictMark(r.Verdict)))
			case r.Verdict == VerdictTooFew:
				cells = append(cells, fmt.Sprintf("too few repetitions (%s)", cmpN(r)))
			default:
				cells = append(cells, fmt.Sprintf("~ %s, %s", cmpP(r.P), cmpDetectableText(r)))
			}
		}
		if seen {
			fmt.Fprintf(b, "| %s |\n", strings.Join(cells, " | "))
		}
	}
	b.WriteString("\n")
}

// measured says whether any run has m in any of the scenarios ids.
func (c *CompareResult) measured(m compareMetric, ids []string) bool {
	for i := range c.Runs {
		for _, id := range ids {
			if len(c.vals[i][id][m.Key]) > 0 {
				return true
			}
		}
	}
	return false
}

// cmpMdSide is a median ± CI cell, with n; "-" when not measured.
func cmpMdSide(m compareMetric, vals []float64) string {
	if len(vals) == 0 {
		return "-"
	}
	s := cmpSideOf(cmpSample(vals))
	return fmt.Sprintf("%s (n=%d)", cmpSide(m, s), s.N)
}

// cmpDetectableText says what a "no change" rules out: changes at least
// as large as the smallest one the test could have called.
func cmpDetectableText(r MetricComparison) string {
	if r.DetectablePct == nil {
		return "no shift could be called with these repetitions and spreads"
	}
	return "detectable from ±" + format.Sig3(*r.DetectablePct) + "%"
}

func cmpVerdictMark(v string) string {
	switch v {
	case VerdictBetter:
		return "✅ better"
	case VerdictWorse:
		return "❌ worse"
	}
	return v
}
