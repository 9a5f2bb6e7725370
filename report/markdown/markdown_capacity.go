package markdown

import (
	"bytes"
	"fmt"
	"strings"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// A capacity group is the unpaced scenarios of one transport that share
// their knobs (view.SweepVariant): each mode, at its natural wakeup policy,
// either at max rate (the producer emits as fast as it can) or back to back
// (the consumer thread triggers each batch, then reads it).
type mdCapacityGroup struct {
	b2b    bool
	sample schema.Params
	pts    []*mdPoint
}

// knobs names what the group's scenarios share besides the mode (back to
// back is the line's own heading).
func (g *mdCapacityGroup) knobs() string {
	p := g.sample
	p.B2B = false
	return view.Knobs(p, false)
}

// mdCapacityGroups collects the capacity groups of sw's transport, in run
// order: each mode at its natural policies, or as it ran when it ran none
// of them there (a run from before the presets gave them).
func mdCapacityGroups(r *schema.Result, sw *mdSweepSet) []*mdCapacityGroup {
	var unpaced []schema.Scenario
	for _, s := range view.Measured(r) {
		if p := s.Params; p.Transport == sw.transport && p.Rate == 0 && !sw.has(s) {
			unpaced = append(unpaced, s)
		}
	}
	var out []*mdCapacityGroup
	by := map[string]*mdCapacityGroup{}
	for _, s := range view.NaturalOrAsRan(unpaced, sw.polling, func(p schema.Params) string { return view.SweepVariant(p) + "|" + view.ModeLabel(p) }) {
		p := s.Params
		k := view.SweepVariant(p)
		g := by[k]
		if g == nil {
			g = &mdCapacityGroup{b2b: p.B2B, sample: p}
			by[k] = g
			out = append(out, g)
		}
		g.pts = append(g.pts, &mdPoint{mode: view.LineLabel(p), s: s})
	}
	return out
}

// mdCapacity writes each mode's own capacity beside the producer's
// ceiling. At max rate the producer's ceiling is the most any of the
// group's scenarios emitted (the cheapest consumer, polling with no
// wakeups, costs it least); a mode that dropped there, or read less than
// was emitted, topped out below it, which is its own capacity; a mode that
// read everything was limited by the producer, and its capacity is only
// known to be above the ceiling.
func mdCapacity(b *bytes.Buffer, r *schema.Result, sw *mdSweepSet) {
	groups := mdCapacityGroups(r, sw)
	if len(groups) == 0 {
		return
	}
	fmt.Fprintf(b, "**Capacity on %s**, each mode at its natural wakeup policies; medians over the repetitions with their 95%% intervals (with fewer than %d repetitions, their range):\n\n",
		sw.transport, view.MinRepsForInterval(mdConfidence))
	for _, g := range groups {
		knobs := g.knobs()
		if g.b2b {
			fmt.Fprintf(b, "- **Back to back** (%s; the consumer thread triggers each batch, then reads it, so producing and reading share its CPU: the kernel benchmark's figure): %s.\n",
				knobs, mdCapacityRates(g.pts))
			continue
		}
		var ceiling *mdPoint
		var top float64
		for _, p := range g.pts {
			if a, ok := mdStatOf(p.s, "throughput.achieved_eps"); ok && a.med > top {
				ceiling, top = p, a.med
			}
		}
		if ceiling == nil {
			fmt.Fprintf(b, "- **Max rate** (%s): the load generator's achieved rate was not measured, so no ceiling can be given: %s.\n", knobs, mdCapacityRates(g.pts))
			continue
		}
		var parts []string
		for _, p := range g.pts {
			c, _ := mdStatOf(p.s, "throughput.consumed_eps")
			a, okA := mdStatOf(p.s, "throughput.achieved_eps")
			switch {
			case !okA:
				parts = append(parts, fmt.Sprintf("%s read %s ev/s (what the producer emitted to it was not measured)", p.mode, c.String(format.SI)))
			case p.dropped() || c.med < mdKeptUp*a.med:
				d, _ := p.fig("throughput.dropped_eps")
				parts = append(parts, fmt.Sprintf("%s tops out at %s ev/s, its own capacity (the producer emitted %s ev/s to it; %s drops/s)",
					p.mode, c.String(format.SI), format.SI(a.med), format.SI(d)))
			case a.med < top/2:
				parts = append(parts, fmt.Sprintf("%s read all %s ev/s, less than half the ceiling: the producer, at BPF/event %s against %s with %s, emitted no more, so its capacity is not reached",
					p.mode, c.String(format.SI), mdMedianCell(p.s, "producer.bpf_ns_per_event", format.Duration),
					mdMedianCell(ceiling.s, "producer.bpf_ns_per_event", format.Duration), ceiling.mode))
			default:
				parts = append(parts, fmt.Sprintf("%s read all %s ev/s: the producer was its limit, its capacity is above that", p.mode, c.String(format.SI)))
			}
		}
		fmt.Fprintf(b, "- **Max rate** (%s): the producer tops out at %s ev/s (with %s). %s.\n",
			knobs, format.SI(top), ceiling.mode, mdUpper(strings.Join(parts, "; ")))
	}
	b.WriteByte('\n')
}

// mdCapacityRates lists each point's consumed rate with its interval.
func mdCapacityRates(pts []*mdPoint) string {
	var parts []string
	for _, p := range pts {
		if c, ok := mdStatOf(p.s, "throughput.consumed_eps"); ok {
			parts = append(parts, fmt.Sprintf("%s %s ev/s", p.mode, c.String(format.SI)))
		}
	}
	return strings.Join(parts, "; ")
}

func mdUpper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
