package charts

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot/vg"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// wakeups compares what each wakeup policy costs the producer, for every
// set of scenarios that differ only in it.
func (c *plCharts) wakeups() error {
	for _, g := range c.twins(func(p schema.Params) string { return p.Wakeup }, "wakeup") {
		var cats []string
		row := make([]*schema.Scenario, len(g))
		for i := range g {
			cats = append(cats, g[i].Params.Wakeup)
			row[i] = &g[i]
		}
		p := g[0].Params
		ms := []plMetric{
			{"producer.bpf_ns_per_event", "BPF program time per event", "BPF time per event (ns)", 1, format.SI},
			{"producer.trigger_p99_ns", "trigger syscall p99", "trigger syscall p99 (µs)", 1e-3, format.SI},
		}
		var bps []plBarPanel
		for i, m := range ms {
			bps = append(bps, plPanels([]plMetric{m}, "wakeup policy", cats, []string{m.title},
				[][]*schema.Scenario{row}, []color.Color{plBarColors[i]})...)
		}
		ctx := p
		ctx.Wakeup = ""
		c.addBars(Chart{Name: plChartName("wakeup", p.Transport, view.ModeLabel(p), p.RateKey()),
			Title: fmt.Sprintf("Producer cost per wakeup policy: %s, %s %s", p.Transport, view.ModeLabel(p), view.AtRate(p)),
			Caption: fmt.Sprintf("Producer-side cost per wakeup policy (BPF ns per event, trigger-syscall p99 in µs) for %s %s on %s; %s; %s.",
				view.ModeLabel(p), view.AtRate(p), p.Transport, plDescribe(ctx), plRepsNote(g))},
			10*vg.Inch, 5*vg.Inch, bps)
	}
	return nil
}

// plHashOrder ranks hash map settings: the two map kinds first, no map last.
func plHashOrder(h string) int {
	switch h {
	case "prealloc":
		return 0
	case "noprealloc":
		return 1
	case "none", "":
		return 3
	}
	return 2
}

func plHashLabel(h string) string {
	if h == "none" || h == "" {
		return "no map"
	}
	return h
}

// hashmaps compares preallocated and not preallocated flow tables (and no
// table, when measured alongside) on throughput, tail latency, BPF cost
// and the table's locked memory.
func (c *plCharts) hashmaps() error {
	for _, g := range c.twins(func(p schema.Params) string { return p.Hashmap }, "hashmap") {
		sort.SliceStable(g, func(i, j int) bool { return plHashOrder(g[i].Params.Hashmap) < plHashOrder(g[j].Params.Hashmap) })
		if plHashOrder(g[0].Params.Hashmap) > 1 {
			continue // no map kind to compare
		}
		var names []string
		var scs [][]*schema.Scenario
		var colors []color.Color
		memMax := 0.0
		for i := range g {
			names = append(names, plHashLabel(g[i].Params.Hashmap))
			scs = append(scs, []*schema.Scenario{&g[i]})
			colors = append(colors, plBarColors[min(plHashOrder(g[i].Params.Hashmap), 3)])
			if v, ok := plGet(g[i], "memory.map_memlock.rbn_flows"); ok {
				memMax = math.Max(memMax, v.mean)
			}
		}
		unit, uname := format.BytesUnit(max(memMax, 1<<10)) // the axis in KiB at least
		ms := []plMetric{
			{"throughput.consumed_eps", "consumed events/s", "consumed (events/s)", 1, format.SI},
			{"latency_ns.p99", "latency p99", "latency p99 (µs)", 1e-3, format.SI},
			{"latency_ns.p999", "latency p99.9", "latency p99.9 (µs)", 1e-3, format.SI},
			{"producer.bpf_ns_per_event", "BPF time per event", "BPF time per event (ns)", 1, format.SI},
			{"memory.map_memlock.rbn_flows", "flow map memlock", "flow map memlock (" + uname + ")", 1 / unit,
				func(v float64) string { return format.Bytes(v * unit) }},
		}
		p := g[0].Params
		ctx := p
		ctx.Hashmap = ""
		c.addBars(Chart{Name: plChartName("hashmap", p.Transport, view.ModeLabel(p), p.RateKey()),
			Title: fmt.Sprintf("Flow hash map: %s, %s, %s %s", strings.Join(names, " vs "), p.Transport, view.ModeLabel(p), view.AtRate(p)),
			Caption: fmt.Sprintf("Flow hash map settings compared (%s) for %s %s on %s: consumed events/s, latency p99 and p99.9 (µs), BPF ns per event, flow map memlock; %s, %d keys in %d entries; %s.",
				strings.Join(names, " vs "), view.ModeLabel(p), view.AtRate(p), p.Transport, plDescribe(ctx), p.HashKeys, p.HashEntries, plRepsNote(g))},
			13*vg.Inch, 4.8*vg.Inch, plPanels(ms, "", []string{""}, names, scs, colors))
	}
	return nil
}
