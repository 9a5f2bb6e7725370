package charts

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// plBarColors tell the series of a grouped bar chart apart (Paul Tol's
// bright scheme, distinct from the mode colours of the line charts).
var plBarColors = []color.RGBA{
	{0x44, 0x77, 0xAA, 255}, {0xEE, 0x66, 0x77, 255}, {0x22, 0x88, 0x33, 255},
	{0xCC, 0xBB, 0x44, 255}, {0x66, 0xCC, 0xEE, 255}, {0xAA, 0x33, 0x77, 255},
	{0xBB, 0xBB, 0xBB, 255},
}

// plBars draws one series of a bar chart in data coordinates, with error bars
// and its value written above each bar; a missing value gets "n/a" so an
// absent figure is never mistaken for zero.
type plBars struct {
	xs     []float64
	vals   []*plValue
	width  float64 // in x data units
	color  color.Color
	format func(float64) string
}

func (b *plBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	outline := draw.LineStyle{Color: color.Gray{Y: 60}, Width: vg.Points(0.6)}
	errSty := draw.LineStyle{Color: color.Black, Width: vg.Points(1.2)}
	lab := plTextStyle(10, false)
	lab.XAlign, lab.YAlign = draw.XCenter, draw.YBottom
	for i, x := range b.xs {
		x0, x1 := trX(x-b.width/2), trX(x+b.width/2)
		v := b.vals[i]
		if v == nil {
			na := lab
			na.Color = color.Gray{Y: 110}
			c.FillText(na, vg.Point{X: trX(x), Y: trY(0) + 3}, "n/a")
			continue
		}
		y0, y1 := trY(0), trY(v.mean)
		rect := []vg.Point{{X: x0, Y: y0}, {X: x0, Y: y1}, {X: x1, Y: y1}, {X: x1, Y: y0}}
		c.FillPolygon(b.color, c.ClipPolygonY(rect))
		c.StrokeLines(outline, c.ClipLinesY(append(rect, rect[0]))...)
		top := y1
		if v.hasSD && v.sd > 0 {
			xm, lo, hi := trX(x), trY(math.Max(0, v.mean-v.sd)), trY(v.mean+v.sd)
			capW := vg.Points(4)
			c.StrokeLine2(errSty, xm, lo, xm, hi)
			c.StrokeLine2(errSty, xm-capW, lo, xm+capW, lo)
			c.StrokeLine2(errSty, xm-capW, hi, xm+capW, hi)
			top = hi
		}
		plBoxedText(c, lab, vg.Point{X: trX(x), Y: top + 3}, b.format(v.mean))
	}
}

// plBoxedText writes txt centred above pt on a white box, so grid lines do not cross it.
func plBoxedText(c draw.Canvas, sty text.Style, pt vg.Point, txt string) {
	w, h := sty.Width(txt), sty.Height(txt)
	r := vg.Rectangle{Min: vg.Point{X: pt.X - w/2 - 1, Y: pt.Y - 1}, Max: vg.Point{X: pt.X + w/2 + 1, Y: pt.Y + h}}
	c.FillPolygon(color.White, []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}})
	c.FillText(sty, pt, txt)
}

func (b *plBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	xmin, xmax = math.Inf(1), math.Inf(-1)
	for i, x := range b.xs {
		xmin, xmax = math.Min(xmin, x-b.width/2), math.Max(xmax, x+b.width/2)
		if v := b.vals[i]; v != nil {
			ymax = math.Max(ymax, v.mean+v.sd)
		}
	}
	return xmin, xmax, 0, ymax
}

func (b *plBars) Thumbnail(c *draw.Canvas) {
	r := c.Rectangle
	c.FillPolygon(b.color, []vg.Point{r.Min, {X: r.Min.X, Y: r.Max.Y}, r.Max, {X: r.Max.X, Y: r.Min.Y}})
}

// plBarPanel is one panel of grouped bars: a group per category along x and
// a bar per series in each group; vals[series][category] is nil where the
// figure is absent.
type plBarPanel struct {
	title, xlabel, ylabel string
	cats                  []string
	series                []string
	vals                  [][]*plValue
	colors                []color.Color // per series; nil: plBarColors
	format                func(float64) string
}

func (bp plBarPanel) plot() (*plot.Plot, []plLegendEntry, bool) {
	p := plPanelWith(false, bp.title, bp.xlabel, bp.ylabel)
	k := len(bp.series)
	w := 0.8 / float64(k)
	hi := 0.0
	hasData := false
	var leg []plLegendEntry
	for j, name := range bp.series {
		col := color.Color(plBarColors[j%len(plBarColors)])
		if bp.colors != nil {
			col = bp.colors[j]
		}
		b := &plBars{width: w * 0.9, color: col, format: bp.format}
		for i := range bp.cats {
			b.xs = append(b.xs, float64(i)+(float64(j)-float64(k-1)/2)*w)
			v := bp.vals[j][i]
			b.vals = append(b.vals, v)
			if v != nil {
				hasData = true
				hi = math.Max(hi, v.mean+v.sd)
			}
		}
		p.Add(b)
		leg = append(leg, plLegendEntry{name, []plot.Thumbnailer{b}})
	}
	plSetLinear(&p.Y, hi, 1.18)
	p.X.Min, p.X.Max = -0.5, float64(len(bp.cats))-0.5
	var ticks plot.ConstantTicks
	for i, c := range bp.cats {
		ticks = append(ticks, plot.Tick{Value: float64(i), Label: c})
	}
	p.X.Tick.Marker = ticks
	p.X.Tick.Label.Font = plTextStyle(11, false).Font
	p.X.Tick.Length = 0
	return p, leg, hasData
}
