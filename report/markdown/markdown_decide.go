package markdown

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// Options shape report.md.
type Options struct {
	// LatencyBudget is the p99 a recommended mode must stay within; zero
	// means DefaultLatencyBudget.
	LatencyBudget time.Duration
}

// DefaultLatencyBudget is the decision table's p99 budget unless the
// report is asked for another (ringbench report --latency-budget).
const DefaultLatencyBudget = time.Millisecond

func (o Options) budget() time.Duration {
	if o.LatencyBudget > 0 {
		return o.LatencyBudget
	}
	return DefaultLatencyBudget
}

// mdConfidence is the confidence of the intervals report.md gives.
const mdConfidence = 0.95

// mdStat is the median of some repetitions' values with its 95% interval
// (benchmath.AssumeNothing), or their range when there are too few of them
// for one (ranged).
type mdStat struct {
	med, lo, hi float64
	ranged      bool
}

// mdSummarize is xs's median and interval; xs must not be empty.
func mdSummarize(xs []float64) mdStat {
	med, lo, hi, finite := view.MedianInterval(xs, mdConfidence)
	if !finite {
		return mdStat{med: med, lo: slices.Min(xs), hi: slices.Max(xs), ranged: true}
	}
	return mdStat{med: med, lo: lo, hi: hi}
}

// mdStatOf summarizes a figure over a scenario's completed repetitions.
func mdStatOf(s schema.Scenario, path string) (mdStat, bool) {
	var xs []float64
	for _, run := range s.Runs {
		if !run.Trusted() {
			continue
		}
		if v, ok := schema.Figures(run)[path]; ok {
			xs = append(xs, v)
		}
	}
	if len(xs) == 0 {
		return mdStat{}, false
	}
	return mdSummarize(xs), true
}

// overlaps says two intervals share a value: the difference is within
// noise.
func (a mdStat) overlaps(b mdStat) bool { return a.lo <= b.hi && b.lo <= a.hi }

func (a mdStat) String(f func(float64) string) string {
	if a.lo == a.hi {
		return f(a.med) // every repetition gave the same figure
	}
	return fmt.Sprintf("%s [%s–%s]", f(a.med), f(a.lo), f(a.hi))
}

// mdMedianCell is a figure's median over a scenario's repetitions with its
// interval, as the decision table and capacity give every figure.
func mdMedianCell(s schema.Scenario, path string, f func(float64) string) string {
	if st, ok := mdStatOf(s, path); ok {
		return st.String(f)
	}
	return "not measured"
}

// mdCandidate is a mode that sustained a rate within the latency budget,
// with its consumer CPU per event and p99.
type mdCandidate struct {
	p        *mdPoint
	cpu, p99 mdStat
}

// mdDecide picks, among the modes of one rate, those that sustain it with
// a p99 within budget, ordered by consumer CPU per event; and the modes to
// avoid there: the ones that dropped or fell short while another
// sustained the rate, or went over the budget while another stayed in it.
func mdDecide(pts []*mdPoint, budgetNs float64) (ok []mdCandidate, avoid []string) {
	var sustained []*mdPoint
	for _, p := range pts {
		if p.sustained() {
			sustained = append(sustained, p)
		}
	}
	for _, p := range sustained {
		cpu, okC := mdStatOf(p.s, "os.cpu_ns_per_event")
		p99, okL := mdStatOf(p.s, "latency_ns.p99")
		if okC && (!okL || p99.med <= budgetNs) {
			ok = append(ok, mdCandidate{p: p, cpu: cpu, p99: p99})
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].cpu.med < ok[j].cpu.med })
	for _, p := range pts {
		switch {
		case len(sustained) > 0 && p.producerShort():
			// The consumer read all there was: the producer, paying for
			// this mode's wakeups, could not emit the rate.
			a, _ := p.fig("throughput.achieved_eps")
			l := fmt.Sprintf("%s: the producer emitted only %s of %s ev/s, BPF/event %s", p.mode, format.SI(a), format.SI(p.rate()),
				mdMedianCell(p.s, "producer.bpf_ns_per_event", format.Duration))
			avoid = append(avoid, l+fmt.Sprintf(" against %s with %s, which sustained it", mdMedianCell(sustained[0].s, "producer.bpf_ns_per_event", format.Duration), sustained[0].mode))
		case len(sustained) > 0 && !p.sustained():
			c, _ := p.fig("throughput.consumed_eps")
			d, _ := p.fig("throughput.dropped_eps")
			avoid = append(avoid, fmt.Sprintf("%s: consumed %s of %s ev/s, dropped %s/s, where %s sustained it",
				p.mode, format.SI(c), format.SI(p.rate()), format.SI(d), sustained[0].mode))
		case len(ok) > 0 && p.sustained() && !slices.ContainsFunc(ok, func(c mdCandidate) bool { return c.p == p }):
			if p99, have := mdStatOf(p.s, "latency_ns.p99"); have {
				avoid = append(avoid, fmt.Sprintf("%s: p99 %s, over the budget, where %s kept within it",
					p.mode, format.Duration(p99.med), ok[0].p.mode))
			}
		}
	}
	return ok, avoid
}

// mdDecisionTable writes the table at the top of report.md: per transport
// and offered rate of its base sweep, the mode to use and the runner-up,
// with the figures that decide, then what to avoid.
func mdDecisionTable(b *bytes.Buffer, r *schema.Result, o Options) {
	sweeps := mdBaseSweeps(r)
	if len(sweeps) == 0 {
		return
	}
	budget := o.budget()
	b.WriteString("## Decision table\n\n")
	fmt.Fprintf(b, "Per transport and offered rate of its base sweep: among the modes that sustain the rate (no drop in "+
		"the window, at least %.0f%% consumed) with a p99 within the latency budget of %s (`ringbench report "+
		"--latency-budget` to change it), the one that spends the least consumer CPU per event, then the runner-up. "+
		"Medians over the repetitions with their 95%% intervals (with fewer than %d repetitions, their range); when the two intervals of CPU per event overlap, the "+
		"difference is within noise and the table says so instead of picking. Back-to-back and unpaced scenarios "+
		"are not a rate to choose for: the saturation row ranks the modes at max rate by what they read (their capacities are in \"Which mode when\").\n\n", mdKeptUp*100, format.Duration(float64(budget)), view.MinRepsForInterval(mdConfidence))
	floor, hasFloor := view.NoiseFloorNs(r.Env)
	paced := func(p schema.Params) bool { return p.Rate > 0 && !p.B2B }
	tables := 0
	for _, sw := range sweeps {
		if !slices.ContainsFunc(sw.rates, paced) {
			continue
		}
		tables++
		fmt.Fprintf(b, "**%s** (%s)\n\n| rate | use | runner-up | consumer CPU/event | p99 |\n|---|---|---|---|---|\n", sw.transport, sw.variant)
		var avoidAll []string
		top := mdHighestSustained(sw)
		first := true
		for _, rate := range sw.rates {
			if !paced(rate) {
				continue
			}
			ok, avoid := mdDecide(sw.points(rate), float64(budget))
			for _, a := range avoid {
				avoidAll = append(avoidAll, view.AtRate(rate)+", "+a)
			}
			label := view.RateLabel(rate.Rate) + " ev/s (" + mdBand(rate.Rate, top, first) + ")"
			first = false
			switch len(ok) {
			case 0:
				fmt.Fprintf(b, "| %s | none sustains it within the budget | — | — | — |\n", label)
				continue
			case 1:
				fmt.Fprintf(b, "| %s | %s | — | %s | %s |\n", label, ok[0].p.mode,
					ok[0].cpu.String(format.Duration), mdP99(ok[0], floor, hasFloor))
				continue
			}
			use, next := ok[0].p.mode, ok[1].p.mode
			if ok[0].cpu.overlaps(ok[1].cpu) {
				use = fmt.Sprintf("%s or %s (within noise)", use, next)
			}
			fmt.Fprintf(b, "| %s | %s | %s | %s · %s | %s · %s |\n", label, use, next,
				ok[0].cpu.String(format.Duration), ok[1].cpu.String(format.Duration),
				mdP99(ok[0], floor, hasFloor), mdP99(ok[1], floor, hasFloor))
		}
		mdSaturationRows(b, r, sw)
		b.WriteByte('\n')
		avoidAll = append(avoidAll, mdWasted(r, sw)...)
		if len(avoidAll) > 0 {
			b.WriteString("Avoid: " + strings.Join(avoidAll, "; ") + ".\n\n")
		}
	}
	if tables == 0 {
		b.WriteString("The base sweeps hold no paced rate: there is no rate to choose a mode for.\n\n")
	}
}

// mdP99 is a candidate's p99, marked when it is at or below the machine's
// noise floor: then it describes the machine, not the mode.
func mdP99(c mdCandidate, floor int64, hasFloor bool) string {
	if c.p99 == (mdStat{}) {
		return "—"
	}
	s := c.p99.String(format.Duration)
	if hasFloor && c.p99.med <= float64(floor) {
		s += ", at or below the noise floor"
	}
	return s
}

// mdWasted lists the scenarios whose producer wakes a consumer that polls
// (view.WastedWakeups), each with what those wakeups cost the traced
// workload per event against the same mode with its quiet policy.
func mdWasted(r *schema.Result, sw *mdSweepSet) []string {
	var out []string
	said := map[string]bool{}
	for _, s := range view.Measured(r) {
		p := s.Params
		if p.Transport != sw.transport || !view.WastedWakeups(p, sw.polling) {
			continue
		}
		if sw.has(s) {
			// A mode the run gave only wakeups it never sleeps on is a
			// line of the sweep, judged there; say once what its figures
			// include.
			if l := view.LineLabel(p); !said[l] {
				said[l] = true
				out = append(out, fmt.Sprintf("%s ran only with %s wakeups, which it never sleeps on: its figures above include what they cost the producer", view.ModeLabel(p), p.Wakeup))
			}
			continue
		}
		l := fmt.Sprintf("%s, %s with %s wakeups (it never sleeps on them): BPF/event %s", view.AtRate(p), view.ModeLabel(p), p.Wakeup,
			mdMedianCell(s, "producer.bpf_ns_per_event", format.Duration))
		if twin := sw.twin(p); twin != nil {
			l += fmt.Sprintf(" against %s with %s", mdMedianCell(twin.s, "producer.bpf_ns_per_event", format.Duration), twin.s.Params.Wakeup)
		}
		switch pt := (&mdPoint{s: s}); {
		case pt.producerShort():
			a, _ := pt.fig("throughput.achieved_eps")
			l += fmt.Sprintf(", and the producer emitted only %s of %s ev/s", format.SI(a), view.RateLabel(p.Rate))
		case p.Rate > 0 && !pt.sustained():
			c, _ := pt.fig("throughput.consumed_eps")
			l += fmt.Sprintf(", and it read only %s of %s ev/s", format.SI(c), view.RateLabel(p.Rate))
		}
		out = append(out, l)
	}
	return out
}

// mdHighestSustained is the highest paced rate of the sweep that some
// mode sustained, or 0.
func mdHighestSustained(sw *mdSweepSet) uint64 {
	var top uint64
	for _, rate := range sw.rates {
		if rate.Rate > top && !rate.B2B && mdAnySustained(sw.points(rate)) {
			top = rate.Rate
		}
	}
	return top
}

// mdBand names where a paced rate sits: the lowest of the sweep, the
// highest some mode sustained, beyond that, or between.
func mdBand(rate, top uint64, lowest bool) string {
	switch {
	case rate > top:
		return "beyond what any mode sustained"
	case rate == top:
		return "the highest sustained"
	case lowest:
		return "low"
	}
	return "medium"
}

// mdSaturationRows ranks the modes of each max-rate capacity group by
// what they read: the mode to use when the most throughput matters, and
// the runner-up, "within noise" when their intervals overlap.
func mdSaturationRows(b *bytes.Buffer, r *schema.Result, sw *mdSweepSet) {
	for _, g := range mdCapacityGroups(r, sw) {
		if g.b2b {
			continue
		}
		type ranked struct {
			p             *mdPoint
			eps, cpu, p99 mdStat
		}
		var rs []ranked
		for _, p := range g.pts {
			if eps, ok := mdStatOf(p.s, "throughput.consumed_eps"); ok {
				cpu, _ := mdStatOf(p.s, "os.cpu_ns_per_event")
				p99, _ := mdStatOf(p.s, "latency_ns.p99")
				rs = append(rs, ranked{p, eps, cpu, p99})
			}
		}
		if len(rs) == 0 {
			continue
		}
		sort.SliceStable(rs, func(i, j int) bool { return rs[i].eps.med > rs[j].eps.med })
		label := fmt.Sprintf("saturation (max rate, %s): the most read", g.knobs())
		use, next := rs[0].p.mode+", "+rs[0].eps.String(format.SI)+" ev/s", "—"
		cpu, p99 := rs[0].cpu.String(format.Duration), rs[0].p99.String(format.Duration)
		if len(rs) > 1 {
			if rs[0].eps.overlaps(rs[1].eps) {
				use += " (within noise of the runner-up)"
			}
			next = rs[1].p.mode + ", " + rs[1].eps.String(format.SI) + " ev/s"
			cpu += " · " + rs[1].cpu.String(format.Duration)
			p99 += " · " + rs[1].p99.String(format.Duration)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", label, use, next, cpu, p99)
	}
}
