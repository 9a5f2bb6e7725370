package charts

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ringbench/internal/format"
	"ringbench/schema"
)

// TestPlotRenderCharts draws every chart of the fixture matrix and checks each
// PNG and SVG. Set RINGBENCH_PLOTS_DIR to keep the charts for a look.
func TestPlotRenderCharts(t *testing.T) {
	r, err := schema.ReadResult(filepath.Join("..", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if d := os.Getenv("RINGBENCH_PLOTS_DIR"); d != "" {
		dir = d
	}
	charts, err := RenderCharts(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"latency-ringbuf-10000", "latency-ringbuf-100000", "latency-ringbuf-400000",
		"latency-perfbuf-10000", "latency-perfbuf-100000", "latency-perfbuf-400000",
		"saturation-ringbuf", "saturation-perfbuf", "cpu-ringbuf", "cpu-perfbuf",
		"syscalls-sched-ringbuf", "syscalls-sched-perfbuf", "gc-allocs-ringbuf-100000",
		"wakeup-ringbuf-epoll-thread-100000", "hashmap-ringbuf-epoll-thread-100000",
	}
	var got []string
	seen := map[string]bool{}
	for _, c := range charts {
		got = append(got, c.Name)
		if seen[c.Name] {
			t.Errorf("chart name %q twice", c.Name)
		}
		seen[c.Name] = true
		if c.Title == "" || c.Caption == "" || strings.Contains(c.Caption, "\n") {
			t.Errorf("%s: title %q, caption %q: want both, caption on one line", c.Name, c.Title, c.Caption)
		}
		plCheckPNG(t, filepath.Join(dir, c.Name+".png"))
		plCheckSVG(t, filepath.Join(dir, c.Name+".svg"))
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("charts\n got %v\nwant %v", got, want)
	}
	dir2 := t.TempDir()
	again, err := RenderCharts(r, dir2)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != len(charts) {
		t.Fatalf("second rendering: %d charts, first %d", len(again), len(charts))
	}
	for i := range again {
		if again[i] != charts[i] {
			t.Errorf("second rendering differs at %d: %+v", i, again[i])
		}
		for _, ext := range []string{".png", ".svg"} {
			a, _ := os.ReadFile(filepath.Join(dir, charts[i].Name+ext))
			b, _ := os.ReadFile(filepath.Join(dir2, charts[i].Name+ext))
			if !bytes.Equal(a, b) {
				t.Errorf("%s%s: not the same bytes when drawn again", charts[i].Name, ext)
			}
		}
	}
}

func plCheckPNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	bd := img.Bounds()
	if bd.Dx() < 400 || bd.Dy() < 300 {
		t.Errorf("%s: %dx%d, want at least 400x300", path, bd.Dx(), bd.Dy())
	}
	if plColours(img) < 3 {
		t.Errorf("%s: fewer than 3 colours", path)
	}
	if !plHasSeriesColour(img) {
		t.Errorf("%s: no pixel in a series colour: nothing drawn", path)
	}
}

// plHasSeriesColour says whether any pixel of img is exactly one of the
// chromatic line or bar colours, which only drawn data (and its legend)
// has: text, grid and background are black, grey and white.
func plHasSeriesColour(img image.Image) bool {
	want := map[[3]uint32]bool{}
	for _, c := range append(append([]color.RGBA(nil), plPalette...), plBarColors...) {
		if r, g, b, _ := c.RGBA(); r != g || g != b {
			want[[3]uint32{r, g, b}] = true
		}
	}
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y++ {
		for x := bd.Min.X; x < bd.Max.X; x++ {
			if r, g, b, _ := img.At(x, y).RGBA(); want[[3]uint32{r, g, b}] {
				return true
			}
		}
	}
	return false
}

func plColours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	bd := img.Bounds()
	for y := bd.Min.Y; y < bd.Max.Y; y += 3 {
		for x := bd.Min.X; x < bd.Max.X; x += 3 {
			r, g, b, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, b, a}] = true
		}
	}
	return len(seen)
}

func plCheckSVG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	if !bytes.HasPrefix(b, []byte("<?xml")) && !bytes.HasPrefix(b, []byte("<svg")) {
		t.Errorf("%s: does not start as SVG: %.40q", path, b)
	}
	if len(b) < 4096 {
		t.Errorf("%s: %d bytes, want more than 4 KiB", path, len(b))
	}
}

// Without scenarios that add work, the GC chart shows the base sweep per
// transport; without twins there are no wakeup or hash map charts.
func TestPlotBaseSweepOnly(t *testing.T) {
	r, err := schema.ReadResult(filepath.Join("..", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	var keep []schema.Scenario
	for _, s := range r.Scenarios {
		p := s.Params
		if p.Work == "0" && p.Hashmap == "none" && (p.Wakeup == "adaptive" || p.Transport == "perfbuf") {
			keep = append(keep, s)
		}
	}
	r.Scenarios = keep
	dir := t.TempDir()
	if d := os.Getenv("RINGBENCH_PLOTS_DIR"); d != "" {
		dir = filepath.Join(d, "base-only")
	}
	charts, err := RenderCharts(r, dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range charts {
		got = append(got, c.Name)
		plCheckPNG(t, filepath.Join(dir, c.Name+".png"))
	}
	s := strings.Join(got, " ")
	if !strings.Contains(s, "gc-allocs-ringbuf gc-allocs-perfbuf") || strings.Contains(s, "wakeup") || strings.Contains(s, "hashmap") {
		t.Errorf("charts %v", got)
	}
}

// Unpaced scenarios get their own latency chart and stay off rate axes.
func TestPlotUnpacedRate(t *testing.T) {
	r, err := schema.ReadResult(filepath.Join("..", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range r.Scenarios {
		if s.Params.Rate == 400000 {
			r.Scenarios[i].Params.Rate = 0
		}
	}
	charts, err := RenderCharts(r, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range charts {
		got = append(got, c.Name)
	}
	s := strings.Join(got, " ")
	if !strings.Contains(s, "latency-ringbuf-100000 latency-ringbuf-max") || !strings.Contains(s, "cpu-ringbuf") {
		t.Errorf("charts %v", got)
	}
}

func TestPlotNothingMeasured(t *testing.T) {
	r, err := schema.ReadResult(filepath.Join("..", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range r.Scenarios {
		r.Scenarios[i].Summary = nil
	}
	for _, res := range []*schema.Result{r, {Schema: schema.Schema}} {
		dir := filepath.Join(t.TempDir(), "plots")
		charts, err := RenderCharts(res, dir)
		if err != nil || len(charts) != 0 {
			t.Errorf("got %v, %v; want no charts, no error", charts, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s created for no charts", dir)
		}
	}
}

func TestPlotNines(t *testing.T) {
	for _, c := range []struct {
		p, x  float64
		label string
	}{
		{0.5, math.Log10(2), "50%"}, {0.9, 1, "90%"}, {0.99, 2, "99%"},
		{0.999, 3, "99.9%"}, {0.9999, 4, "99.99%"}, {0.99999, 5, "99.999%"},
	} {
		if x := plNines(c.p); math.Abs(x-c.x) > 1e-9 {
			t.Errorf("nines(%v) = %v, want %v", c.p, x, c.x)
		}
		if l := plPctLabel(c.p); l != c.label {
			t.Errorf("pctLabel(%v) = %q, want %q", c.p, l, c.label)
		}
	}
	ts := plNinesTicks([]float64{0.5, 0.9, 0.99, 0.999, 0.9999})
	var labels []string
	for i, tk := range ts {
		labels = append(labels, tk.Label)
		if i > 0 && !(tk.Value > ts[i-1].Value) {
			t.Errorf("tick %d at %v not after %v", i, tk.Value, ts[i-1].Value)
		}
	}
	if got := strings.Join(labels, " "); got != "50% 90% 99% 99.9% 99.99%" {
		t.Errorf("tick labels %q", got)
	}
}

func TestPlotLabels(t *testing.T) {
	for v, want := range map[float64]string{400000: "400k", 10000: "10k", 1250: "1.25k", 999: "999", 1e6: "1M",
		1.5e6: "1.5M", 0.0123: "0.0123", 87.5: "87.5", 0: "0", 2.5e-5: "2.5e-05"} {
		if got := format.SI(v); got != want {
			t.Errorf("format.SI(%v) = %q, want %q", v, got, want)
		}
	}
	if got := format.Bytes(6291456); got != "6 MiB" {
		t.Errorf("bytesLabel = %q", got)
	}
	if got := plChartName("wakeup", "ringbuf", "epoll/x:1", "100000"); got != "wakeup-ringbuf-epoll-x-1-100000" {
		t.Errorf("chartName = %q", got)
	}
	var labels []string
	for _, tk := range (plLogTicks{}).Ticks(80, 12000) {
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "100 1k 10k" {
		t.Errorf("log tick labels %q, want 100 1k 10k", got)
	}
	labels = nil
	for _, tk := range (plLogTicks{}).Ticks(150, 900) { // no power of ten inside: 2× and 5× too
		if tk.Label != "" {
			labels = append(labels, tk.Label)
		}
	}
	if got := strings.Join(labels, " "); got != "200 500" {
		t.Errorf("log tick labels %q, want 200 500", got)
	}
	for b, want := range map[float64]string{512: "512 B", 1536: "1.5 KiB", 6291456: "6 MiB"} {
		if got := format.Bytes(b); got != want {
			t.Errorf("format.Bytes(%v) = %q, want %q", b, got, want)
		}
	}
}
