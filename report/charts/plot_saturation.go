package charts

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"ringbench/internal/format"
	"ringbench/report/view"
	"ringbench/schema"
)

// saturation draws consumed against offered events/s, and the drops.
func (c *plCharts) saturation() error {
	for _, t := range c.transports {
		b := c.bases[t]
		rs := plRates(b)
		consumed := plPositive(c.rateSeries(b, "throughput.consumed_eps", 1))
		if len(rs) == 0 || len(consumed) == 0 {
			continue
		}
		top := plNewPanel("consumed events/s", "", "consumed (events/s, log scale)")
		plRateAxis(top, rs)
		_, _, lo, hi := plExtent(consumed)
		plSetLog(&top.Y, math.Min(lo, float64(rs[0])), math.Max(hi, float64(rs[len(rs)-1])), 1.3)
		ref := plotter.NewFunction(func(x float64) float64 { return x })
		ref.Color, ref.Width, ref.Dashes = color.Gray{Y: 90}, vg.Points(1.2), []vg.Length{vg.Points(5), vg.Points(4)}
		leg, err := c.addLines(top, consumed, false)
		if err != nil {
			return err
		}
		top.Add(ref) // over the lines: where they follow it, it still shows
		leg = append(leg, plLegendEntry{"offered (y = x)", []plot.Thumbnailer{ref}})

		var drops []plSeries
		maxPct, worst, worstP := 0.0, 1.0, schema.Params{}
		for _, s := range b {
			cv, ok1 := plGet(s, "throughput.consumed_eps")
			dv, ok2 := plGet(s, "throughput.dropped_eps")
			if s.Params.Rate == 0 || !ok1 || !ok2 || cv.mean+dv.mean <= 0 {
				continue
			}
			emitted := cv.mean + dv.mean
			pct := plValue{mean: 100 * dv.mean / emitted, sd: 100 * dv.sd / emitted, hasSD: dv.hasSD}
			maxPct = math.Max(maxPct, pct.mean)
			if f := emitted / float64(s.Params.Rate); f < worst {
				worst, worstP = f, s.Params
			}
			drops = plAppendPoint(drops, view.LineLabel(s.Params), plPoint{float64(s.Params.Rate), pct})
		}
		rows := [][]*plot.Plot{{top}}
		h := 5 * vg.Inch
		if len(drops) > 0 {
			bot := plNewPanel("dropped, % of emitted", "", "dropped (%)")
			plRateAxis(bot, rs)
			_, _, _, dhi := plExtent(drops)
			plSetLinear(&bot.Y, math.Max(dhi, 1), 1.15)
			if _, err := c.addLines(bot, c.orderSeries(drops), false); err != nil {
				return err
			}
			top.X.Label.Text = ""
			rows, h = append(rows, []*plot.Plot{bot}), 6.5*vg.Inch
		}
		note := "no drops"
		if maxPct > 0 {
			note = fmt.Sprintf("drops up to %s%% of emitted", format.Sig3(maxPct))
		}
		if worst < 0.97 {
			note += fmt.Sprintf("; below the dashed line without drops the producer fell short of the offered rate (%s %s: %s of %s ev/s emitted)",
				view.LineLabel(worstP), view.RateLabel(worstP.Rate), format.SI(worst*float64(worstP.Rate)), view.RateLabel(worstP.Rate))
		}
		c.figs = append(c.figs, &plFigure{
			Chart: Chart{Name: plChartName("saturation", t),
				Title:   fmt.Sprintf("Saturation: consumed vs offered events/s, %s", t),
				Caption: fmt.Sprintf("Consumed vs offered events/s per read mode on %s (log–log, the grey dashed line = offered) with drops below; %s; %s; %s.", t, plDescribeSweep(b[0].Params), note, plRepsNote(b))},
			w: 8 * vg.Inch, h: h, panels: rows, heights: []float64{2, 1}, legend: leg})
	}
	return nil
}

func plAppendPoint(ss []plSeries, label string, p plPoint) []plSeries {
	for i := range ss {
		if ss[i].label == label {
			ss[i].pts = append(ss[i].pts, p)
			return ss
		}
	}
	return append(ss, plSeries{label, []plPoint{p}})
}

func (c *plCharts) orderSeries(ss []plSeries) []plSeries {
	out := append([]plSeries(nil), ss...)
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && c.modes[out[j].label] < c.modes[out[j-1].label]; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
