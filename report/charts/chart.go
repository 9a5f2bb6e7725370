package charts

import (
	"ringbench/schema"
)

// Chart is one figure of a run, written as plots/NAME.png and
// plots/NAME.svg in the run folder.
type Chart struct {
	Name    string // file base name, e.g. "latency-ringbuf-100000"
	Title   string
	Caption string // one line for report.md, from the data: what the chart shows
}

// RenderCharts draws every chart r has data for into dir (created if
// missing), PNG and SVG, each written atomically, and returns them in
// report order. A chart without data is left out, never drawn empty.
func RenderCharts(r *schema.Result, dir string) ([]Chart, error) {
	return renderAll(r, dir)
}
