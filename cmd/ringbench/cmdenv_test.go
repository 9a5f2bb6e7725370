package main

import (
	"bytes"
	"testing"

	"ringbench/schema"
)

// Readiness lines share the capability lines' columns; only a warning
// carries a fix.
func TestPrintReadiness(t *testing.T) {
	var b bytes.Buffer
	printReadiness(&b, []schema.Finding{
		{Check: "thp", Status: schema.ReadinessOK, Found: "enabled [never]"},
		{Check: "governor", Status: schema.ReadinessWarn, Found: "powersave on cpu1", Fix: "cpupower -c 1 frequency-set -g performance"},
		{Check: "cstates", Status: schema.ReadinessUnknown, Found: "no cpuidle directory for cpu0-1"},
	})
	want := "ok   perf-box thp           enabled [never]\n" +
		"warn perf-box governor      powersave on cpu1; fix: cpupower -c 1 frequency-set -g performance\n" +
		"?    perf-box cstates       no cpuidle directory for cpu0-1\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
