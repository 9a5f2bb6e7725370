package bench

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var updateIDs = flag.Bool("update", false, "rewrite testdata/preset-ids.golden")

// Scenario IDs are how results from different versions, kernels and
// machines are matched (compare, claims, bench.txt): every preset's IDs,
// on two CPUs, are held to a golden file, so a refactor that changes one
// shows here and has to be meant.
func TestPresetIDsStable(t *testing.T) {
	var b strings.Builder
	for _, name := range PresetNames {
		m, err := Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		planned, problems := m.Expand(twoCPUs, runnable)
		if len(problems) > 0 {
			t.Fatalf("%s: %v", name, problems)
		}
		for _, p := range planned {
			b.WriteString(name + " " + p.Params.ID() + "\n")
		}
	}
	path := filepath.Join("testdata", "preset-ids.golden")
	if *updateIDs {
		if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./bench -run PresetIDs -update writes it)", err)
	}
	if got := b.String(); got != string(want) {
		t.Errorf("preset IDs changed; results of earlier versions will no longer match them:\n%s", got)
	}
}
