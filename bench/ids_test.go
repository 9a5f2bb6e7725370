package bench

import (
	"flag"
	"path/filepath"
	"strings"
	"testing"

	"ringbench/internal/golden"
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
	golden.Check(t, filepath.Join("testdata", "preset-ids.golden"), []byte(b.String()), *updateIDs)
}
