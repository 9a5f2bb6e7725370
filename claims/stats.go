package claims

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"ringbench/internal/format"
	"ringbench/schema"
)

// comparison is the significance rule every performance verdict uses: two
// summarised figures differ only if |mean_a − mean_b| exceeds twice the
// standard error of the difference, 2·sqrt(sd_a²/n_a + sd_b²/n_b) — about a
// 95% two-sided z interval. With 3 to 5 repetitions a t interval would be
// wider; the z form is kept because it is what the evidence lines state and
// what a reader can recompute from "mean ± sd (n)" by hand.
type comparison struct {
	a, b      schema.Stat
	diff      float64 // mean_a − mean_b
	threshold float64 // 2·sqrt(sd_a²/n_a + sd_b²/n_b)
}

// compare applies the rule to a against b. A figure without a spread
// (fewer than two repetitions) cannot be compared: that is an error, which
// the claims turn into an inconclusive part rather than a guess.
func compare(a, b schema.Stat) (comparison, error) {
	for _, s := range []schema.Stat{a, b} {
		if s.N < 2 || s.Stddev == nil {
			return comparison{}, fmt.Errorf("n=%d: need at least 2 repetitions for a spread", s.N)
		}
	}
	sa, sb := *a.Stddev, *b.Stddev
	se := math.Sqrt(sa*sa/float64(a.N) + sb*sb/float64(b.N))
	return comparison{a: a, b: b, diff: a.Mean - b.Mean, threshold: 2 * se}, nil
}

func (c comparison) significant() bool { return math.Abs(c.diff) > c.threshold }

// sign is +1 when a is significantly above b, −1 when significantly below,
// 0 when the difference is within noise.
func (c comparison) sign() int {
	switch {
	case !c.significant():
		return 0
	case c.diff > 0:
		return 1
	}
	return -1
}

// scaled multiplies a figure by k, spread included, so that "a is below
// half of b" can be tested with the same rule as "a is below b".
func scaled(s schema.Stat, k float64) schema.Stat {
	out := s
	out.Mean, out.Min, out.Max = s.Mean*k, s.Min*k, s.Max*k
	if s.Stddev != nil {
		sd := *s.Stddev * math.Abs(k)
		out.Stddev = &sd
	}
	if k < 0 {
		out.Min, out.Max = out.Max, out.Min
	}
	return out
}

// fmtStat writes a figure as "mean ± sd unit (n=N)", in the unit that suits
// its mean, so evidence lines read like a benchmark report.
func fmtStat(s schema.Stat, unit string) string {
	div, u := scaleFor(unit, s.Mean)
	sd := "?"
	if s.Stddev != nil {
		sd = format.Sig3(*s.Stddev / div)
	}
	return fmt.Sprintf("%s ± %s %s (n=%d)", format.Sig3(s.Mean/div), sd, u, s.N)
}

// fmtVal writes one value (a difference, a threshold) in its own best unit.
func fmtVal(x float64, unit string) string {
	div, u := scaleFor(unit, x)
	return format.Sig3(x/div) + " " + u
}

// scaleFor picks ns/µs/ms for times and B/KiB/MiB for bytes; other units
// are printed as they are.
func scaleFor(unit string, ref float64) (float64, string) {
	a := math.Abs(ref)
	switch {
	case unit == "ns" || strings.HasPrefix(unit, "ns/"):
		rest := strings.TrimPrefix(unit, "ns")
		switch {
		case a >= 1e6:
			return 1e6, "ms" + rest
		case a >= 1e3:
			return 1e3, "µs" + rest
		}
	case unit == "B":
		switch {
		case a >= 1<<20:
			return 1 << 20, "MiB"
		case a >= 1<<10:
			return 1 << 10, "KiB"
		}
	}
	return 1, unit
}

// pct writes a relative change as a signed percentage.
func pct(x float64) string {
	if math.IsInf(x, 0) {
		return format.Sig3(x)
	}
	return fmt.Sprintf("%+.1f%%", 100*x)
}

// side is one scenario in a comparison, with the name evidence gives it.
type side struct {
	label string
	s     scen
}

func (sd side) reps() int { return sd.s.sc.Summary["throughput.consumed_eps"].N }

// get is one summarised figure with a spread, or why there is none.
func (sd side) get(metric string) (schema.Stat, error) {
	st, ok := sd.s.sc.Summary[metric]
	if !ok {
		why := "null in at least one repetition"
		for _, r := range sd.s.sc.Runs {
			if u := r.Unsupported[metric]; u != "" {
				why += ": " + u
				break
			}
		}
		return st, fmt.Errorf("%s has no %s (%s)", sd.label, metric, why)
	}
	if st.N < 2 || st.Stddev == nil {
		return st, fmt.Errorf("%s: %s has n=%d, a comparison needs at least 2 repetitions", sd.label, metric, st.N)
	}
	return st, nil
}

type outcome int

const (
	undecided outcome = iota
	holdsPart
	failsPart
)

// judge collects a claim's evidence and the outcome of each of its parts.
type judge struct {
	r     Result
	holds []string
	fails []string
	open  []string
}

func newJudge(id, text string) *judge { return &judge{r: Result{ID: id, Claim: text}} }

func (j *judge) line(format string, args ...any) {
	j.r.Evidence = append(j.r.Evidence, fmt.Sprintf(format, args...))
}

// use records the scenarios a verdict is computed from; a verdict needs at
// least two repetitions of each, else the claim is inconclusive.
func (j *judge) use(sides ...side) bool {
	ok := true
	for _, sd := range sides {
		id := sd.s.sc.ID
		if !slices.Contains(j.r.Scenarios, id) {
			j.r.Scenarios = append(j.r.Scenarios, id)
		}
		if n := sd.reps(); n < 2 {
			j.line("%s (%s) has %d completed repetitions; a verdict needs at least 2 for a spread", sd.label, id, n)
			ok = false
		}
	}
	if !ok {
		j.r.Verdict = Inconclusive
	}
	return ok
}

func (j *judge) inconclusive(format string, args ...any) Result {
	j.line(format, args...)
	j.r.Verdict = Inconclusive
	return j.r
}

func (j *judge) part(name string, o outcome, format string, args ...any) {
	tag := map[outcome]string{holdsPart: "holds", failsPart: "does not hold", undecided: "undecided"}[o]
	j.line("[%s] %s → %s", name, fmt.Sprintf(format, args...), tag)
	switch o {
	case holdsPart:
		j.holds = append(j.holds, name)
	case failsPart:
		j.fails = append(j.fails, name)
	default:
		j.open = append(j.open, name)
	}
}

// verdict: every part holds → holds; none holds (some do not) → refuted;
// some hold → partly; nothing decided → inconclusive. Undecided parts are
// named, so a partly verdict says what was and was not shown.
func (j *judge) verdict() Result {
	switch {
	case len(j.holds) == 0 && len(j.fails) == 0:
		j.r.Verdict = Inconclusive
	case len(j.fails) == 0 && len(j.open) == 0:
		j.r.Verdict = Holds
	case len(j.holds) == 0:
		j.r.Verdict = Refuted
	default:
		j.r.Verdict = Partly
	}
	list := func(xs []string) string {
		if len(xs) == 0 {
			return "none"
		}
		return strings.Join(xs, ", ")
	}
	j.line("parts that hold: %s; that do not: %s; undecided: %s", list(j.holds), list(j.fails), list(j.open))
	return j.r
}

const ruleLine = "rule: two figures differ only if |mean_a − mean_b| > 2·sqrt(sd_a²/n_a + sd_b²/n_b) (≈95% z); otherwise within noise"

// change decides a part that claims alt differs from base by about claimed
// (a relative change): it holds when the difference is significant, in the
// claimed direction, with a relative change in [lo, hi]. Within noise it
// does not hold — unless the noise is wider than half the claimed change,
// in which case the run could not have shown it and the part is undecided.
func (j *judge) change(name, metric string, base, alt side, claimed, lo, hi float64) {
	b, errB := base.get(metric)
	a, errA := alt.get(metric)
	if err := errors.Join(errB, errA); err != nil {
		j.part(name, undecided, "%s", format.OneLine(err))
		return
	}
	if b.Mean == 0 {
		j.part(name, undecided, "%s: %s is 0, a relative change is undefined", base.label, metric)
		return
	}
	c, _ := compare(a, b)
	rel := c.diff / math.Abs(b.Mean)
	u := unitOf(metric)
	msg := fmt.Sprintf("%s: %s %s vs %s %s; change %s (claimed %s, counts if %s); |Δ| %s vs 2σ %s",
		metric, alt.label, fmtStat(a, u), base.label, fmtStat(b, u), pct(rel), pct(claimed),
		span(lo, hi), fmtVal(math.Abs(c.diff), u), fmtVal(c.threshold, u))
	right := (c.diff > 0) == (claimed > 0)
	switch {
	case c.significant() && right && rel >= lo && rel <= hi:
		j.part(name, holdsPart, "%s: significant, claimed direction and size", msg)
	case c.significant() && right:
		j.part(name, failsPart, "%s: significant, claimed direction, size outside the range", msg)
	case c.significant():
		j.part(name, failsPart, "%s: significant in the opposite direction", msg)
	case c.threshold > math.Abs(claimed)/2*math.Abs(b.Mean):
		j.part(name, undecided, "%s: within noise, and noise too large to show even half the claimed change", msg)
	default:
		j.part(name, failsPart, "%s: within noise, though half the claimed change would have been significant", msg)
	}
}

func span(lo, hi float64) string {
	switch {
	case math.IsInf(lo, -1):
		return "≤ " + pct(hi)
	case math.IsInf(hi, 1):
		return "≥ " + pct(lo)
	}
	return pct(lo) + " … " + pct(hi)
}

// cmp compares metric of a against k × that of b and writes the line; ok
// is false when a figure is missing (the line says why).
func (j *judge) cmp(tag, metric string, a, b side, k float64) (sign int, ok bool) {
	fa, errA := a.get(metric)
	fb, errB := b.get(metric)
	if err := errors.Join(errA, errB); err != nil {
		j.line("[%s] %s", tag, format.OneLine(err))
		return 0, false
	}
	bl := b.label
	if k != 1 {
		fb, bl = scaled(fb, k), format.Sig3(k)+"× "+b.label
	}
	c, _ := compare(fa, fb)
	u := unitOf(metric)
	word := map[int]string{1: "higher", -1: "lower", 0: "within noise"}[c.sign()]
	j.line("[%s] %s: %s %s vs %s %s; Δ %s, 2σ %s → %s", tag, metric, a.label, fmtStat(fa, u), bl,
		fmtStat(fb, u), fmtVal(c.diff, u), fmtVal(c.threshold, u), word)
	return c.sign(), true
}

// all folds the checks of one part: any failed check fails it, else any
// missing figure leaves it undecided.
func all(os ...outcome) outcome {
	out := holdsPart
	for _, o := range os {
		if o == failsPart {
			return failsPart
		}
		if o == undecided {
			out = undecided
		}
	}
	return out
}

func check(sign int, ok bool, want func(int) bool) outcome {
	switch {
	case !ok:
		return undecided
	case want(sign):
		return holdsPart
	}
	return failsPart
}

func lower(s int) bool    { return s < 0 }
func higher(s int) bool   { return s > 0 }
func notLower(s int) bool { return s >= 0 }
func notAbove(s int) bool { return s <= 0 }

// noPause tells whether a scenario had no GC pause in any repetition (its
// pause p99 is then null, not 0); known is false when it cannot tell.
func noPause(sd side) (none, known bool) {
	st, ok := sd.s.sc.Summary["go.gc_pauses"]
	if !ok {
		return false, false
	}
	return st.Max == 0, true
}
