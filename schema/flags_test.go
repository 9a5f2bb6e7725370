package schema

import (
	"strings"
	"testing"
	"time"
)

// Two flags name their threshold; the name must say the one the code
// applies.
func TestFlagNamesStateThresholds(t *testing.T) {
	for flag, ns := range map[string]int64{FlagScheduleLag: LagFlagNs, FlagPhaseStretched: PhaseToleranceNs} {
		if want := "-over-" + time.Duration(ns).String(); !strings.HasSuffix(flag, want) {
			t.Errorf("flag %q does not end in %q", flag, want)
		}
	}
}
