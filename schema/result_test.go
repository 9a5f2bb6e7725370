package schema

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestResultRoundTrip(t *testing.T) {
	p50, mean := int64(1234), 1500.5
	run := Run{
		Events:      Events{Emitted: 10, Consumed: 8, Dropped: 2},
		LatencyNs:   Latency{Count: 8, P50: &p50, Mean: &mean},
		Unsupported: map[string]string{"go.gc_cycles": "why"},
		Checks:      []Check{{Name: "accounting", OK: true, Detail: "x"}},
	}
	in := Result{Schema: Schema, Env: Env{Kernel: "6.18", CPUs: 2, Attach: "tp_btf"},
		Scenarios: []Scenario{{ID: "a/b", Params: Defaults(), Runs: []Run{run}, Summary: Summarize([]Run{run})}}}
	path := filepath.Join(t.TempDir(), "run.json")
	if err := WriteJSON(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := ReadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in, *out) {
		t.Fatalf("round trip changed the result:\n in %+v\nout %+v", in, *out)
	}
	// Unmeasured figures are null, never 0.
	b, _ := os.ReadFile(path)
	for _, key := range []string{`"gc_cycles": null`, `"p99": null`, `"cpu_ns_per_event": null`} {
		if !strings.Contains(string(b), key) {
			t.Errorf("run.json lacks %s", key)
		}
	}
	// The atomic write leaves no temp file behind.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("folder holds %d files, want only run.json", len(entries))
	}
}

func TestReadResultRejectsOtherSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.json")
	if err := WriteJSON(path, Result{Schema: "ringbench/v0"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadResult(path); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("read a v0 result: %v", err)
	}
}

func TestSummarize(t *testing.T) {
	runs := []Run{{Throughput: Throughput{ConsumedEPS: 10}}, {Throughput: Throughput{ConsumedEPS: 20}}, {Throughput: Throughput{ConsumedEPS: 30}}}
	s := Summarize(runs)["throughput.consumed_eps"]
	if s.Mean != 20 || s.Min != 10 || s.Max != 30 || s.N != 3 || s.Stddev == nil || *s.Stddev != 10 {
		t.Fatalf("summary %+v", s)
	}
	one := Summarize(runs[:1])["throughput.consumed_eps"]
	if one.Stddev != nil {
		t.Fatal("a single run has no standard deviation")
	}
	// A metric null in some runs is not summarised.
	p99 := int64(5)
	mixed := []Run{{LatencyNs: Latency{P99: &p99}}, {}}
	if _, ok := Summarize(mixed)["latency_ns.p99"]; ok {
		t.Fatal("summarised a metric one run did not measure")
	}
	// Every numeric figure is summarised, nested ones included, and an
	// incomplete repetition is left out.
	gc := 3.0
	withGo := []Run{{Go: GoMetrics{GCCycles: &gc}}, {Go: GoMetrics{GCCycles: &gc}}, {Error: "child hung"}}
	if s := Summarize(withGo)["go.gc_cycles"]; s.N != 2 || s.Mean != 3 {
		t.Fatalf("go.gc_cycles summary %+v, want n=2 mean 3", s)
	}
	// A repetition whose accounting failed a check is not used either.
	broken := Run{Throughput: Throughput{ConsumedEPS: 1000}, Checks: []Check{{Name: "accounting", OK: false}}}
	held := Run{Throughput: Throughput{ConsumedEPS: 10}, Checks: []Check{{Name: "accounting", OK: true}}}
	if s := Summarize([]Run{held, broken})["throughput.consumed_eps"]; s.N != 1 || s.Mean != 10 {
		t.Fatalf("summary with a failed check %+v, want n=1 mean 10", s)
	}
}
