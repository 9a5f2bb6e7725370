package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/HdrHistogram/hdrhistogram-go"
)

func TestWriteHgrm(t *testing.T) {
	h := hdrhistogram.New(1, 60_000_000_000, 3)
	for v := int64(1000); v <= 100_000; v += 1000 { // 1 µs .. 100 µs
		h.RecordValue(v)
	}
	path := filepath.Join(t.TempDir(), "x.hgrm")
	if err := WriteHgrm(path, h); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	// The plotter's format: a Value/Percentile header and a Max line, in µs.
	if !strings.Contains(text, "Percentile") || !strings.Contains(text, "#[Max     =      100.031") {
		t.Fatalf("unexpected hgrm:\n%s", text)
	}
	empty := filepath.Join(t.TempDir(), "none.hgrm")
	if err := WriteHgrm(empty, hdrhistogram.New(1, 10, 1)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(empty); !os.IsNotExist(err) {
		t.Fatal("wrote a file for an empty histogram")
	}
}

// The .hgrm and .hlog of a fixed distribution are byte for byte what
// HdrHistogram's tools expect; a change to either format shows here.
func TestHgrmAndHlogGolden(t *testing.T) {
	var reps []*hdrhistogram.Histogram
	for r := int64(1); r <= 2; r++ {
		h := hdrhistogram.New(1, 60_000_000_000, 3)
		for v := int64(1); v <= 10_000; v++ { // r µs .. r·10 ms, log-spread
			h.RecordValue(r * v * v / 10)
		}
		reps = append(reps, h)
	}
	merged := hdrhistogram.New(1, 60_000_000_000, 3)
	for _, h := range reps {
		merged.Merge(h)
	}
	hgrm, err := HgrmMicros(merged)
	if err != nil {
		t.Fatal(err)
	}
	goldenCheck(t, "latency.hgrm", hgrm)
	hlog, err := HlogReps(reps, 3000)
	if err != nil {
		t.Fatal(err)
	}
	goldenCheck(t, "latency.hlog", hlog)
}
