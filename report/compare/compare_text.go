package compare

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"ringbench/internal/format"
	"ringbench/report/view"
)

// WriteText prints c for a terminal: the runs, loud warnings, the
// environment facts that differ, then for each run compared with A its
// significant changes (every comparison with all) and the counts.
func (c *CompareResult) WriteText(w io.Writer, all bool) {
	for _, r := range c.Runs {
		fmt.Fprintf(w, "%s  %s  (%s, %s)\n", r.Label, r.Path, r.Result.Env.Start, r.Result.Env.Hostname)
	}
	if len(c.Warnings) > 0 {
		fmt.Fprintln(w)
		for _, warn := range c.Warnings {
			fmt.Fprintf(w, "!!! WARNING: %s\n", warn)
		}
	}
	fmt.Fprintln(w)
	c.writeEnvText(w)
	for _, p := range c.Pairs {
		fmt.Fprintln(w)
		p.writeText(w, all)
	}
}

func (c *CompareResult) writeEnvText(w io.Writer) {
	var same []string
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	header := "environment"
	for _, r := range c.Runs {
		header += "\t" + r.Label
	}
	differs := 0
	for _, row := range c.Env {
		if !row.Differs {
			same = append(same, row.Name)
			continue
		}
		if differs == 0 {
			fmt.Fprintln(tw, header)
		}
		differs++
		fmt.Fprintf(tw, "  %s\t%s\n", row.Name, strings.Join(row.Values, "\t"))
	}
	tw.Flush()
	if differs == 0 {
		fmt.Fprintf(w, "environment: the same in every run (%s)\n", strings.Join(same, ", "))
		return
	}
	fmt.Fprintf(w, "  the same in every run: %s\n", strings.Join(same, ", "))
}

func (p ComparePair) writeText(w io.Writer, all bool) {
	fmt.Fprintf(w, "%s vs %s: %s\n", p.Other, p.Base, p.scenarioCounts())
	var rows []MetricComparison
	for _, r := range p.Rows {
		if all || r.Significant {
			rows = append(rows, r)
		}
	}
	what := "significant changes"
	if all {
		what = "every comparison"
	}
	fmt.Fprintf(w, "%s (median ± %.0f%% CI over repetitions; Mann-Whitney U, α = %g):\n", what, CompareConfidence*100, CompareAlpha)
	if len(rows) == 0 {
		fmt.Fprintln(w, "  none")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  scenario\tmetric\t%s\t%s\tchange\tp\tn\tverdict\n", p.Base, p.Other)
		for _, r := range rows {
			m := cmpMetric(r.Metric)
			verdict := r.Verdict
			switch {
			case r.WithinDrift:
				verdict += fmt.Sprintf(" (≈ drift ±%s%%)", format.Sig3(*r.DriftPct))
			case !r.Significant && r.Verdict != VerdictTooFew:
				verdict += " (" + cmpDetectableText(r) + ")"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Scenario, m.Label,
				cmpSide(m, r.Base), cmpSide(m, r.Other), cmpChange(r), cmpP(r.P), cmpN(r), verdict)
		}
		tw.Flush()
	}
	fmt.Fprintln(w, p.Counts().String())
}

// scenarioCounts says how many scenarios the pair shares and which it
// does not.
func (p ComparePair) scenarioCounts() string {
	s := fmt.Sprintf("%d scenarios in common", len(p.Common))
	if n := len(p.OnlyBase); n > 0 {
		s += fmt.Sprintf(", %d only in %s", n, p.Base)
	}
	if n := len(p.OnlyOther); n > 0 {
		s += fmt.Sprintf(", %d only in %s", n, p.Other)
	}
	return s
}

// String is the summary line of a pair.
func (c CompareCounts) String() string {
	s := fmt.Sprintf("%d metrics compared, %d significant (%d better, %d worse), %d with too few repetitions",
		c.Compared, c.Significant, c.Better, c.Worse, c.TooFew)
	if c.TooFew > 0 {
		s += fmt.Sprintf(" (with ≥ %d per side a change can be significant at α = %g)", cmpMinReps(), CompareAlpha)
	}
	if c.OneSided > 0 {
		s += fmt.Sprintf(", %d measured on one side only", c.OneSided)
	}
	if c.WithinDrift > 0 {
		s += fmt.Sprintf("; %d of the significant changes are no larger than this machine's drift between runs of one kernel, so not the kernel's", c.WithinDrift)
	}
	return s
}

// cmpMinReps is the fewest repetitions per side with which the U test
// can reach CompareAlpha.
func cmpMinReps() int {
	n := 1
	for cmpMinP(n, n) > CompareAlpha {
		n++
	}
	return n
}

// cmpMinRepsCI is the fewest repetitions whose median has a finite
// interval at CompareConfidence.
func cmpMinRepsCI() int { return view.MinRepsForInterval(CompareConfidence) }
