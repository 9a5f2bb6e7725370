package compare

import (
	"bytes"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"ringbench/report/view"
	"ringbench/schema"
)

// CompareChart is one chart of a comparison, written as plots/NAME.png and
// plots/NAME.svg in the comparison folder.
type CompareChart struct {
	Metric  string // compareMetric key
	Name    string // file base name, e.g. "compare-latency_p99"
	Title   string
	Caption string
}

// Chart geometry: one panel per scenario, a few panels a row.
const (
	comparePanelCols = 4
	comparePanelW    = 2.5 * vg.Inch
	comparePanelH    = 2.5 * vg.Inch
	compareHeader    = 0.6 * vg.Inch
)

var (
	compareFont   = font.Font{Typeface: "Liberation", Variant: "Sans"}
	compareColors = []color.Color{
		color.RGBA{0x8c, 0x8c, 0x8c, 0xff}, // A, the baseline: grey
		color.RGBA{0x1f, 0x77, 0xb4, 0xff},
		color.RGBA{0xff, 0x7f, 0x0e, 0xff},
		color.RGBA{0x94, 0x67, 0xbd, 0xff},
		color.RGBA{0x8c, 0x56, 0x4b, 0xff},
	}
	compareWorse  = color.RGBA{0xc0, 0x1c, 0x1c, 0xff}
	compareBetter = color.RGBA{0x1a, 0x80, 0x1a, 0xff}
)

func compareColor(i int) color.Color { return compareColors[i%len(compareColors)] }

// RenderCharts draws one chart per metric that any scenario in common has
// (small multiples: a panel per scenario, a bar per run at its median with
// the median's confidence interval, its repetitions as dots) into dir,
// PNG and SVG, each written atomically, in metric order. A metric no
// scenario measured, or 0 in every repetition, gets no chart.
func (c *CompareResult) RenderCharts(dir string) ([]CompareChart, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ids := c.chartScenarios()
	labels := compareLabels(c.scenarioParams(ids))
	var charts []CompareChart
	for _, m := range compareMetrics {
		var panels []*plot.Plot
		for i, id := range ids {
			if p := c.panel(m, id, labels[i]); p != nil {
				panels = append(panels, p)
			}
		}
		if len(panels) == 0 || c.allZero(m, ids) {
			// A chart of an earlier comparison into the same folder
			// would now be stale.
			for _, ext := range []string{".png", ".svg"} {
				os.Remove(filepath.Join(dir, "compare-"+m.Key+ext))
			}
			continue
		}
		ch := CompareChart{Metric: m.Key, Name: "compare-" + m.Key,
			Title: fmt.Sprintf("%s: %s", m.Label, c.runsTitle())}
		ch.Caption = c.chartCaption(m, len(panels))
		for _, format := range []string{"png", "svg"} {
			b, err := c.drawChart(ch.Title, panels, format)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", ch.Name, err)
			}
			if err := schema.WriteFileAtomic(filepath.Join(dir, ch.Name+"."+format), b); err != nil {
				return nil, err
			}
		}
		charts = append(charts, ch)
	}
	return charts, nil
}

// allZero says whether every repetition of every run has m at 0 in the
// scenarios ids (drops and allocations often are): nothing to draw.
func (c *CompareResult) allZero(m compareMetric, ids []string) bool {
	for i := range c.Runs {
		for _, id := range ids {
			for _, v := range c.vals[i][id][m.Key] {
				if v != 0 {
					return false
				}
			}
		}
	}
	return true
}

func (c *CompareResult) runsTitle() string {
	var labels []string
	for _, r := range c.Runs {
		labels = append(labels, r.Label)
	}
	return strings.Join(labels, " vs ")
}

// chartScenarios are the scenarios A shares with any other run, in A's
// order.
func (c *CompareResult) chartScenarios() []string {
	in := map[string]bool{}
	for _, p := range c.Pairs {
		for _, id := range p.Common {
			in[id] = true
		}
	}
	var ids []string
	for _, s := range view.Measured(c.Runs[0].Result) {
		if in[s.ID] {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

func (c *CompareResult) scenarioParams(ids []string) []schema.Params {
	var out []schema.Params
	for _, id := range ids {
		out = append(out, c.byID[0][id].Params)
	}
	return out
}

// row finds the comparison of one metric and scenario for run i (≥ 1).
func (c *CompareResult) row(i int, metric, id string) (MetricComparison, bool) {
	for _, r := range c.Pairs[i-1].Rows {
		if r.Metric == metric && r.Scenario == id {
			return r, true
		}
	}
	return MetricComparison{}, false
}

func (c *CompareResult) chartCaption(m compareMetric, panels int) string {
	better := "lower"
	if m.Higher {
		better = "higher"
	}
	return fmt.Sprintf("%s in %d scenarios, %s is better. Bars: each run's median with its %.0f%% confidence interval "+
		"(none with too few repetitions); dots: the repetitions; a panel title in red or green: significantly worse or better than A.",
		m.Label, panels, better, CompareConfidence*100)
}

// drawChart tiles the panels under a title line and a line naming the
// runs, and encodes the result.
func (c *CompareResult) drawChart(title string, panels []*plot.Plot, format string) ([]byte, error) {
	cols := min(comparePanelCols, len(panels))
	rows := (len(panels) + cols - 1) / cols
	w, h := vg.Length(cols)*comparePanelW, vg.Length(rows)*comparePanelH+compareHeader
	cw, err := draw.NewFormattedCanvas(w, h, format)
	if err != nil {
		return nil, err
	}
	dc := draw.New(cw)
	dc.SetColor(color.White)
	dc.Fill(dc.Rectangle.Path())
	head := text.Style{Color: color.Black, Font: font.From(compareFont, 13), XAlign: draw.XLeft,
		YAlign: draw.YTop, Handler: plot.DefaultTextHandler}
	pad := 0.15 * vg.Inch
	dc.FillText(head, vg.Point{X: pad, Y: h - pad/2}, title)
	x := pad
	head.Font.Size = 9
	for i, r := range c.Runs {
		head.Color = compareColor(i)
		t := fmt.Sprintf("■ %s = %s   ", r.Label, r.Name)
		dc.FillText(head, vg.Point{X: x, Y: h - pad/2 - 0.25*vg.Inch}, t)
		x += head.Width(t)
	}
	grid := make([][]*plot.Plot, rows)
	for i := range grid {
		grid[i] = make([]*plot.Plot, cols)
	}
	for i, p := range panels {
		grid[i/cols][i%cols] = p
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 0.1 * vg.Inch, PadY: 0.15 * vg.Inch,
		PadTop: 0.05 * vg.Inch, PadBottom: 0.1 * vg.Inch, PadLeft: 0.1 * vg.Inch, PadRight: 0.15 * vg.Inch}
	body := draw.Crop(dc, 0, 0, 0, -compareHeader)
	canvases := plot.Align(grid, tiles, body)
	for i, p := range panels {
		p.Draw(canvases[i/cols][i%cols])
	}
	var b bytes.Buffer
	if _, err := cw.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
