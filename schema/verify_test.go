package schema

import (
	"slices"
	"strings"
	"testing"
)

func soundRun() Run {
	p99, lo := int64(5000), int64(100)
	return Run{
		Events:    Events{Emitted: 10, Consumed: 7, Dropped: 3},
		LatencyNs: Latency{Count: 7, P99: &p99, Min: &lo},
		Checks:    []Check{{Name: "accounting", OK: true}},
	}
}

func TestVerify(t *testing.T) {
	ok := &Result{Schema: Schema, Scenarios: []Scenario{{ID: "s", Runs: []Run{soundRun()}}}}
	if p := Verify(ok); len(p) != 0 {
		t.Fatalf("sound result: %v", p)
	}
	for name, edit := range map[string]func(*Run){
		"unaccounted": func(r *Run) { r.Events.Consumed-- },
		"duplicates":  func(r *Run) { r.Events.Duplicates = 1 },
		"failed":      func(r *Run) { r.Checks[0].OK = false },
		"no latency":  func(r *Run) { r.LatencyNs = Latency{} },
		"no checks":   func(r *Run) { r.Checks = nil },
		"no events":   func(r *Run) { r.Events = Events{} },
	} {
		r := soundRun()
		edit(&r)
		res := &Result{Schema: Schema, Scenarios: []Scenario{{ID: "s", Runs: []Run{r}}}}
		p := Verify(res)
		if len(p) == 0 || !strings.HasPrefix(p[0], "s run 1:") {
			t.Errorf("%s: Verify = %v", name, p)
		}
	}
	if len(Verify(&Result{Schema: Schema})) == 0 {
		t.Error("an empty result verified")
	}
}

// A null figure needs a reason under unsupported: its own key, or one that
// begins its path.
func TestUnexplained(t *testing.T) {
	r := Run{Unsupported: map[string]string{"go.gc_pause": "no GC pause", "latency_ns": "no timestamps"}}
	got := Unexplained(r)
	for _, path := range []string{"go.gc_pause_p99_ns", "go.gc_pause_max_ns", "latency_ns.p99", "latency_ns.min"} {
		if slices.Contains(got, path) {
			t.Errorf("%s listed though explained", path)
		}
	}
	for _, path := range []string{"os.cpu_ns_per_event", "producer.bpf_ns_per_event", "syscalls"} {
		if !slices.Contains(got, path) {
			t.Errorf("%s not listed: %v", path, got)
		}
	}
	if slices.Contains(got, "unsupported") {
		t.Error("unsupported itself listed")
	}
}
