package report

import (
	"bytes"
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// HlogReps writes one interval histogram per repetition (tagged rep1,
// rep2, …) in HdrHistogram's interval log format, so HdrHistogram's own
// tools (HistogramLogAnalyzer, hdr-plot) can read them. Intervals are laid
// end to end, durationMs each, in the repetitions' order: they are not wall
// clock times, which the log's comment says.
func HlogReps(reps []*hdrhistogram.Histogram, durationMs int64) ([]byte, error) {
	var b bytes.Buffer
	w := hdrhistogram.NewHistogramLogWriter(&b)
	if err := w.OutputLogFormatVersion(); err != nil {
		return nil, err
	}
	if err := w.OutputComment("ringbench: one interval per repetition, values in ns; interval times give the repetitions' order, not wall clock"); err != nil {
		return nil, err
	}
	if err := w.OutputLegend(); err != nil {
		return nil, err
	}
	for i, h := range reps {
		if h == nil {
			continue
		}
		c := hdrhistogram.Import(h.Export()) // tags and times are set on a copy
		c.SetTag(fmt.Sprintf("rep%d", i+1))
		c.SetStartTimeMs(int64(i) * durationMs)
		c.SetEndTimeMs(int64(i+1) * durationMs)
		if err := w.OutputIntervalHistogram(c); err != nil {
			return nil, fmt.Errorf("hlog rep %d: %w", i+1, err)
		}
	}
	return b.Bytes(), nil
}
