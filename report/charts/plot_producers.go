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
	for _, g := range c.twins("producers", func(p schema.Params) string { return strconv.Itoa(p.Producers) }) {
		sort.SliceStable(g, func(i, j int) bool { return g[i].Params.Producers < g[j].Params.Producers })
		var cats []string
		row := make([]*schema.Scenario, len(g))
		for i := range g {
			label := strconv.Itoa(g[i].Params.Producers)
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
			bps = append(bps, plPanels([]plMetric{m}, "producers", cats, []string{m.title},
				[][]*schema.Scenario{row}, []color.Color{plBarColors[i%len(plBarColors)]})...)
		}
		p := g[0].Params
		ctx := p
		ctx.Producers, ctx.ProducerCPUs, ctx.Oversubscribe = 0, nil, false
		c.addBars(Chart{Name: plChartName("producers", p.Transport, view.ModeLabel(p), p.RateKey()),
			Title: fmt.Sprintf("Producer scaling: %s, %s %s", p.Transport, view.ModeLabel(p), view.AtRate(p)),
			Caption: fmt.Sprintf("How %s scales with the number of producing CPUs (%s), read by %s %s: consumed and dropped events/s, BPF ns per event (one ring buffer has one reserve lock that every producing CPU takes), latency p99 in µs; %s; %s.",
				p.Transport, strings.Join(cats, ", "), view.ModeLabel(p), view.AtRate(p), plDescribe(ctx), plRepsNote(g))},
			13*vg.Inch, 4.8*vg.Inch, bps)
	}
	return nil
}
