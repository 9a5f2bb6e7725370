package charts

import (
	"strings"
	"testing"
)

// Scenarios that differ only in their number of producers get a scaling
// chart; a stacked (oversubscribed) count says so.
func TestPlotProducers(t *testing.T) {
	r := matrixFixture(t)
	n := len(r.Scenarios)
	for i := range n {
		s := r.Scenarios[i]
		if s.Params.Transport != "ringbuf" || s.Params.Mode != "epoll" || s.Params.Rate != 100_000 || s.Params.Hashmap != "none" {
			continue
		}
		s.Params.Producers, s.Params.ProducerCPUs, s.Params.Oversubscribe = 2, []int{0, 0}, true
		s.ID = s.Params.ID()
		r.Scenarios = append(r.Scenarios, s)
		break
	}
	if len(r.Scenarios) != n+1 {
		t.Fatal("the fixture has no ringbuf epoll scenario at 100k")
	}
	charts, err := RenderCharts(r, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range charts {
		if c.Name == "producers-ringbuf-epoll-thread-100000" {
			if !strings.Contains(c.Caption, "(1, 2 (stacked))") {
				t.Errorf("caption: %s", c.Caption)
			}
			return
		}
	}
	t.Errorf("no producers chart among %d charts", len(charts))
}
