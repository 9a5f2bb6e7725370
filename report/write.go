package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"ringbench/schema"
)

// WriteReport renders the report of the run in dir: it reads dir/run.json
// and, when present, dir/claims.json (the array `ringbench claims --json`
// writes), rewrites dir/bench.txt and dir/summary.csv, draws the charts
// into dir/plots, and writes dir/report.md atomically. It returns the report's path. The same run gives the same
// bytes every time.
func WriteReport(dir string) (string, error) {
	r, err := schema.ReadResult(filepath.Join(dir, "run.json"))
	if err != nil {
		return "", err
	}
	cl, err := ReadClaims(filepath.Join(dir, "claims.json"))
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
	charts, err := RenderCharts(r, filepath.Join(dir, "plots"))
	if err != nil {
		return "", fmt.Errorf("charts: %w", err)
	}
	path := filepath.Join(dir, "report.md")
	if err := schema.WriteFileAtomic(path, Markdown(r, cl, charts)); err != nil {
		return "", err
	}
	return path, nil
}

// ReadClaims reads a claims.json as `ringbench claims --json` writes it; a
// missing file is no claims.
func ReadClaims(path string) ([]schema.Claim, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var cl []schema.Claim
	if err := json.Unmarshal(b, &cl); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return cl, nil
}
