package machine

import (
	"path/filepath"
	"reflect"
	"testing"
	"testing/fstest"

	"ringbench/readiness"
	"ringbench/schema"
)

// CaptureEnv runs every perf-box check on this machine: one finding per
// check, each with a verdict and what it saw, whatever the machine is.
func TestCaptureEnvReadiness(t *testing.T) {
	e := CaptureEnv()
	if want := len(readiness.Check(fstest.MapFS{}, nil)); len(e.Readiness) != want {
		t.Fatalf("%d readiness findings, want one per check: %+v", len(e.Readiness), e.Readiness)
	}
	for _, f := range e.Readiness {
		t.Logf("%-7s %-11s %s", f.Status, f.Check, f.Found)
		if f.Status != schema.ReadinessOK && f.Status != schema.ReadinessWarn && f.Status != schema.ReadinessUnknown {
			t.Errorf("%s: status %q", f.Check, f.Status)
		}
		if f.Check == "" || f.Found == "" {
			t.Errorf("finding without a name or what was found: %+v", f)
		}
	}
}

// The findings survive run.json, so reports rendered later show them.
func TestEnvReadinessRoundTrip(t *testing.T) {
	in := schema.Result{Schema: schema.Schema, Env: schema.Env{Kernel: "6.18", Readiness: []schema.Finding{
		{Check: "governor", Status: schema.ReadinessWarn, Found: "powersave on cpu0", Fix: "cpupower -c 0 frequency-set -g performance"},
		{Check: "cstates", Status: schema.ReadinessUnknown, Found: "no cpuidle directory for cpu0"},
	}}}
	path := filepath.Join(t.TempDir(), "run.json")
	if err := schema.WriteJSON(path, in); err != nil {
		t.Fatal(err)
	}
	out, err := schema.ReadResult(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(in.Env.Readiness, out.Env.Readiness) {
		t.Errorf("readiness changed through run.json:\n in %+v\nout %+v", in.Env.Readiness, out.Env.Readiness)
	}
}
