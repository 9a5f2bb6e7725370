package charts

import (
	"fmt"
	"image/color"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// rateSeries is key (times scale) against offered rate, one series per
// mode; scenarios without the figure, or without a paced rate, are left out.
func (c *plCharts) rateSeries(ss []schema.Scenario, key string, scale float64) []plSeries {
	var out []plSeries
	for _, m := range c.sortedModes(ss) {
		s := plSeries{label: m}
		for _, sc := range ss {
			if view.LineLabel(sc.Params) != m || sc.Params.Rate == 0 || sc.Params.B2B {
				continue
			}
			if v, ok := plGet(sc, key); ok {
				s.pts = append(s.pts, plPoint{float64(sc.Params.Rate), v.scaled(scale)})
			}
		}
		if len(s.pts) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// latency draws the percentile distribution per transport and rate.
func (c *plCharts) latency() error {
	for _, t := range c.transports {
		b := c.bases[t]
		for _, rk := range plRateKeys(b) {
			var at []schema.Scenario
			for _, s := range b {
				if s.Params.RateKey() == rk {
					at = append(at, s)
				}
			}
			var ss []plSeries
			seen := map[float64]bool{}
			for _, m := range c.sortedModes(at) {
				s := plSeries{label: m}
				sc := at[0]
				for _, sc = range at {
					if view.LineLabel(sc.Params) == m {
						break
					}
				}
				for _, pc := range plLatencyPercentiles {
					if v, ok := plGet(sc, pc.key); ok && v.mean > 0 {
						s.pts = append(s.pts, plPoint{plNines(pc.p), v.scaled(1e-3)})
						seen[pc.p] = true
					}
				}
				if len(s.pts) > 0 {
					ss = append(ss, s)
				}
			}
			if len(ss) == 0 {
				continue
			}
			var ps []float64
			for _, pc := range plLatencyPercentiles {
				if seen[pc.p] {
					ps = append(ps, pc.p)
				}
			}
			p := plNewPanel("", "percentile (spaced by nines: 90% → 99% → 99.9%)", "latency (µs, log scale)")
			p.X.Tick.Marker = plNinesTicks(ps)
			p.X.Min, p.X.Max = plNines(ps[0])-0.2, plNines(ps[len(ps)-1])+0.2
			floor := float64(c.noiseP99) * 1e-3
			var also []float64 // the floor inside the Y range too
			if c.hasNoise {
				also = append(also, floor)
			}
			leg, err := c.addLogLines(p, ss, also...)
			if err != nil {
				return err
			}
			if c.hasNoise {
				e, err := plFloorLine(p, floor)
				if err != nil {
					return err
				}
				leg = append(leg, e)
			}
			c.figs = append(c.figs, &plFigure{
				Chart: Chart{Name: plChartName("latency", t, rk),
					Title: fmt.Sprintf("Latency percentiles: %s %s", t, view.AtRate(at[0].Params)),
					Caption: fmt.Sprintf("Latency percentiles p50 to p99.99 (µs, log) per read mode %s on %s; %s; %s.%s",
						view.AtRate(at[0].Params), t, plDescribeSweep(at[0].Params), plRepsNote(at), c.floorNote())},
				w: 8 * vg.Inch, h: 5 * vg.Inch, panels: [][]*plot.Plot{{p}}, legend: leg})
		}
	}
	return nil
}

// floorNote explains the floor line in a caption, when there is one.
func (c *plCharts) floorNote() string {
	if !c.hasNoise {
		return ""
	}
	return fmt.Sprintf(" The dashed line is this machine's noise floor, the largest gap p99 (%s) a pinned thread "+
		"reading the clock saw on any CPU before the run: a latency under it describes the machine, not the mode.",
		format.Duration(float64(c.noiseP99)))
}

// plFloorLabel names the noise floor's line in the legend.
const plFloorLabel = "machine noise floor (gap p99)"

// plFloorLine draws the machine's noise floor across p at y (µs): a
// latency at or under it is the machine's, not the mode's.
func plFloorLine(p *plot.Plot, y float64) (plLegendEntry, error) {
	l, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: y}, {X: p.X.Max, Y: y}})
	if err != nil {
		return plLegendEntry{}, err
	}
	l.Color = color.Gray{Y: 110}
	l.Width = vg.Points(1.5)
	l.Dashes = []vg.Length{vg.Points(6), vg.Points(4)}
	p.Add(l)
	return plLegendEntry{label: plFloorLabel, thumbs: []plot.Thumbnailer{l}}, nil
}

// plRateKeys lists the rateKeys of ss: paced rates ascending, then max,
// then b2b.
func plRateKeys(ss []schema.Scenario) []string {
	var out []string
	for _, r := range plRates(ss) {
		out = append(out, strconv.FormatUint(r, 10))
	}
	for _, k := range []string{"max", "b2b"} {
		for _, s := range ss {
			if s.Params.RateKey() == k {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

// addLogLines gives p a log Y axis over the extent of ss (and of the
// values also, drawn otherwise) and draws ss on it, spread apart (see
// addLines).
func (c *plCharts) addLogLines(p *plot.Plot, ss []plSeries, also ...float64) ([]plLegendEntry, error) {
	_, _, lo, hi := plExtent(ss)
	for _, y := range also {
		lo, hi = min(lo, y), max(hi, y)
	}
	plSetLog(&p.Y, lo, hi, 1.4)
	return c.addLines(p, ss, true)
}

// plRateAxis sets a log rate axis labelled at the measured rates.
func plRateAxis(p *plot.Plot, rs []uint64) {
	plSetLog(&p.X, float64(rs[0]), float64(rs[len(rs)-1]), 1.3)
	p.X.Tick.Marker = plRateTicks(rs)
	p.X.Label.Text = "offered rate (events/s, log scale)"
}

// cpu draws consumer CPU per event against offered rate.
func (c *plCharts) cpu() error {
	for _, t := range c.transports {
		b := c.bases[t]
		ss := plPositive(c.rateSeries(b, "os.cpu_ns_per_event", 1))
		if len(ss) == 0 {
			continue
		}
		p := plNewPanel("", "", "consumer CPU per event (ns, log scale)")
		plRateAxis(p, plRates(b))
		leg, err := c.addLogLines(p, ss)
		if err != nil {
			return err
		}
		c.figs = append(c.figs, &plFigure{
			Chart: Chart{Name: plChartName("cpu", t),
				Title:   fmt.Sprintf("Consumer CPU per event vs offered rate, %s", t),
				Caption: fmt.Sprintf("Consumer-side CPU time per event (ns, log) vs offered rate per read mode on %s; %s; %s.", t, plDescribeSweep(b[0].Params), plRepsNote(b))},
			w: 8 * vg.Inch, h: 5 * vg.Inch, panels: [][]*plot.Plot{{p}}, legend: leg})
	}
	return nil
}

// syscalls draws syscalls and Go scheduler events per event, side by side.
func (c *plCharts) syscalls() error {
	for _, t := range c.transports {
		b := c.bases[t]
		var rows []*plot.Plot
		var leg []plLegendEntry
		zeros := false
		for _, m := range []struct{ key, title, unit string }{
			{"os.syscalls_per_event", "syscalls per event", "syscalls per event (log scale)"},
			{"go.sched_events_per_event", "Go scheduler events per event", "scheduler events per event (log scale)"},
		} {
			all := c.rateSeries(b, m.key, 1)
			ss := plPositive(all)
			zeros = zeros || plCount(all) != plCount(ss)
			if len(ss) == 0 {
				continue
			}
			p := plNewPanel(m.title, "", m.unit)
			plRateAxis(p, plRates(b))
			l, err := c.addLogLines(p, ss)
			if err != nil {
				return err
			}
			leg = plMergeLegend(leg, l)
			rows = append(rows, p)
		}
		if len(rows) == 0 {
			continue
		}
		note := ""
		if zeros {
			note = "; zero values cannot be drawn on the log axis and are left out"
		}
		c.figs = append(c.figs, &plFigure{
			Chart: Chart{Name: plChartName("syscalls-sched", t),
				Title:   fmt.Sprintf("Syscalls and Go scheduler events per event, %s", t),
				Caption: fmt.Sprintf("Consumer-side syscalls and Go scheduler events per event (log) vs offered rate per read mode on %s; %s; %s%s.", t, plDescribeSweep(b[0].Params), plRepsNote(b), note)},
			w: 10 * vg.Inch, h: 5 * vg.Inch, panels: [][]*plot.Plot{rows}, legend: leg})
	}
	return nil
}

func plCount(ss []plSeries) (n int) {
	for _, s := range ss {
		n += len(s.pts)
	}
	return n
}

// plMergeLegend adds the entries of more whose label legend lacks.
func plMergeLegend(legend, more []plLegendEntry) []plLegendEntry {
	have := map[string]bool{}
	for _, e := range legend {
		have[e.label] = true
	}
	for _, e := range more {
		if !have[e.label] {
			legend = append(legend, e)
		}
	}
	return legend
}
