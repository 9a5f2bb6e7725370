package compare

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"ringbench/internal/golden"
	"ringbench/schema"
)

// The compare fixtures are derived from testdata/matrix.json, a real run:
// A and B have 6 repetitions per scenario, each a real repetition scaled
// by a few percent of deterministic jitter; B shifts two figures (reader's
// p99 latency up 60%, epoll's CPU per event down 30%) and has one failed
// repetition; C is another (emulated) machine with 2 repetitions. go test
// ./report -run CompareFixtures -update rewrites them.

var fixtureScenarios = []string{
	"ringbuf/reader/adaptive/nohash/rate=100000/batch=1/payload=64",
	"ringbuf/spin/adaptive/nohash/rate=100000/batch=1/payload=64",
	"ringbuf/epoll/adaptive/nohash/rate=100000/batch=1/payload=64",
	"perfbuf/reader/wakeup_events=1/nohash/rate=100000/batch=1/payload=64", // A only
}

type fixtureSpec struct {
	name      string
	reps      int
	scenarios int
	jitter    []float64
	shift     map[[2]string]float64 // {scenario, run.json path} → factor
	env       func(*schema.Env)
	failed    bool // add a failed repetition to the first scenario
}

var fixtureSpecs = []fixtureSpec{
	{name: "a", reps: 6, scenarios: 4, jitter: []float64{0.96, 1.02, 0.99, 1.04, 0.98, 1.01},
		env: func(e *schema.Env) { e.Start = "2026-11-23T22:29:57Z" }},
	{name: "b", reps: 6, scenarios: 3, jitter: []float64{1.03, 0.97, 1.00, 0.95, 1.02, 0.99}, failed: true,
		shift: map[[2]string]float64{
			{fixtureScenarios[0], "latency_ns.p99"}:      1.6,
			{fixtureScenarios[2], "os.cpu_ns_per_event"}: 0.7,
		},
		env: func(e *schema.Env) {
			e.Start, e.Commit, e.Dirty = "2026-11-24T09:12:03Z", "9f3c1e0d2b7a4c5e8f601234abcdef0123456789", new(bool)
		}},
	{name: "c", reps: 2, scenarios: 3, jitter: []float64{1.01, 0.98},
		env: func(e *schema.Env) {
			e.Start, e.Hostname, e.CPUs, e.OnlineCPUs = "2026-11-24T10:40:00Z", "ci-runner", 4, []int{0, 1, 2, 3}
			e.CPUModel, e.Hypervisor, e.Kernel = "QEMU Virtual CPU version 2.5+", "QEMU TCG", "6.12.9-200.fc41.x86_64"
		}},
}

func buildFixture(t *testing.T, src *schema.Result, spec fixtureSpec) *schema.Result {
	t.Helper()
	out := &schema.Result{Schema: schema.Schema, Env: src.Env}
	out.Env.CommandLine = []string{"bin/ringbench", "run", "--reps", "6"}
	out.Env.BootCmdline, out.Env.AttachRefused = "console=ttyS0", nil
	spec.env(&out.Env)
	byID := map[string]schema.Scenario{}
	for _, s := range src.Scenarios {
		byID[s.ID] = s
	}
	for _, id := range fixtureScenarios[:spec.scenarios] {
		s, ok := byID[id]
		if !ok {
			t.Fatalf("matrix.json has no %s", id)
		}
		var real []schema.Run
		for _, r := range s.Runs {
			if !r.Incomplete() {
				real = append(real, r)
			}
		}
		fs := schema.Scenario{ID: id, Params: s.Params}
		if spec.failed && id == fixtureScenarios[0] {
			fs.Runs = append(fs.Runs, schema.Run{Error: "child exited: signal: killed"})
		}
		for i := range spec.reps {
			fs.Runs = append(fs.Runs, fixtureRun(t, real[i%len(real)], spec, id, i))
		}
		// The summary of the compared figures alone: compare reads the
		// repetitions, and the rest would only make the fixture big.
		fs.Summary = map[string]schema.Stat{}
		for k, st := range schema.Summarize(fs.Runs) {
			for _, m := range compareMetrics {
				if m.Path == k {
					fs.Summary[k] = st
				}
			}
		}
		out.Scenarios = append(out.Scenarios, fs)
	}
	return out
}

// fixtureRun is a repetition stripped of per-run detail, its compared
// figures scaled by the spec's jitter (rotated per figure, so figures do
// not move together) and shift.
func fixtureRun(t *testing.T, r schema.Run, spec fixtureSpec, id string, i int) schema.Run {
	t.Helper()
	r.Syscalls, r.Memory, r.Perf, r.PerCPU, r.Checks, r.Unsupported = nil, schema.Memory{}, schema.PerfCounters{}, nil, nil, nil
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := json.Unmarshal(b, &tree); err != nil {
		t.Fatal(err)
	}
	for _, m := range compareMetrics {
		section, key, _ := strings.Cut(m.Path, ".")
		sec, _ := tree[section].(map[string]any)
		v, ok := sec[key].(float64)
		if !ok {
			continue
		}
		h := fnv.New32a()
		h.Write([]byte(m.Path + id))
		f := spec.jitter[(int(h.Sum32()%97)+i)%len(spec.jitter)]
		if s, ok := spec.shift[[2]string{id, m.Path}]; ok {
			f *= s
		}
		nv := v * f
		if v == math.Trunc(v) {
			nv = math.Round(nv)
		}
		sec[key] = nv
	}
	if b, err = json.Marshal(tree); err != nil {
		t.Fatal(err)
	}
	var out schema.Run
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestCompareFixtures keeps the fixtures what buildFixture makes of
// matrix.json (-update rewrites them).
func TestCompareFixtures(t *testing.T) {
	src, err := schema.ReadResult(filepath.Join("..", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range fixtureSpecs {
		got, err := json.MarshalIndent(buildFixture(t, src, spec), "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		// Each fixture is what buildFixture makes of matrix.json.
		golden.Check(t, filepath.Join("testdata", "compare", spec.name, "run.json"), got, *update)
	}
}
