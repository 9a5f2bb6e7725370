package report

import (
	"fmt"
	"path/filepath"

	"ringbench/report/charts"
	"ringbench/report/markdown"
	"ringbench/schema"
)

// WriteReport renders the report of the run in dir: it reads dir/run.json
// and, when present, dir/claims.json (the array `ringbench claims --json`
// writes), rewrites dir/bench.txt and dir/summary.csv, draws the charts
// into dir/plots, and writes dir/report.md atomically. It returns the report's path. The same run gives the same
// bytes every time.
func WriteReport(dir string, o markdown.Options) (string, error) {
	r, err := schema.ReadResult(filepath.Join(dir, "run.json"))
	if err != nil {
		return "", err
	}
	cl, err := schema.ReadClaims(filepath.Join(dir, "claims.json"))
	if err != nil {
		return "", err
	}
	// bench.txt and summary.csv are views of run.json too; rewriting them
	// keeps an old run's in step with this version's formats.
	if err := schema.WriteFileAtomic(filepath.Join(dir, "bench.txt"), BenchTxt(r)); err != nil {
		return "", err
	}
	csv, err := SummaryCSV(r)
	if err != nil {
		return "", err
	}
	if err := schema.WriteFileAtomic(filepath.Join(dir, "summary.csv"), csv); err != nil {
		return "", err
	}
	charts, err := charts.RenderCharts(r, filepath.Join(dir, "plots"))
	if err != nil {
		return "", fmt.Errorf("charts: %w", err)
	}
	path := filepath.Join(dir, "report.md")
	if err := schema.WriteFileAtomic(path, markdown.Markdown(r, cl, charts, o)); err != nil {
		return "", err
	}
	return path, nil
}
