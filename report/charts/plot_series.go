package charts

import (
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// plPoint is one mean with its error bar.
type plPoint struct {
	x float64
	plValue
}

// plSeries is one line of a chart: a mode across rates or percentiles.
type plSeries struct {
	label string
	pts   []plPoint
}

// plPalette is Okabe–Ito, readable by colour-blind readers; modes keep their
// colour and glyph across every chart.
var plPalette = []color.RGBA{
	{0x00, 0x72, 0xB2, 255}, {0xD5, 0x5E, 0x00, 255}, {0x00, 0x9E, 0x73, 255},
	{0xCC, 0x79, 0xA7, 255}, {0xE6, 0x9F, 0x00, 255}, {0x56, 0xB4, 0xE9, 255},
	{0x00, 0x00, 0x00, 255}, {0x99, 0x99, 0x99, 255},
}

var plGlyphs = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.SquareGlyph{},
	draw.TriangleGlyph{}, draw.PyramidGlyph{}, draw.RingGlyph{}, draw.BoxGlyph{},
	draw.CrossGlyph{}, draw.PlusGlyph{}}

func (c *plCharts) modeColor(label string) color.RGBA {
	if l, ok := c.lineOf[label]; ok {
		return plPalette[l.mode%len(plPalette)]
	}
	return plPalette[c.modes[label]%len(plPalette)]
}

// modeGlyph is a mode's glyph; a mode's later lines (other wakeup
// policies) take the glyph three places on per line (0, 3, 6, 1, …: the
// first three of a mode differ whatever its rank).
func (c *plCharts) modeGlyph(label string) draw.GlyphDrawer {
	if l, ok := c.lineOf[label]; ok {
		return plGlyphs[(l.mode+3*l.policy)%len(plGlyphs)]
	}
	return plGlyphs[c.modes[label]%len(plGlyphs)]
}

// plPolicyDashes draw a line by its place among its mode's lines: solid
// for the first (its first natural policy), dotted for the second,
// dash-dot for the others
// (long dashes are the charts' reference lines: offered rate, noise
// floor).
var plPolicyDashes = [][]vg.Length{nil, {vg.Points(1.5), vg.Points(2.5)}, {vg.Points(5), vg.Points(2), vg.Points(1.5), vg.Points(2)}}

// plExtent is the range of the means and error bars of ss; lo ignores bar
// ends at or below zero, which a log axis cannot show.
func plExtent(ss []plSeries) (xlo, xhi, lo, hi float64) {
	xlo, lo = math.Inf(1), math.Inf(1)
	xhi, hi = math.Inf(-1), math.Inf(-1)
	for _, s := range ss {
		for _, p := range s.pts {
			xlo, xhi = math.Min(xlo, p.x), math.Max(xhi, p.x)
			lo, hi = math.Min(lo, p.mean), math.Max(hi, p.mean+p.sd)
			if p.mean-p.sd > 0 {
				lo = math.Min(lo, p.mean-p.sd)
			}
		}
	}
	return
}

// plPositive drops the points a log axis cannot show.
func plPositive(ss []plSeries) []plSeries {
	var out []plSeries
	for _, s := range ss {
		var pts []plPoint
		for _, p := range s.pts {
			if p.mean > 0 {
				pts = append(pts, p)
			}
		}
		if len(pts) > 0 {
			out = append(out, plSeries{s.label, pts})
		}
	}
	return out
}

// plErrPts are the points of a series as plotter's error-bar input; bars
// are cut at floor, the bottom of a log axis.
type plErrPts struct {
	pts   []plPoint
	floor float64
}

func (e plErrPts) Len() int                { return len(e.pts) }
func (e plErrPts) XY(i int) (x, y float64) { return e.pts[i].x, e.pts[i].mean }
func (e plErrPts) YError(i int) (float64, float64) {
	p := e.pts[i]
	lo := p.sd
	if p.mean-lo < e.floor {
		lo = p.mean - e.floor
	}
	return lo, p.sd
}

// addLines draws each series on p as a line with markers and error bars in
// its mode's colour and returns the legend entries. Call after the Y axis
// and X ranges are set: error bars are cut at the bottom of Y.
// With dodge the series are spread a few pixels apart along x so that
// their error bars at one x do not hide each other.
func (c *plCharts) addLines(p *plot.Plot, ss []plSeries, dodge bool) ([]plLegendEntry, error) {
	var leg []plLegendEntry
	_, isLog := p.X.Scale.(plot.LogScale)
	for k, s := range ss {
		shift := 0.0
		if dodge {
			shift = (float64(k) - float64(len(ss)-1)/2) * 0.008 // of the x range
		}
		pts := make([]plPoint, len(s.pts))
		for i, pt := range s.pts {
			if isLog {
				pt.x *= math.Pow(p.X.Max/p.X.Min, shift)
			} else {
				pt.x += (p.X.Max - p.X.Min) * shift
			}
			pts[i] = pt
		}
		s.pts = pts
		sort.Slice(s.pts, func(i, j int) bool { return s.pts[i].x < s.pts[j].x })
		col := c.modeColor(s.label)
		xys := plErrPts{pts: s.pts, floor: p.Y.Min}
		line, sc, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, err
		}
		line.Color, line.Width = col, vg.Points(2)
		line.Dashes = plPolicyDashes[min(c.lineOf[s.label].policy, len(plPolicyDashes)-1)]
		sc.Color = col
		sc.Shape = c.modeGlyph(s.label)
		sc.Radius = vg.Points(3.5)
		var withSD []plPoint
		for _, pt := range s.pts {
			if pt.hasSD && pt.sd > 0 {
				withSD = append(withSD, pt)
			}
		}
		if len(withSD) > 0 {
			eb, err := plotter.NewYErrorBars(plErrPts{pts: withSD, floor: p.Y.Min})
			if err != nil {
				return nil, err
			}
			eb.Color, eb.Width = col, vg.Points(1.2)
			p.Add(eb)
		}
		if len(s.pts) > 1 {
			p.Add(line)
		}
		p.Add(sc)
		leg = append(leg, plLegendEntry{s.label, []plot.Thumbnailer{line, sc}})
	}
	return leg, nil
}
