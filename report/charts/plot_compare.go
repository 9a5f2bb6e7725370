package charts

import (
	"fmt"
	"image/color"
	"slices"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// addBars makes a figure of the panels that have data, side by side; the
// legend names the series when there are several. A "%s" in the title is
// replaced by the titles of the panels drawn, and the caption names those
// left out for want of data.
func (c *plCharts) addBars(ch Chart, w, h vg.Length, bps []plBarPanel) {
	var row []*plot.Plot
	var leg []plLegendEntry
	var drawn, empty []string
	for _, bp := range bps {
		p, l, ok := bp.plot()
		if !ok {
			empty = append(empty, bp.title)
			continue
		}
		drawn = append(drawn, bp.title)
		row = append(row, p)
		if len(bp.series) > 1 {
			leg = plMergeLegend(leg, l)
		}
	}
	if strings.Contains(ch.Title, "%s") && len(drawn) > 0 {
		t := strings.Join(drawn, " and ")
		ch.Title = fmt.Sprintf(ch.Title, strings.ToUpper(t[:1])+t[1:])
	}
	if len(empty) > 0 {
		ch.Caption = strings.TrimSuffix(ch.Caption, ".") + "; no data in any scenario for " + strings.Join(empty, ", ") + "."
	}
	if len(row) == 1 {
		row[0].Title.Text = "" // the figure's title says it
	}
	if len(row) > 0 {
		c.figs = append(c.figs, &plFigure{Chart: ch, w: w, h: h, panels: [][]*plot.Plot{row}, legend: leg})
	}
}

// plMetric is one figure of a comparison panel.
type plMetric struct {
	key, title, ylabel string
	scale              float64
	format             func(float64) string
}

// plFill reads m from scs[series][category] (nil: none).
func plFill(scs [][]*schema.Scenario, m plMetric) [][]*plValue {
	out := make([][]*plValue, len(scs))
	for j, row := range scs {
		out[j] = make([]*plValue, len(row))
		for i, s := range row {
			if s == nil {
				continue
			}
			if v, ok := plGet(*s, m.key); ok {
				v = v.scaled(m.scale)
				out[j][i] = &v
			}
		}
	}
	return out
}

func plPanels(ms []plMetric, xlabel string, cats, names []string, scs [][]*schema.Scenario, colors []color.Color) []plBarPanel {
	var out []plBarPanel
	for _, m := range ms {
		out = append(out, plBarPanel{title: m.title, xlabel: xlabel, ylabel: m.ylabel, cats: cats, series: names,
			vals: plFill(scs, m), colors: colors, format: m.format})
	}
	return out
}

var plGcMetrics = []plMetric{
	{"go.gc_pause_p99_ns", "GC pause p99", "GC pause p99 (µs)", 1e-3, format.SI},
	{"go.allocs_per_event", "allocations per event", "heap allocations per event", 1, format.SI},
}

// gcAllocs compares GC pauses and allocations of scenarios with synthetic
// work against their work=0 twins of the base sweep; without any, it shows
// the base sweep per rate.
func (c *plCharts) gcAllocs() error {
	type key struct{ t, rate string }
	var keys []key
	work := map[key][]schema.Scenario{}
	for _, s := range c.measured {
		if s.Params.Work != "" && s.Params.Work != "0" {
			k := key{s.Params.Transport, s.Params.RateKey()}
			if work[k] == nil {
				keys = append(keys, k)
			}
			work[k] = append(work[k], s)
		}
	}
	if len(keys) == 0 {
		for _, t := range c.transports {
			b := c.bases[t]
			cats, rks := c.sortedModes(b), plRateKeys(b)
			scs := make([][]*schema.Scenario, len(rks))
			var names []string
			for j, rk := range rks {
				scs[j] = plByMode(b, cats, func(s schema.Scenario) bool { return s.Params.RateKey() == rk })
				names = append(names, strings.TrimPrefix(view.AtRate(plFirst(scs[j]).Params), "at "))
			}
			c.addBars(Chart{Name: plChartName("gc-allocs", t), Title: "%s, " + t,
				Caption: fmt.Sprintf("Go GC pause p99 (µs) and heap allocations per event per read mode and offered rate on %s; %s; n/a = no figure (e.g. no GC pause in the window); %s.", t, plDescribeSweep(b[0].Params), plRepsNote(b))},
				10*vg.Inch, 5*vg.Inch, plPanels(plGcMetrics, "read mode", cats, names, scs, nil))
		}
		return nil
	}
	for _, k := range keys {
		ws := work[k]
		b := c.bases[k.t]
		cats := c.sortedModes(ws)
		ref := ws[0].Params
		if len(b) > 0 {
			ref = b[0].Params
		}
		refV := view.SweepVariant(ref)
		names := []string{"work=0 (base sweep)"}
		scs := [][]*schema.Scenario{plByMode(b, cats, func(s schema.Scenario) bool {
			return s.Params.RateKey() == k.rate && (s.Params.Work == "0" || s.Params.Work == "")
		})}
		for _, w := range ws {
			label := view.SweepVariantDiff(refV, w.Params)
			if label == "" {
				label = "work=" + w.Params.Work
			}
			if !slices.Contains(names, label) {
				names = append(names, label)
				scs = append(scs, plByMode(ws, cats, func(s schema.Scenario) bool { return view.SweepVariantDiff(refV, s.Params) == label }))
			}
		}
		c.addBars(Chart{Name: plChartName("gc-allocs", k.t, k.rate),
			Title: "%s, with and without work: " + k.t + " " + view.AtRate(ws[0].Params),
			Caption: fmt.Sprintf("Go GC pause p99 (µs) and heap allocations per event per read mode %s on %s, work=0 vs %s; base %s; n/a = no figure (e.g. no GC pause in the window); %s.",
				view.AtRate(ws[0].Params), k.t, strings.Join(names[1:], ", "), plDescribe(ref), plRepsNote(append(ws, b...)))},
			10*vg.Inch, 5*vg.Inch, plPanels(plGcMetrics, "read mode", cats, names, scs, nil))
	}
	return nil
}

// plByMode picks, per mode of cats, the first scenario of ss that ok accepts.
func plByMode(ss []schema.Scenario, cats []string, ok func(schema.Scenario) bool) []*schema.Scenario {
	out := make([]*schema.Scenario, len(cats))
	for i, m := range cats {
		for j := range ss {
			if view.LineLabel(ss[j].Params) == m && ok(ss[j]) {
				out[i] = &ss[j]
				break
			}
		}
	}
	return out
}

// plFirst is the first scenario of ss that is there.
func plFirst(ss []*schema.Scenario) *schema.Scenario {
	for _, s := range ss {
		if s != nil {
			return s
		}
	}
	return nil
}

// twins groups the scenarios that differ only in the knobs keys, by
// transport, mode and rate, in run order; setting names the knob's value.
// Groups with fewer than two settings are left out.
func (c *plCharts) twins(setting func(schema.Params) string, keys ...string) [][]schema.Scenario {
	var order []string
	groups := map[string][]schema.Scenario{}
	for _, s := range c.measured {
		k := s.Params.Transport + "|" + view.ModeLabel(s.Params) + "|" + s.Params.RateKey() + "|" + plWithout(s.Params, keys...)
		if groups[k] == nil {
			order = append(order, k)
		}
		dup := false
		for _, o := range groups[k] {
			dup = dup || setting(o.Params) == setting(s.Params)
		}
		if !dup {
			groups[k] = append(groups[k], s)
		}
	}
	var out [][]schema.Scenario
	for _, k := range order {
		if len(groups[k]) >= 2 {
			out = append(out, groups[k])
		}
	}
	return out
}
