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
