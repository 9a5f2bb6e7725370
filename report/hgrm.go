package report

import (
	"bytes"
	"fmt"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/schema"
)

// HgrmMicros writes h as HdrHistogram's percentile-distribution text
// (.hgrm), values in microseconds (the histograms hold nanoseconds), which
// HdrHistogram's own plotter reads.
func HgrmMicros(h *hdrhistogram.Histogram) ([]byte, error) {
	var b bytes.Buffer
	if _, err := h.PercentilesPrint(&b, 5, 1000.0); err != nil {
		return nil, fmt.Errorf("write hgrm: %w", err)
	}
	return b.Bytes(), nil
}

// WriteHgrm writes path atomically, or nothing when h is nil or empty.
func WriteHgrm(path string, h *hdrhistogram.Histogram) error {
	if h == nil || h.TotalCount() == 0 {
		return nil
	}
	b, err := HgrmMicros(h)
	if err != nil {
		return err
	}
	return schema.WriteFileAtomic(path, b)
}
