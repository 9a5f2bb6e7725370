package charts

import (
	"bytes"
	"image/color"
	"math"
	"path/filepath"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"ringbench/schema"
)

// plPngDPI is the resolution of the PNG charts: 8×5 in gives 768×480 pixels.
const plPngDPI = 96

// plFigure is one chart file: a title, a shared legend in a strip under it
// (never over the data) and one or more aligned panels.
type plFigure struct {
	Chart
	w, h   vg.Length
	panels [][]*plot.Plot // rows of panels, every row as long
	// heights weighs the rows' heights (nil: equal).
	heights []float64
	legend  []plLegendEntry
}

type plLegendEntry struct {
	label  string
	thumbs []plot.Thumbnailer
}

// write renders f to NAME.png and NAME.svg in dir.
func (f *plFigure) write(dir string) error {
	img := vgimg.NewWith(vgimg.UseWH(f.w, f.h), vgimg.UseDPI(plPngDPI))
	f.draw(draw.New(img))
	var png bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&png); err != nil {
		return err
	}
	svg := vgsvg.New(f.w, f.h)
	f.draw(draw.New(svg))
	var sv bytes.Buffer
	if _, err := svg.WriteTo(&sv); err != nil {
		return err
	}
	if err := schema.WriteFileAtomic(filepath.Join(dir, f.Name+".png"), png.Bytes()); err != nil {
		return err
	}
	return schema.WriteFileAtomic(filepath.Join(dir, f.Name+".svg"), sv.Bytes())
}

func plTextStyle(size float64, bold bool) text.Style {
	fnt := font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
	if bold {
		fnt.Weight = xfont.WeightBold
	}
	return text.Style{Color: color.Black, Font: fnt, Handler: plot.DefaultTextHandler}
}

const plPad = vg.Length(8)

func (f *plFigure) draw(dc draw.Canvas) {
	dc.FillPolygon(color.White, []vg.Point{dc.Min, {X: dc.Min.X, Y: dc.Max.Y}, dc.Max, {X: dc.Max.X, Y: dc.Min.Y}})
	top := dc.Max.Y - plPad
	title := plTextStyle(14, true)
	title.XAlign, title.YAlign = draw.XCenter, draw.YTop
	dc.FillText(title, vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: top}, f.Title)
	top -= title.Height(f.Title) + plPad/2
	top = f.drawLegend(dc, top)
	area := draw.Crop(dc, 0, 0, 0, top-dc.Max.Y)
	rows, cols := len(f.panels), len(f.panels[0])
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 3 * plPad, PadY: 2 * plPad,
		PadLeft: plPad / 2, PadRight: 2 * plPad, PadBottom: plPad / 2, PadTop: plPad / 2}
	// gonum places the glyph box of a centred axis label at the arithmetic
	// middle of the data range, which on a log axis is near the top and
	// wastes space there: reserve the labels' room with a blank and draw
	// them centred on the data area instead.
	type labels struct{ x, y string }
	saved := map[*plot.Plot]labels{}
	for _, row := range f.panels {
		for _, p := range row {
			saved[p] = labels{p.X.Label.Text, p.Y.Label.Text}
			if p.X.Label.Text != "" {
				p.X.Label.Text = " "
			}
			if p.Y.Label.Text != "" {
				p.Y.Label.Text = " "
			}
		}
	}
	canvases := plot.Align(f.panels, tiles, area)
	if len(f.heights) == rows {
		plWeighRows(canvases, f.heights, tiles.PadY)
	}
	for i, row := range f.panels {
		for j, p := range row {
			c := canvases[i][j]
			p.Draw(c)
			data := p.DataCanvas(c)
			l := saved[p]
			if l.x != "" {
				sty := p.X.Label.TextStyle
				c.FillText(sty, vg.Point{X: data.Center().X, Y: c.Min.Y + sty.FontExtents().Descent}, l.x)
			}
			if l.y != "" {
				sty := p.Y.Label.TextStyle
				x := c.Min.X + sty.Height(l.y) - sty.FontExtents().Descent
				sty.Rotation += math.Pi / 2
				c.FillText(sty, vg.Point{X: x, Y: data.Center().Y}, l.y)
			}
			p.X.Label.Text, p.Y.Label.Text = l.x, l.y
		}
	}
}

// drawLegend lays the entries out in centred rows under the title, wrapping
// when they do not fit, and returns the top of what is left.
func (f *plFigure) drawLegend(dc draw.Canvas, top vg.Length) vg.Length {
	if len(f.legend) == 0 {
		return top
	}
	sty := plTextStyle(11, false)
	sty.YAlign = draw.YCenter
	const thumbW, gap, sep = vg.Length(24), vg.Length(4), vg.Length(18)
	lineH := sty.FontExtents().Height + 4
	width := func(e plLegendEntry) vg.Length { return thumbW + gap + sty.Width(e.label) }
	avail := dc.Max.X - dc.Min.X - 2*plPad
	var rows [][]plLegendEntry
	var rowW []vg.Length
	for _, e := range f.legend {
		n := len(rows)
		if n == 0 || rowW[n-1]+sep+width(e) > avail {
			rows, rowW = append(rows, nil), append(rowW, -sep)
			n++
		}
		rows[n-1] = append(rows[n-1], e)
		rowW[n-1] += sep + width(e)
	}
	for i, row := range rows {
		y := top - lineH/2
		x := (dc.Min.X+dc.Max.X)/2 - rowW[i]/2
		for _, e := range row {
			thumb := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
				Min: vg.Point{X: x, Y: y - lineH/2 + 2}, Max: vg.Point{X: x + thumbW, Y: y + lineH/2 - 2}}}
			for _, t := range e.thumbs {
				t.Thumbnail(&thumb)
			}
			dc.FillText(sty, vg.Point{X: x + thumbW + gap, Y: y}, e.label)
			x += width(e) + sep
		}
		top -= lineH
	}
	return top - plPad/2
}

// plNewPanel is a plot with the chart fonts and a grid; title names the
// panel of a multi-panel figure ("" for a single panel).
func plNewPanel(title, xlabel, ylabel string) *plot.Plot {
	return plPanelWith(true, title, xlabel, ylabel)
}

// plPanelWith is newPanel with the vertical grid lines optional (bar charts
// have none: they would run through the bars).
func plPanelWith(xgrid bool, title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = plTextStyle(12, true).Font
	p.X.Label.Text, p.Y.Label.Text = xlabel, ylabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = plTextStyle(11, false).Font
		a.Tick.Label.Font = plTextStyle(10, false).Font
		a.Padding = vg.Points(4)
	}
	p.Add(plGrid{x: xgrid})
	return p
}

// plGrid draws light lines at the major (labelled) ticks of both axes.
type plGrid struct{ x bool }

func (g plGrid) Plot(c draw.Canvas, p *plot.Plot) {
	sty := draw.LineStyle{Color: color.Gray{Y: 225}, Width: vg.Points(0.5)}
	trX, trY := p.Transforms(&c)
	for _, t := range p.X.Tick.Marker.Ticks(p.X.Min, p.X.Max) {
		if g.x && t.Label != "" && t.Value >= p.X.Min && t.Value <= p.X.Max {
			c.StrokeLine2(sty, trX(t.Value), c.Min.Y, trX(t.Value), c.Max.Y)
		}
	}
	for _, t := range p.Y.Tick.Marker.Ticks(p.Y.Min, p.Y.Max) {
		if t.Label != "" && t.Value >= p.Y.Min && t.Value <= p.Y.Max {
			c.StrokeLine2(sty, c.Min.X, trY(t.Value), c.Max.X, trY(t.Value))
		}
	}
}

// plWeighRows shares the height of aligned rows of canvases out by weight,
// keeping their horizontal alignment.
func plWeighRows(cs [][]draw.Canvas, weights []float64, gap vg.Length) {
	top, bottom := cs[0][0].Max.Y, cs[len(cs)-1][0].Min.Y
	total := 0.0
	for _, w := range weights {
		total += w
	}
	avail := top - bottom - gap*vg.Length(len(cs)-1)
	for i, row := range cs {
		h := avail * vg.Length(weights[i]/total)
		for j := range row {
			row[j].Max.Y, row[j].Min.Y = top, top-h
		}
		top -= h + gap
	}
}
