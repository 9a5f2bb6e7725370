package charts

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"ringbench/report/view"
	"ringbench/schema"
)

// renderAll draws every chart of r into dir, in report order: latency
// distributions, saturation, CPU, syscalls and scheduling, GC and
// allocations, wakeup policies, hash maps.
func renderAll(r *schema.Result, dir string) ([]Chart, error) {
	c := plNewCharts(view.Measured(r), r.Env)
	c.noiseP99, c.hasNoise = view.NoiseFloorNs(r.Env)
	if len(c.measured) == 0 {
		return nil, nil
	}
	for _, add := range []func() error{c.latency, c.saturation, c.cpu, c.syscalls,
		c.gcAllocs, c.wakeups, c.hashmaps, c.producers, c.consumers, c.breakdown} {
		if err := add(); err != nil {
			return nil, err
		}
	}
	if len(c.figs) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var out []Chart
	seen := map[string]int{}
	for _, f := range c.figs {
		base := f.Name
		for seen[f.Name] > 0 {
			f.Name = fmt.Sprintf("%s-%d", base, seen[base]+1)
			seen[base]++
		}
		seen[f.Name]++
		if err := f.write(dir); err != nil {
			return nil, fmt.Errorf("chart %s: %w", f.Name, err)
		}
		out = append(out, f.Chart)
	}
	return out, nil
}

// plCharts holds the scenarios a result has data for while its figures are
// built.
type plCharts struct {
	measured   []schema.Scenario
	transports []string                     // in run order
	bases      map[string][]schema.Scenario // transport → its view.BaseSweep
	// modes ranks mode labels (view.ModeLabel) and the base sweeps' lines
	// (view.LineLabel, a mode with its wakeup policy), for colours and
	// order: the run's mode order, then each mode's natural policies.
	modes map[string]int
	// lineOf maps a line to its mode's rank and the place of its policy
	// among the mode's natural ones: a line keeps its mode's colour, and
	// a policy after the first gets another glyph and a dashed line.
	lineOf map[string]plLine
	figs   []*plFigure
	// The machine's noise floor (largest gap p99 of the probe, ns), drawn
	// on the latency charts when the run probed it.
	noiseP99 int64
	hasNoise bool
}

func plNewCharts(measured []schema.Scenario, env schema.Env) *plCharts {
	c := &plCharts{measured: measured, transports: view.Transports(measured),
		bases: map[string][]schema.Scenario{}, modes: map[string]int{}, lineOf: map[string]plLine{}}
	polling := view.PollingModes(env)
	for _, t := range c.transports {
		_, c.bases[t] = view.BaseSweep(measured, t, polling)
	}
	order := view.ModeOrder(env.Modes)
	for i, m := range order {
		c.modes[m] = i
	}
	var other []string
	for _, s := range measured {
		if _, ok := c.modes[view.ModeLabel(s.Params)]; !ok {
			c.modes[view.ModeLabel(s.Params)] = -1
			other = append(other, view.ModeLabel(s.Params))
		}
	}
	sort.Strings(other)
	for i, m := range other {
		c.modes[m] = len(order) + i
	}
	// Lines rank by their mode, then by their policy's place among the
	// mode's natural ones (others after, by name).
	type line struct {
		label, policy string
		mode, nat     int
	}
	var lines []line
	for _, s := range measured {
		l := view.LineLabel(s.Params)
		if _, ok := c.modes[l]; ok {
			continue
		}
		c.modes[l] = -1
		nat := slices.Index(schema.NaturalWakeups(s.Params.Transport, view.Polls(s.Params, polling)), s.Params.Wakeup)
		if nat < 0 {
			nat = 1 << 20
		}
		lines = append(lines, line{l, s.Params.Wakeup, c.modes[view.ModeLabel(s.Params)], nat})
	}
	sort.Slice(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		if a.mode != b.mode {
			return a.mode < b.mode
		}
		if a.nat != b.nat {
			return a.nat < b.nat
		}
		return a.policy < b.policy
	})
	// A line's style is its place among its mode's lines, in that order.
	seen := map[int]int{} // mode rank → its lines so far
	for i, l := range lines {
		c.modes[l.label] = i
		c.lineOf[l.label] = plLine{mode: l.mode, policy: seen[l.mode]}
		seen[l.mode]++
	}
	return c
}

// plLine is how a line (view.LineLabel) is drawn: its mode's rank, and its
// place among that mode's lines (natural policies first).
type plLine struct{ mode, policy int }

// sortedModes lists the lines (view.LineLabel) of ss in chart order.
func (c *plCharts) sortedModes(ss []schema.Scenario) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if m := view.LineLabel(s.Params); !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	sort.Slice(out, func(i, j int) bool { return c.modes[out[i]] < c.modes[out[j]] })
	return out
}

// plRates lists the non-zero offered rates of ss, ascending.
func plRates(ss []schema.Scenario) []uint64 {
	var out []uint64
	seen := map[uint64]bool{}
	for _, s := range ss {
		if r := s.Params.Rate; r > 0 && !s.Params.B2B && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// plValue is one summary figure: mean, ±1 sample stddev when known.
type plValue struct {
	mean, sd float64
	hasSD    bool
	n        int
}

func plGet(s schema.Scenario, key string) (plValue, bool) {
	st, ok := s.Summary[key]
	if !ok {
		return plValue{}, false
	}
	v := plValue{mean: st.Mean, n: st.N}
	if st.Stddev != nil {
		v.sd, v.hasSD = *st.Stddev, true
	}
	return v, true
}

func (v plValue) scaled(k float64) plValue {
	v.mean *= k
	v.sd *= k
	return v
}

// plDescribe names a variant for captions: "payload 64 B, adaptive wakeups".
func plDescribe(p schema.Params) string { return view.Knobs(p, true) }

// plDescribeSweep describes a base sweep's knobs: its lines run each mode
// at its own wakeup policies, which the legend names.
func plDescribeSweep(p schema.Params) string {
	return "each mode at its natural wakeup policies (in the legend), " + view.Knobs(p, false)
}

// plWithout is view.Variant(p) less the knob named key ("wakeup", "hashmap").
func plWithout(p schema.Params, keys ...string) string {
	var out []string
	for _, f := range strings.Fields(view.Variant(p)) {
		if name, _, _ := strings.Cut(f, "="); !slices.Contains(keys, name) {
			out = append(out, f)
		}
	}
	return strings.Join(out, " ")
}

// plRepsNote says how many repetitions the error bars are over.
func plRepsNote(ss []schema.Scenario) string { return "error bars ±1 sd over " + plRepsCount(ss) }

// plRepsCount is how many repetitions the scenarios' figures come from.
func plRepsCount(ss []schema.Scenario) string {
	lo, hi := 0, 0
	for _, s := range ss {
		for _, st := range s.Summary {
			if lo == 0 || st.N < lo {
				lo = st.N
			}
			hi = max(hi, st.N)
			break
		}
	}
	if lo == hi {
		return fmt.Sprintf("%d repetitions", lo)
	}
	return fmt.Sprintf("%d–%d repetitions", lo, hi)
}

var plUnsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// plChartName joins parts into a file-system safe name.
func plChartName(parts ...string) string {
	return strings.Trim(plUnsafeName.ReplaceAllString(strings.Join(parts, "-"), "-"), "-")
}
