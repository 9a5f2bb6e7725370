package markdown

import (
	"bytes"
	"fmt"
	"strings"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// mdSaturation writes, for a sweep with offered rates, how far each mode
// sustained the load, which dropped first, and why a mode fell short where
// it did.
func mdSaturation(b *bytes.Buffer, r *schema.Result, sw *mdSweepSet) {
	var offered []schema.Params
	for _, rate := range sw.rates {
		if rate.Rate > 0 {
			offered = append(offered, rate)
		}
	}
	if len(offered) == 0 {
		return
	}
	top := len(offered) - 1
	var sat, drops, first []string
	firstDrop := -1
	for _, m := range sw.modes {
		// shortAt is the first rate the consumer itself fell short at;
		// producerAt the first the producer did, which leaves the
		// consumer's point unknown above it.
		kept, dropAt, shortAt, producerAt := -1, -1, -1, -1
		measured := false
		for i, rate := range offered {
			p := sw.at[mdKey(m, rate)]
			if p == nil {
				continue
			}
			measured = true
			switch {
			case shortAt >= 0:
			case p.sustained() && producerAt < 0:
				kept = i
			case p.producerShort():
				if producerAt < 0 {
					producerAt = i
				}
			case !p.sustained():
				shortAt = i
			}
			if p.dropped() && dropAt < 0 {
				dropAt = i
				d, _ := p.fig("throughput.dropped_eps")
				drops = append(drops, fmt.Sprintf("%s from %s (%s drops/s there)", m, view.RateOf(rate), format.SI(d)))
			}
		}
		switch {
		case !measured:
			continue
		case shortAt < 0 && producerAt >= 0:
			sat = append(sat, fmt.Sprintf("%s not reached: from %s the producer fell short first (see why below)", m, view.RateOf(offered[producerAt])))
		case shortAt < 0:
			sat = append(sat, m+" not reached: it sustained every rate it ran, up to "+view.RateOf(offered[kept]))
		case kept < 0:
			sat = append(sat, m+" below the lowest rate tested")
		case producerAt >= 0:
			sat = append(sat, fmt.Sprintf("%s at most %s (the producer fell short at %s, the consumer at %s)", m, view.RateOf(offered[kept]), view.RateOf(offered[producerAt]), view.RateOf(offered[shortAt])))
		default:
			sat = append(sat, fmt.Sprintf("%s %s (short of %s)", m, view.RateOf(offered[kept]), view.RateOf(offered[shortAt])))
		}
		switch {
		case dropAt < 0:
			drops = append(drops, m+" never")
		case firstDrop < 0 || dropAt < firstDrop:
			firstDrop, first = dropAt, []string{m}
		case dropAt == firstDrop:
			first = append(first, m)
		}
	}
	fmt.Fprintf(b, "- **Saturation point**, the consumer's (the highest offered rate a mode sustained before it, not the producer, fell short): %s.\n", strings.Join(sat, "; "))
	if firstDrop < 0 {
		fmt.Fprintf(b, "- **Drops**: no mode dropped an event in the measured window at any rate up to %s.\n", view.RateOf(offered[top]))
	} else {
		fmt.Fprintf(b, "- **Drops first**: %s, at %s ev/s. By mode: %s.\n",
			strings.Join(first, " and "), view.RateOf(offered[firstDrop]), strings.Join(drops, "; "))
	}
	var why []string
	for _, rate := range offered {
		why = append(why, mdShortfalls(sw.points(rate), mdCPUs(r.Env))...)
	}
	if len(why) > 0 {
		b.WriteString("- **Why short of the offered rate**:\n")
		for _, w := range why {
			fmt.Fprintf(b, "  - %s\n", w)
		}
	}
}

// mdShortfalls explains, from the figures, why modes did not sustain an
// offered rate: they dropped, they lagged, or the load was never produced.
// Modes that fell short for the same reason share a sentence.
func mdShortfalls(pts []*mdPoint, cpus string) []string {
	var out []string
	var producer []*mdPoint
	for _, p := range pts {
		if p.sustained() {
			continue
		}
		at := view.RateOf(p.s.Params)
		c, _ := p.fig("throughput.consumed_eps")
		a, okA := p.fig("throughput.achieved_eps")
		switch {
		case p.dropped():
			d, _ := p.fig("throughput.dropped_eps")
			out = append(out, fmt.Sprintf("At %s, %s dropped %s ev/s in the measured window, consuming %s ev/s: "+
				"the consumer fell behind the producer and the ring filled.", at, p.mode, format.SI(d), format.SI(c)))
		case !okA:
			out = append(out, fmt.Sprintf("At %s, %s consumed %s ev/s (%.0f%% of offered) without a drop; "+
				"the load generator's achieved rate was not measured.", at, p.mode, format.SI(c), 100*c/p.rate()))
		case p.producerShort():
			producer = append(producer, p)
		case a < mdKeptUp*p.rate():
			out = append(out, fmt.Sprintf("At %s, the load generator achieved only %s ev/s with %s, and the consumer "+
				"read fewer still (%s ev/s) without a drop: events were left in the ring when the window closed.",
				at, format.SI(a), p.mode, format.SI(c)))
		default:
			out = append(out, fmt.Sprintf("At %s, %s consumed %s ev/s without a drop, behind the %s ev/s the load "+
				"generator achieved: events were left in the ring when the window closed.", at, p.mode, format.SI(c), format.SI(a)))
		}
	}
	if len(producer) == 0 {
		return out
	}
	var achieved, cores []string
	for _, p := range producer {
		a, _ := p.fig("throughput.achieved_eps")
		achieved = append(achieved, fmt.Sprintf("%s ev/s with %s", format.SI(a), p.mode))
		if k, ok := p.cores(); ok {
			cores = append(cores, fmt.Sprintf("%s %.2f", p.mode, k))
		}
	}
	s := fmt.Sprintf("At %s, the load generator achieved only %s, and ", view.RateOf(producer[0].s.Params), mdJoin(achieved))
	if len(producer) == 1 {
		s += "the consumer read all of it without a drop: the producing side set the limit, not the consumer. Its figures above are at that lower rate."
	} else {
		s += "each consumer read all of it without a drop: the producing side set the limit, not the consumers. Their figures above are at those lower rates."
	}
	if len(cores) > 0 {
		s += fmt.Sprintf(" The load generator shares the machine (%s) with the consumer (cores used: %s).",
			cpus, strings.Join(cores, ", "))
	}
	return append(out, s)
}

// mdJoin joins a list as prose: a, b and c.
func mdJoin(xs []string) string {
	if len(xs) < 2 {
		return strings.Join(xs, "")
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// mdOtherVariants compares each measured scenario outside the base sweeps
// with the same mode at the same rate inside its transport's sweep, with
// the spreads, since no verdict is drawn from them here.
func mdOtherVariants(b *bytes.Buffer, r *schema.Result, sweeps []*mdSweepSet) {
	var lines []string
	for _, sw := range sweeps {
		for _, s := range view.Measured(r) {
			if s.Params.Transport != sw.transport || sw.has(s) {
				continue
			}
			m := view.ModeLabel(s.Params)
			o := &mdPoint{mode: m, s: s}
			twin := sw.at[mdKey(view.LineLabel(s.Params), s.Params)]
			if twin == nil {
				twin = sw.twin(s.Params)
			}
			diff := view.VariantDiff(sw.variant, s.Params)
			if twin != nil && twin.s.Params.Wakeup == s.Params.Wakeup {
				diff = strings.TrimSpace(strings.TrimPrefix(diff, "wakeup="+s.Params.Wakeup))
			}
			l := fmt.Sprintf("%s %s at %s with %s: ", sw.transport, m, view.RateOf(s.Params), diff)
			var figs []string
			for _, f := range []struct{ k, name string }{
				{"latency_ns.p99", "p99"}, {"os.cpu_ns_per_event", "CPU/event"}, {"producer.bpf_ns_per_event", "BPF/event"},
			} {
				if _, ok := o.fig(f.k); !ok {
					continue
				}
				fig := f.name + " " + mdStatCell(s, f.k, format.Duration)
				if twin != nil {
					fig += " (" + twin.mode + " " + mdStatCell(twin.s, f.k, format.Duration) + ")"
				}
				figs = append(figs, fig)
			}
			if !o.sustained() && o.rate() > 0 {
				c, _ := o.fig("throughput.consumed_eps")
				figs = append(figs, fmt.Sprintf("short of the offered rate (%s ev/s consumed)", format.SI(c)))
			}
			if len(figs) == 0 {
				figs = append(figs, "no figures")
			}
			lines = append(lines, l+strings.Join(figs, ", "))
		}
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("### Other knobs, against the same mode and rate in the base sweep\n\n")
	for _, l := range lines {
		b.WriteString("- " + l + ".\n")
	}
	b.WriteByte('\n')
}

// mdCaveats counts what the Flags section lists, so the summary is never
// read without them.
func mdCaveats(b *bytes.Buffer, r *schema.Result) {
	f := mdCollectFlags(r)
	var parts []string
	if n := len(f.flagged); n > 0 {
		parts = append(parts, fmt.Sprintf("%s raised flags (%s)", mdPlural(n, "repetition", "repetitions"), strings.Join(f.flagNames, ", ")))
	}
	if n := len(f.failed); n > 0 {
		parts = append(parts, mdPlural(n, "repetition", "repetitions")+" failed")
	}
	if n := len(f.checks); n > 0 {
		parts = append(parts, mdPlural(n, "check", "checks")+" failed")
	}
	if n := len(f.drops); n > 0 {
		parts = append(parts, mdPlural(n, "repetition", "repetitions")+" dropped events in the window")
	}
	if n := len(f.skipped); n > 0 {
		parts = append(parts, mdPlural(n, "scenario was", "scenarios were")+" skipped")
	}
	if len(parts) == 0 {
		b.WriteString("No repetition raised a flag, failed, or dropped events; no scenario was skipped.\n\n")
		return
	}
	fmt.Fprintf(b, "**Caveats:** %s. See [Flags raised](#flags-raised).\n\n", strings.Join(parts, "; "))
}
