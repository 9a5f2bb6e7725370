package charts

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"ringbench/internal/format"
	"ringbench/report/view"
)

// breakdown stacks the phases' means per mode, one chart per transport and
// rate: means, because the mean of a sum is the sum of the means, so the
// stack's height is the split events' mean latency.
func (c *plCharts) breakdown() error {
	for _, g := range view.BreakdownGroups(c.measured) {
		p0 := g[0].Params
		p := plPanelWith(false, "", "read mode", "mean latency (µs)")
		st := &plStack{}
		for _, s := range g {
			st.cats = append(st.cats, view.ModeLabel(s.Params))
			var seg []float64
			for _, ph := range view.BreakdownPhases {
				seg = append(seg, s.Summary[view.BreakdownKey(ph.Key, "mean_ns")].Mean/1e3)
			}
			st.segs = append(st.segs, seg)
		}
		p.Add(st)
		hi := 0.0
		for _, seg := range st.segs {
			hi = math.Max(hi, sum(seg))
		}
		plSetLinear(&p.Y, hi, 1.18)
		p.X.Min, p.X.Max = -0.5, float64(len(st.cats))-0.5
		var ticks plot.ConstantTicks
		for i, cat := range st.cats {
			ticks = append(ticks, plot.Tick{Value: float64(i), Label: cat})
		}
		p.X.Tick.Marker, p.X.Tick.Length = ticks, 0
		var leg []plLegendEntry
		for j, ph := range view.BreakdownPhases {
			leg = append(leg, plLegendEntry{ph.Label, []plot.Thumbnailer{plSwatch{plBarColors[j]}}})
		}
		ch := Chart{Name: plChartName("breakdown", p0.Transport, p0.RateKey()),
			Title: fmt.Sprintf("Where the latency goes: %s %s", p0.Transport, view.AtRate(p0)),
			Caption: fmt.Sprintf("Mean time per phase of the events read after a wakeup of their own, stacked per read mode "+
				"(%s %s, --breakdown): the stack is their mean latency; means of %s.", p0.Transport, view.AtRate(p0), plRepsCount(g))}
		c.figs = append(c.figs, &plFigure{Chart: ch, w: 8 * vg.Inch, h: 5 * vg.Inch,
			panels: [][]*plot.Plot{{p}}, legend: leg})
	}
	return nil
}

// plStack draws one stacked bar per category, segments bottom up in
// plBarColors' order, with the total above.
type plStack struct {
	cats []string
	segs [][]float64 // per category, per segment
}

func (s *plStack) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	outline := draw.LineStyle{Color: color.Gray{Y: 60}, Width: vg.Points(0.6)}
	lab := plTextStyle(10, false)
	lab.XAlign, lab.YAlign = draw.XCenter, draw.YBottom
	for i, seg := range s.segs {
		x0, x1 := trX(float64(i)-0.3), trX(float64(i)+0.3)
		base := 0.0
		for j, v := range seg {
			y0, y1 := trY(base), trY(base+v)
			rect := []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
			c.FillPolygon(plBarColors[j%len(plBarColors)], c.ClipPolygonY(rect))
			c.StrokeLines(outline, c.ClipLinesY(append(rect, rect[0]))...)
			base += v
		}
		plBoxedText(c, lab, vg.Point{X: trX(float64(i)), Y: trY(base) + 3}, format.SI(base)+" µs")
	}
}

func (s *plStack) DataRange() (xmin, xmax, ymin, ymax float64) {
	for _, seg := range s.segs {
		ymax = math.Max(ymax, sum(seg))
	}
	return -0.5, float64(len(s.cats)) - 0.5, 0, ymax
}

// plSwatch is a legend's filled square.
type plSwatch struct{ color color.Color }

func (w plSwatch) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(w.color, []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}})
}

func sum(xs []float64) float64 {
	t := 0.0
	for _, x := range xs {
		t += x
	}
	return t
}
