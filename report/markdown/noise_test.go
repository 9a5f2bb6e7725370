package markdown

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"ringbench/report/charts"
	"ringbench/schema"
)

// A p99 at or below the largest gap p99 of the noise probe is flagged as
// the machine's; one above it, or a run without a probe, is not.
func TestWithinNoiseFloor(t *testing.T) {
	p99 := func(v int64) *int64 { return &v }
	env := schema.Env{Noise: []schema.NoiseCPU{{CPU: 0, GapP99Ns: p99(90_000)}, {CPU: 1, GapP99Ns: p99(120_000)}}}
	point := func(lat float64) *mdPoint {
		return &mdPoint{mode: "spin", s: schema.Scenario{Summary: map[string]schema.Stat{"latency_ns.p99": {Mean: lat, N: 3}}}}
	}
	if got := mdWithinFloor(point(100_000), env); !strings.Contains(got, "120 µs") {
		t.Errorf("100 µs under a 120 µs floor: %q", got)
	}
	if got := mdWithinFloor(point(130_000), env); got != "" {
		t.Errorf("130 µs over the floor: %q", got)
	}
	if got := mdWithinFloor(point(10), schema.Env{}); got != "" {
		t.Errorf("no probe: %q", got)
	}
	var b bytes.Buffer
	mdEnv(&b, env)
	if !strings.Contains(b.String(), "| noise floor, CPU 1 |") {
		t.Errorf("environment table lacks the floor:\n%s", b.String())
	}
}

// With a probed floor, every latency chart draws it and says so in its
// caption; the other charts do not mention it.
func TestLatencyChartsDrawTheFloor(t *testing.T) {
	r, err := schema.ReadResult(filepath.Join("..", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	p99 := int64(105_000)
	r.Env.Noise = []schema.NoiseCPU{{CPU: 0, GapP99Ns: &p99}}
	charts, err := charts.RenderCharts(r, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	latency := 0
	for _, c := range charts {
		floor := strings.Contains(c.Caption, "noise floor") && strings.Contains(c.Caption, "105 µs")
		if strings.HasPrefix(c.Name, "latency-") {
			latency++
			if !floor {
				t.Errorf("%s: caption without the floor: %s", c.Name, c.Caption)
			}
		} else if floor {
			t.Errorf("%s mentions the floor", c.Name)
		}
	}
	if latency == 0 {
		t.Fatal("no latency chart")
	}
}
