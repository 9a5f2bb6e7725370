package schema

import (
	"strings"
	"testing"
)

// Every catalog entry names a figure a run has (or a map's member), once,
// with a key of its own.
func TestMetricsCatalog(t *testing.T) {
	paths := map[string]bool{}
	figures(Run{Interference: &Interference{}, Breakdown: &Breakdown{}, Syscalls: &Syscalls{}}, func(path string, _ any) { paths[path] = true })
	keys := map[string]bool{}
	for _, m := range Metrics {
		member := strings.HasPrefix(m.Path, "memory.map_memlock.")
		if !paths[m.Path] && !member {
			t.Errorf("%s: no such figure in a run", m.Path)
		}
		if keys[m.Key] || m.Key == "" || m.Label == "" || m.Unit == "" {
			t.Errorf("%+v: key repeated or a field empty", m)
		}
		keys[m.Key] = true
	}
	if _, ok := MetricAt("latency_ns.p99"); !ok {
		t.Error("latency_ns.p99 not found")
	}
	defer func() {
		if recover() == nil {
			t.Error("MetricsAt of an unknown path did not panic")
		}
	}()
	MetricsAt("no.such")
}
