package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"ringbench/report/markdown"
	"strings"
	"testing"

	"ringbench/schema"
)

// The readiness a run recorded reaches report.md's environment section
// through run.json: each warning with its fix, unknowns with their reason.
func TestReportListsReadinessWarnings(t *testing.T) {
	r := matrixFixture(t)
	r.Env.Readiness = []schema.Finding{
		{Check: "governor", Status: schema.ReadinessWarn, Found: "powersave on cpu3", Fix: "cpupower -c 3 frequency-set -g performance"},
		{Check: "smt", Status: schema.ReadinessWarn, Found: "cores shared: cpu2 with cpu0", Fix: "echo 0 | tee /sys/devices/system/cpu/cpu0/online"},
		{Check: "cstates", Status: schema.ReadinessUnknown, Found: "no cpuidle directory for cpu0-1"},
		{Check: "thp", Status: schema.ReadinessOK, Found: "enabled [never]"},
	}
	dir := t.TempDir()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "run.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	path, err := WriteReport(dir, markdown.Options{})
	if err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	env := section(t, string(md), "Environment")
	for _, want := range []string{
		"\n\nPerf-box readiness",
		"- **warn** governor: powersave on cpu3; fix: `cpupower -c 3 frequency-set -g performance`\n",
		"fix: `echo 0 | tee /sys/devices/system/cpu/cpu0/online`", // a pipe outside a table stays a pipe
		"- unknown: cstates (no cpuidle directory for cpu0-1)\n",
		"- ok: thp\n",
	} {
		if !strings.Contains(env, want) {
			t.Errorf("environment section lacks %q:\n%s", want, env)
		}
	}
}

func TestWriteReportTwiceSameBytes(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"matrix.json", "claims.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "matrix.json" {
			f = "run.json"
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path, err := WriteReport(dir, markdown.Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := WriteReport(dir, markdown.Options{}); err != nil {
		t.Fatal(err)
	}
	second, _ := os.ReadFile(path)
	if !bytes.Equal(first, second) {
		t.Error("report.md differs between two renderings")
	}
	if !strings.Contains(string(first), "## Claims") {
		t.Error("claims.json was not read")
	}
}

func TestWriteReportBadClaims(t *testing.T) {
	dir := t.TempDir()
	b, _ := os.ReadFile(filepath.Join("testdata", "matrix.json"))
	os.WriteFile(filepath.Join(dir, "run.json"), b, 0o644)
	os.WriteFile(filepath.Join(dir, "claims.json"), []byte("{"), 0o644)
	if _, err := WriteReport(dir, markdown.Options{}); err == nil {
		t.Error("invalid claims.json accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "report.md")); err == nil {
		t.Error("report.md written despite the error")
	}
}
