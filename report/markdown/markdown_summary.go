package markdown

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// mdKeptUp is the share of the offered rate a mode must consume, without a
// drop in the window, to count as sustaining that rate.
const mdKeptUp = 0.99

// mdSweepSet is one transport's base sweep (view.BaseSweep): every mode
// at its natural wakeup policies and every rate, with the knobs most of
// those scenarios share.
type mdSweepSet struct {
	transport, variant string
	modes              []string            // lines (view.LineLabel), in run order
	rates              []schema.Params     // one per rate, ascending, max last
	at                 map[string]*mdPoint // by mdKey
	ids                map[string]bool     // the sweep's scenario IDs
	polling            []string            // view.PollingModes of the run
}

// has says s is one of the sweep's scenarios.
func (sw *mdSweepSet) has(s schema.Scenario) bool { return sw.ids[s.ID] }

// twin is the sweep's point for p's mode at p's rate, at the mode's
// first natural policy: what a scenario outside the sweep is set against.
func (sw *mdSweepSet) twin(p schema.Params) *mdPoint {
	q := p
	q.Wakeup = schema.NaturalWakeups(p.Transport, view.Polls(p, sw.polling))[0]
	return sw.at[mdKey(view.LineLabel(q), p)]
}

type mdPoint struct {
	mode string
	s    schema.Scenario
}

func mdKey(mode string, p schema.Params) string { return mode + "@" + p.RateKey() }

func (p *mdPoint) fig(k string) (float64, bool) { return mdMean(p.s, k) }

func (p *mdPoint) rate() float64 { return float64(p.s.Params.Rate) }

// dropped says whether any repetition lost events in the measured window.
func (p *mdPoint) dropped() bool {
	st, ok := p.s.Summary["events.window_dropped"]
	return ok && st.Max > 0
}

// sustained: an offered rate consumed (≥ 99%) with no drop in the window.
func (p *mdPoint) sustained() bool {
	c, ok := p.fig("throughput.consumed_eps")
	return ok && p.rate() > 0 && !p.dropped() && c >= mdKeptUp*p.rate()
}

// producerShort: the load generator fell short of the offered rate and the
// consumer read what it did achieve without a drop: the producing side set
// the limit, not the consumer.
func (p *mdPoint) producerShort() bool {
	a, okA := p.fig("throughput.achieved_eps")
	c, _ := p.fig("throughput.consumed_eps")
	return okA && a > 0 && p.rate() > 0 && !p.sustained() && !p.dropped() && a < mdKeptUp*p.rate() && c >= mdKeptUp*a
}

// cores is the consumer's CPU time per second: CPU/event × consumed/s.
func (p *mdPoint) cores() (float64, bool) {
	cpu, ok1 := p.fig("os.cpu_ns_per_event")
	eps, ok2 := p.fig("throughput.consumed_eps")
	return cpu * eps / 1e9, ok1 && ok2
}

// mdBaseSweeps finds, per transport in run order, the base sweep of the
// measured scenarios.
func mdBaseSweeps(r *schema.Result) []*mdSweepSet {
	measured := view.Measured(r)
	polling := view.PollingModes(r.Env)
	var out []*mdSweepSet
	for _, t := range view.Transports(measured) {
		variant, sweep := view.BaseSweep(measured, t, polling)
		sw := &mdSweepSet{transport: t, variant: variant, at: map[string]*mdPoint{}, ids: map[string]bool{}, polling: polling}
		rates := map[string]bool{}
		for _, o := range sweep {
			sw.ids[o.ID] = true
			m := view.LineLabel(o.Params)
			if !slices.Contains(sw.modes, m) {
				sw.modes = append(sw.modes, m)
			}
			if k := mdKey(m, o.Params); sw.at[k] == nil {
				sw.at[k] = &mdPoint{mode: m, s: o}
			}
			if !rates[o.Params.RateKey()] {
				rates[o.Params.RateKey()] = true
				sw.rates = append(sw.rates, o.Params)
			}
		}
		sort.SliceStable(sw.rates, func(i, j int) bool {
			a, b := sw.rates[i].Rate, sw.rates[j].Rate
			return a != 0 && (b == 0 || a < b)
		})
		out = append(out, sw)
	}
	return out
}

func mdAnySustained(pts []*mdPoint) bool {
	for _, p := range pts {
		if p.sustained() {
			return true
		}
	}
	return false
}

// points are the sweep's modes at one rate, in mode order.
func (sw *mdSweepSet) points(rate schema.Params) []*mdPoint {
	var out []*mdPoint
	for _, m := range sw.modes {
		if p := sw.at[mdKey(m, rate)]; p != nil {
			out = append(out, p)
		}
	}
	return out
}

func mdWhichMode(b *bytes.Buffer, r *schema.Result) {
	b.WriteString("## Which mode when\n\n")
	sweeps := mdBaseSweeps(r)
	if len(sweeps) == 0 {
		b.WriteString("No scenario completed a repetition: there is nothing to compare.\n\n")
		mdCaveats(b, r)
		return
	}
	fmt.Fprintf(b, "Per transport, its base sweep: every mode at every rate with the wakeup policies it is run "+
		"with in practice, named beside it (a mode that polls: %s; one that sleeps: the transport's default, and %s), "+
		"and the knobs most of those scenarios share. Means over the completed repetitions; cores = CPU/event × consumed ev/s (this machine has %s); "+
		"a mode sustains a rate when it drops nothing in the measured window and consumes at least %.0f%% of "+
		"the offered rate.\n\n", mdNaturalNames(), mdSampledNames(), mdCPUs(r.Env), mdKeptUp*100)
	for _, sw := range sweeps {
		mdSweep(b, r, sw)
	}
	mdOtherVariants(b, r, sweeps)
	mdCaveats(b, r)
}

func mdSweep(b *bytes.Buffer, r *schema.Result, sw *mdSweepSet) {
	fmt.Fprintf(b, "### %s\n\n*Base sweep: %s.*\n\n", sw.transport, sw.variant)
	for _, rate := range sw.rates {
		pts := sw.points(rate)
		var parts []string
		for _, m := range sw.modes {
			if p := sw.at[mdKey(m, rate)]; p != nil {
				parts = append(parts, mdDescribe(p)+mdWithinFloor(p, r.Env))
			} else {
				parts = append(parts, m+": "+mdMissing(r, sw, m, rate))
			}
		}
		fmt.Fprintf(b, "- **%s**: %s.", mdRateHeading(rate), strings.Join(parts, "; "))
		if rate.Rate > 0 && !mdAnySustained(pts) {
			b.WriteString(" No mode sustained this rate: each figure is at the rate it consumed.")
		}
		if len(pts) > 1 {
			fmt.Fprintf(b, " Lowest p99: %s. Least CPU per event: %s.",
				mdBest(pts, "latency_ns.p99"), mdBest(pts, "os.cpu_ns_per_event"))
		}
		b.WriteByte('\n')
	}
	if len(sw.modes) < 2 {
		fmt.Fprintf(b, "- Only %s ran in this sweep: no comparison between modes.\n", sw.modes[0])
	}
	mdSaturation(b, r, sw)
	b.WriteByte('\n')
	mdCapacity(b, r, sw)
}

// mdNaturalNames names the quiet policy of each transport.
func mdNaturalNames() string {
	return fmt.Sprintf("%s on ring buffers, %s on perf rings", schema.QuietWakeup(schema.TransportRingbuf), schema.QuietWakeup(schema.TransportPerfbuf))
}

// mdSampledNames names the sampled policy of each transport.
func mdSampledNames() string {
	return fmt.Sprintf("%s or %s", schema.SampledWakeup(schema.TransportRingbuf), schema.SampledWakeup(schema.TransportPerfbuf))
}

// mdRateHeading names a rate of the sweep in the words of the charts'
// titles.
func mdRateHeading(p schema.Params) string {
	h := view.AtRate(p)
	if p.B2B {
		h += " (the consumer triggers each batch)"
	}
	return mdUpper(h)
}

// mdDescribe is one mode's figures at one rate.
func mdDescribe(p *mdPoint) string {
	s := p.mode + ": p99 " + mdFigure(p, "latency_ns.p99", format.Duration)
	if cpu, ok := p.fig("os.cpu_ns_per_event"); ok {
		s += " at " + format.Duration(cpu) + " CPU/event"
		if c, ok := p.cores(); ok {
			s += fmt.Sprintf(" (%.2f cores)", c)
		}
	} else {
		s += ", CPU not measured"
	}
	c, ok := p.fig("throughput.consumed_eps")
	switch {
	case !ok:
		s += ", consumed rate not measured"
	case p.rate() == 0:
		s += ", " + format.SI(c) + " ev/s consumed"
	case c < mdKeptUp*p.rate():
		s += fmt.Sprintf(", consumed only %s ev/s (%.0f%% of offered)", format.SI(c), 100*c/p.rate())
	}
	if d, ok := p.fig("throughput.dropped_eps"); ok && p.dropped() {
		s += ", " + format.SI(d) + " drops/s"
	}
	return s
}

// mdWithinFloor flags a p99 at or below the machine's own: the largest
// gap p99 of the noise probe on any CPU. Such a figure describes the
// machine, not the mode.
func mdWithinFloor(p *mdPoint, e schema.Env) string {
	floor, ok := view.NoiseFloorNs(e)
	v, have := p.fig("latency_ns.p99")
	if !ok || !have || v > float64(floor) {
		return ""
	}
	return fmt.Sprintf(" — at or below this machine's noise floor (gap p99 %s): the machine's, not the mode's", format.Duration(float64(floor)))
}

func mdFigure(p *mdPoint, k string, f func(float64) string) string {
	if v, ok := p.fig(k); ok {
		return f(v)
	}
	return "not measured"
}

// missing says why a mode has no figures at a rate of the sweep.
func mdMissing(r *schema.Result, sw *mdSweepSet, mode string, rate schema.Params) string {
	for _, s := range r.Scenarios {
		p := s.Params
		if p.Transport != sw.transport || view.LineLabel(p) != mode || p.RateKey() != rate.RateKey() || view.SweepVariant(p) != sw.variant {
			continue
		}
		if s.Skipped != "" {
			return "skipped (" + s.Skipped + ")"
		}
		return "every repetition failed"
	}
	return "not in this run"
}

// best names the mode with the lowest mean of k among pts and how far
// ahead of the next it is, or that the two are within one sd of each
// other; a winner that did not sustain the offered rate is said so, with
// the best of those that did.
func mdBest(pts []*mdPoint, k string) string {
	var c []*mdPoint
	for _, p := range pts {
		if _, ok := p.fig(k); ok {
			c = append(c, p)
		}
	}
	if len(c) == 0 {
		return "not measured"
	}
	sort.SliceStable(c, func(i, j int) bool { a, _ := c[i].fig(k); b, _ := c[j].fig(k); return a < b })
	w := c[0]
	out := w.mode
	if len(c) > 1 {
		n := c[1]
		a, bv := w.s.Summary[k], n.s.Summary[k]
		switch {
		case a.Stddev != nil && bv.Stddev != nil && a.Mean+*a.Stddev >= bv.Mean-*bv.Stddev:
			out += " ≈ " + n.mode + " (within one sd)"
		case a.Mean > 0 && bv.Mean >= 10*a.Mean:
			out += fmt.Sprintf(", %.0f× lower than %s", bv.Mean/a.Mean, n.mode)
		case a.Mean > 0 && bv.Mean >= 2*a.Mean:
			out += fmt.Sprintf(", %.1f× lower than %s", bv.Mean/a.Mean, n.mode)
		case a.Mean > 0:
			out += fmt.Sprintf(", %.0f%% lower than %s", 100*(bv.Mean-a.Mean)/bv.Mean, n.mode)
		}
	}
	if w.rate() > 0 && !w.sustained() {
		for _, p := range c[1:] {
			if p.sustained() {
				return out + ", but " + w.mode + " fell short of the offered rate; of the modes that sustained it, " + p.mode
			}
		}
	}
	return out
}
