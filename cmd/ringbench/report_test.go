package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// reportFixture is a run folder holding a copy of the report package's
// real matrix run.
func reportFixture(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "report", "testdata", "matrix.json"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "run.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestReportWritesReportMD(t *testing.T) {
	dir := reportFixture(t)
	for _, arg := range []string{dir, filepath.Join(dir, "run.json")} {
		var stdout, stderr bytes.Buffer
		if code := exitCode(run(&stdout, &stderr, []string{"report", arg}), &stderr); code != 0 {
			t.Fatalf("report %s: exit %d: %s", arg, code, stderr.String())
		}
		want := filepath.Join(dir, "report.md")
		if got := strings.TrimSpace(stdout.String()); got != want {
			t.Errorf("report %s printed %q, want %q", arg, got, want)
		}
		md, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(md, []byte("# ringbench report: ")) || !bytes.Contains(md, []byte("## Which mode when")) {
			t.Errorf("report.md does not look like a report:\n%.300s", md)
		}
	}
}

func TestReportBadInputExits2WithOneLine(t *testing.T) {
	notRun := t.TempDir()
	badJSON := t.TempDir()
	os.WriteFile(filepath.Join(badJSON, "run.json"), []byte("{not json"), 0o644)
	badSchema := t.TempDir()
	os.WriteFile(filepath.Join(badSchema, "run.json"), []byte(`{"schema":"other/v9"}`), 0o644)
	badClaims := reportFixture(t)
	os.WriteFile(filepath.Join(badClaims, "claims.json"), []byte(`{"id":`), 0o644)
	notJSON := filepath.Join(notRun, "notes.txt")
	os.WriteFile(notJSON, []byte("x"), 0o644)
	for _, args := range [][]string{
		{"report"},
		{"report", filepath.Join(t.TempDir(), "no-such-run")},
		{"report", notRun},
		{"report", notJSON},
		{"report", badJSON},
		{"report", badSchema},
		{"report", badClaims},
		{"report", notRun, badJSON},
		{"report", "--no-such-flag", notRun},
	} {
		var stdout, stderr, msg bytes.Buffer
		code := exitCode(run(&stdout, &stderr, args), &msg)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
		if lines := strings.Count(strings.TrimSpace(msg.String()), "\n"); lines != 0 || msg.Len() == 0 {
			t.Errorf("%v: error is not one line: %q", args, msg.String())
		}
		if stdout.Len() != 0 {
			t.Errorf("%v: printed %q", args, stdout.String())
		}
		if len(args) > 1 {
			dir := args[len(args)-1]
			if st, err := os.Stat(dir); err == nil && !st.IsDir() {
				dir = filepath.Dir(dir)
			}
			for _, f := range []string{"report.md", "plots"} {
				if _, err := os.Stat(filepath.Join(dir, f)); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("%v: wrote %s", args, f)
				}
			}
		}
	}
}
