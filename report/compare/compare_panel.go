package compare

import (
	"fmt"
	"image/color"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"ringbench/report/view"
	"ringbench/schema"
)

// panel draws one scenario of one metric: a bar per run at its median,
// the median's confidence interval, the repetitions as dots, and a title
// with the scenario and each run's change against A. Nil when no run has
// the metric in this scenario.
func (c *CompareResult) panel(m compareMetric, id, label string) *plot.Plot {
	p := plot.New()
	names := make([]string, len(c.Runs))
	drawn := false
	for i, r := range c.Runs {
		names[i] = r.Label
		vals := c.vals[i][id][m.Key]
		if len(vals) == 0 {
			continue
		}
		drawn = true
		s := cmpSideOf(cmpSample(vals))
		bar, err := plotter.NewBarChart(plotter.Values{s.Median}, 18)
		if err != nil {
			return nil
		}
		bar.XMin, bar.Color, bar.LineStyle.Width = float64(i), compareColor(i), 0
		p.Add(bar)
		if s.CILo != nil {
			eb, err := plotter.NewYErrorBars(cmpErrBar{x: float64(i), y: s.Median,
				lo: s.Median - *s.CILo, hi: *s.CIHi - s.Median})
			if err == nil {
				eb.LineStyle.Width, eb.CapWidth = vg.Points(1.2), vg.Points(8)
				p.Add(eb)
			}
		}
		dots := make(plotter.XYs, len(s.Values))
		for j, v := range s.Values {
			dots[j] = plotter.XY{X: float64(i) + 0.05*(float64(j)-float64(len(s.Values)-1)/2), Y: v}
		}
		if sc, err := plotter.NewScatter(dots); err == nil {
			sc.GlyphStyle = draw.GlyphStyle{Color: color.Black, Radius: vg.Points(1.5), Shape: draw.CircleGlyph{}}
			p.Add(sc)
		}
	}
	if !drawn {
		return nil
	}
	verdict, col := c.panelVerdict(m, id)
	p.Title.Text = cmpWrap(label, 34) + "\n" + cmpWrap(verdict, 40)
	p.Title.TextStyle.Font = font.From(compareFont, 9)
	p.Title.TextStyle.Color = col
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	p.X.Tick.Label.Font = font.From(compareFont, 9)
	p.Y.Tick.Label.Font = font.From(compareFont, 8)
	p.Y.Min = 0
	if p.Y.Max <= 0 {
		p.Y.Max = 1
	}
	p.Y.Max *= 1.05
	p.Y.Tick.Marker = plot.TickerFunc(func(lo, hi float64) []plot.Tick {
		ticks := plot.DefaultTicks{}.Ticks(lo, hi)
		for i := range ticks {
			if ticks[i].Label != "" {
				ticks[i].Label = m.Format(ticks[i].Value)
			}
		}
		return ticks
	})
	return p
}

// panelVerdict is each compared run's change in a panel title, red when
// one got significantly worse, green when one got better and none worse.
func (c *CompareResult) panelVerdict(m compareMetric, id string) (string, color.Color) {
	var parts []string
	var col color.Color = color.Black
	for i := 1; i < len(c.Runs); i++ {
		r, ok := c.row(i, m.Key, id)
		label := c.Runs[i].Label
		switch {
		case !ok:
			parts = append(parts, label+" n/a")
		case r.Verdict == VerdictTooFew:
			parts = append(parts, label+" too few reps")
		case r.Significant:
			parts = append(parts, fmt.Sprintf("%s %s %s", label, cmpChange(r), cmpP(r.P)))
			if r.Verdict == VerdictWorse {
				col = compareWorse
			} else if col != compareWorse {
				col = compareBetter
			}
		default:
			parts = append(parts, fmt.Sprintf("%s ~ %s", label, cmpP(r.P)))
		}
	}
	return strings.Join(parts, ", "), col
}

// cmpErrBar is one error bar at (x, y), lo below and hi above.
type cmpErrBar struct{ x, y, lo, hi float64 }

func (e cmpErrBar) Len() int                      { return 1 }
func (e cmpErrBar) XY(int) (float64, float64)     { return e.x, e.y }
func (e cmpErrBar) YError(int) (float64, float64) { return e.lo, e.hi }

// cmpWrap breaks a label into lines of at most width runes at spaces.
func cmpWrap(s string, width int) string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return strings.Join(append(lines, line), "\n")
}

// compareLabels names scenarios briefly for chart panels: transport, read
// mode and rate (when rates differ), then each knob whose value differs
// from the one most scenarios of that transport and mode share.
func compareLabels(ps []schema.Params) []string {
	rate := func(p schema.Params) string {
		if p.B2B || p.Rate == 0 {
			return view.RateOf(p)
		}
		return view.RateOf(p) + "/s"
	}
	knobs := []func(schema.Params) string{
		func(p schema.Params) string { return "wakeup=" + p.Wakeup },
		func(p schema.Params) string { return "hashmap=" + p.Hashmap },
		func(p schema.Params) string { return "batch=" + strconv.Itoa(p.Batch) },
		func(p schema.Params) string { return "payload=" + strconv.Itoa(p.Payload) },
		func(p schema.Params) string { return "producers=" + strconv.Itoa(p.Producers) },
		func(p schema.Params) string { return "ring=" + strconv.Itoa(p.RingBytes) },
		func(p schema.Params) string { return "delivery=" + p.Delivery },
		func(p schema.Params) string { return "work=" + p.Work },
		func(p schema.Params) string { return "backoff=" + p.Backoff },
		func(p schema.Params) string { return "output=" + strconv.FormatBool(p.Output) },
		func(p schema.Params) string { return "pin=" + strconv.FormatBool(p.Pin) },
		func(p schema.Params) string { return "gomaxprocs=" + strconv.Itoa(p.GOMAXPROCS) },
	}
	rates := map[string]bool{}
	for _, p := range ps {
		rates[p.RateKey()] = true
	}
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Transport + " " + view.ModeLabel(p)
		if len(rates) > 1 {
			out[i] += " " + rate(p)
		}
	}
	for _, k := range knobs {
		// The modal value per transport and mode, ties to the first seen.
		count := map[[2]string]int{}
		modal := map[string]string{}
		for _, p := range ps {
			g := p.Transport + " " + view.ModeLabel(p)
			key := [2]string{g, k(p)}
			count[key]++
			if m, ok := modal[g]; !ok || count[key] > count[[2]string{g, m}] {
				modal[g] = k(p)
			}
		}
		for i, p := range ps {
			if v := k(p); v != modal[p.Transport+" "+view.ModeLabel(p)] {
				out[i] += " " + v
			}
		}
	}
	return out
}
