package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ringbench/schema"
)

func compareFixture(name string) string {
	return filepath.Join("..", "..", "report", "compare", "testdata", "compare", name)
}

func TestCompareWritesReportChartsAndJSON(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cmp")
	js := filepath.Join(dir, "compare.json") // into the --out folder, not there yet
	var stdout, stderr bytes.Buffer
	// Flags may follow the runs.
	err := cmdCompare(&stdout, &stderr, []string{"--json", js, compareFixture("a"), compareFixture("b"), "--out", dir})
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"2 significant (1 better, 1 worse)",
		"ringbuf/reader/adaptive/nohash/rate=100000/batch=1/payload=64  p99 latency",
		"report: " + filepath.Join(dir, "compare.md"),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "p50 latency") {
		t.Errorf("stdout shows an insignificant row without --all:\n%s", out)
	}
	md, err := os.ReadFile(filepath.Join(dir, "compare.md"))
	if err != nil {
		t.Fatal(err)
	}
	charts, _ := filepath.Glob(filepath.Join(dir, "plots", "compare-*.png"))
	if len(charts) == 0 {
		t.Error("no charts")
	}
	for _, c := range charts {
		if !bytes.Contains(md, []byte("plots/"+filepath.Base(c))) {
			t.Errorf("compare.md does not show %s", filepath.Base(c))
		}
		if _, err := os.Stat(strings.TrimSuffix(c, ".png") + ".svg"); err != nil {
			t.Error(err)
		}
	}
	var doc struct {
		Pairs []struct {
			Counts struct{ Significant int }
		}
	}
	b, err := os.ReadFile(js)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &doc); err != nil || len(doc.Pairs) != 1 || doc.Pairs[0].Counts.Significant != 2 {
		t.Errorf("--json: %v, %+v", err, doc)
	}

	stdout.Reset()
	if err := cmdCompare(&stdout, &stderr, []string{"--all", "--out", dir, compareFixture("a"), compareFixture("b"), compareFixture("c")}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"p50 latency", "WARNING: DIFFERENT MACHINES: C vs A", "WARNING: EMULATED: C", "C vs A:", "30 with too few repetitions"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("--all with C: stdout lacks %q", want)
		}
	}
}

// Without --out, the comparison goes to results/compare-<A>-vs-<B>.
func TestCompareDefaultOut(t *testing.T) {
	a, _ := filepath.Abs(compareFixture("a"))
	b, _ := filepath.Abs(compareFixture("b"))
	t.Chdir(t.TempDir())
	var stdout, stderr bytes.Buffer
	if err := cmdCompare(&stdout, &stderr, []string{a, filepath.Join(b, "run.json")}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join("results", "compare-a-vs-b", "compare.md")); err != nil {
		t.Error(err)
	}
}

// Bad input: one line on stderr, exit 2, no output files.
func TestCompareBadInputExits2(t *testing.T) {
	tmp := t.TempDir()
	invalid := filepath.Join(tmp, "invalid.json")
	if err := os.WriteFile(invalid, []byte(`{"schema": "ringbench/v1", "scenarios": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	other, err := schema.ReadResult(filepath.Join(compareFixture("b"), "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range other.Scenarios {
		other.Scenarios[i].ID += "/elsewhere"
	}
	disjoint := filepath.Join(tmp, "disjoint.json")
	if err := schema.WriteJSON(disjoint, other); err != nil {
		t.Fatal(err)
	}
	a := compareFixture("a")
	for _, args := range [][]string{
		{},
		{a},
		{a, filepath.Join(tmp, "missing")},
		{a, invalid},
		{a, disjoint},
		{a, compareFixture("b"), "--no-such-flag"},
		{a, compareFixture("b"), "--json", filepath.Join(tmp, "nofolder", "x.json")},
		{a, compareFixture("b"), "--out", invalid},
	} {
		out := filepath.Join(tmp, "out")
		js := filepath.Join(tmp, "out.json")
		var stdout, stderr bytes.Buffer
		err := cmdCompare(&stdout, &stderr, append([]string{"--out", out, "--json", js}, args...))
		var msg bytes.Buffer
		if code := exitCode(err, &msg); code != 2 {
			t.Errorf("%v: exit %d, want 2 (err %v)", args, code, err)
		}
		if lines := strings.Count(strings.TrimSpace(msg.String()), "\n"); lines != 0 {
			t.Errorf("%v: error is %d lines: %q", args, lines+1, msg.String())
		}
		for _, p := range []string{out, js} {
			if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("%v: created %s", args, p)
			}
		}
		if stdout.Len() > 0 {
			t.Errorf("%v: printed %q", args, stdout.String())
		}
		if !strings.Contains(strings.Join(args, " "), "--no-such-flag") && stderr.Len() > 0 {
			t.Errorf("%v: wrote to stderr besides the error: %q", args, stderr.String())
		}
		t.Logf("%v: %s", args, strings.TrimSpace(msg.String()))
	}
}
