package charts

import (
	"fmt"
	"image/color"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot/vg"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// producers draws how a transport scales with the number of producing
// CPUs, for every set of scenarios that differ only in it: what gets
// through and what is dropped, what each event costs in BPF (a ring
// buffer's one reserve lock shows here), and the tail latency.
func (c *plCharts) producers() error {
	return c.scaling("producers", "producing CPUs", "Producer scaling", producersWhy,
		func(p schema.Params) int { return p.Producers },
		func(p *schema.Params) { p.Producers, p.ProducerCPUs = 0, nil })
}

// consumers draws the same against the number of consumer threads the
// rings are split among: where adding consumers stops helping.
func (c *plCharts) consumers() error {
	return c.scaling("consumers", "consumer threads", "Consumer scaling", func(string) string { return "each consumer reads its share of the rings on a CPU of its own" },
		func(p schema.Params) int { return max(p.Consumers, 1) },
		func(p *schema.Params) { p.Consumers, p.ConsumerCPUs, p.ConsumerCPU = 0, nil, 0 })
}

// producersWhy says what the BPF time per event shows as producers are
// added, by how the transport's rings are shared.
func producersWhy(transport string) string {
	switch transport {
	case schema.TransportRingbuf:
		return "one ring buffer has one reserve lock that every producing CPU takes"
	case schema.TransportSharded:
		return "the CPUs of a shard share its ring's reserve lock"
	}
	return "each CPU writes a perf ring of its own"
}

// scaling is the chart of producers and consumers: the scenarios that
// differ only in the count knob, by count.
func (c *plCharts) scaling(knob, what, title string, why func(transport string) string, count func(schema.Params) int, clear func(*schema.Params)) error {
	// Stacking producers on shared CPUs is part of the count's axis (its
	// bars say so), not another configuration.
	for _, g := range c.twins(func(p schema.Params) string { return strconv.Itoa(count(p)) }, knob, "oversubscribed") {
		sort.SliceStable(g, func(i, j int) bool { return count(g[i].Params) < count(g[j].Params) })
		var cats []string
		row := make([]*schema.Scenario, len(g))
		for i := range g {
			label := strconv.Itoa(count(g[i].Params))
			if g[i].Params.Oversubscribe {
				label += " (stacked)"
			}
			cats = append(cats, label)
			row[i] = &g[i]
		}
		ms := []plMetric{
			{"throughput.consumed_eps", "consumed events/s", "consumed (events/s)", 1, format.SI},
			{"throughput.dropped_eps", "dropped events/s", "dropped (events/s)", 1, format.SI},
			{"producer.bpf_ns_per_event", "BPF time per event", "BPF time per event (ns)", 1, format.SI},
			{"latency_ns.p99", "latency p99", "latency p99 (µs)", 1e-3, format.SI},
		}
		var bps []plBarPanel
		for i, m := range ms {
			bps = append(bps, plPanels([]plMetric{m}, knob, cats, []string{m.title},
				[][]*schema.Scenario{row}, []color.Color{plBarColors[i%len(plBarColors)]})...)
		}
		p := g[0].Params
		ctx := p
		clear(&ctx)
		ctx.Oversubscribe = false
		c.addBars(Chart{Name: plChartName(knob, p.Transport, view.ModeLabel(p), p.RateKey()),
			Title: fmt.Sprintf("%s: %s, %s %s", title, p.Transport, view.ModeLabel(p), view.AtRate(p)),
			Caption: fmt.Sprintf("How %s scales with the number of %s (%s), read by %s %s: consumed and dropped events/s, BPF ns per event (%s), latency p99 in µs; %s; %s.",
				p.Transport, what, strings.Join(cats, ", "), view.ModeLabel(p), view.AtRate(p), why(p.Transport), plDescribe(ctx), plRepsNote(g))},
			13*vg.Inch, 4.8*vg.Inch, bps)
	}
	return nil
}
