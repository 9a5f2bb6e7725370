package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"ringbench/bench"
	"ringbench/internal/testutil"
	"ringbench/report/compare"
	"ringbench/report/view"
	"ringbench/schema"
)

// Two runs of any preset can be compared: each runs at least the
// repetitions from which compare (and benchstat) give a median's
// confidence interval, and an emulated form, when a preset has one, runs
// some of its scenarios.
func TestPresetsComparable(t *testing.T) {
	need := view.MinRepsForInterval(compare.CompareConfidence)
	for _, name := range bench.PresetNames {
		m, err := bench.Preset(name)
		if err != nil {
			t.Fatal(err)
		}
		if m.Reps < need {
			t.Errorf("preset %s: %d repetitions, want at least %d", name, m.Reps, need)
		}
		if m.Emulated == nil {
			continue
		}
		all, problems := m.Expand([]int{0, 1}, func(string) string { return "" })
		n := 0
		for _, p := range all {
			if m.Emulated.Filter.Match(p.Params) {
				n++
			}
		}
		if len(problems) > 0 || n == 0 {
			t.Errorf("preset %s: its emulated form (%s) selects %d scenarios (problems %q)", name, m.Emulated, n, problems)
		}
	}
}

// A bad matrix file is refused before anything runs: one line per problem
// on stderr, the last one the error, exit 2, no folder.
func TestMatrixFileRefused(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "m.json")
	os.WriteFile(file, []byte(`{"reps": 0, "blocks": [{"moed": "spin", "transport": "perfbuf", "output": true}]}`), 0o644)
	for _, args := range [][]string{
		{"matrix", "--file", file},
		{"matrix", "--file", filepath.Join(dir, "none.json")},
		{"matrix", "--preset", "huge"},
		{"matrix", "--preset", "quick", "--file", file},
		{"matrix", "--filter", "mode"},
		{"matrix", "--filter", "moed=spin"},
		{"matrix", "--filter", "mode=nosuch"},
		{"matrix", "--reps", "-1"},
		{"matrix", "stray"},
	} {
		out := filepath.Join(dir, "out")
		var stdout, stderr bytes.Buffer
		code := exitCode(run(&stdout, &stderr, append(args, "--out", out)), &stderr)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, code, stderr.String())
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: created the output folder", args)
		}
		if len(args) == 3 && args[2] == file {
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			if len(lines) != 3 || !strings.Contains(stderr.String(), `unknown key "moed"`) ||
				!strings.Contains(stderr.String(), "reps 0") || !strings.Contains(stderr.String(), "output applies to the ringbuf") {
				t.Errorf("want one line per problem (3), got:\n%s", stderr.String())
			}
		}
	}
}

func TestMatrixList(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(&stdout, &stderr, []string{"matrix", "--preset", "quick", "--filter", "mode=spin,transport=ringbuf", "--list"})
	if err != nil {
		t.Fatal(err)
	}
	got := stdout.String()
	// Spin polling quietly at three rates, back to back and at max rate,
	// and once with the default wakeups it never needs: 4 × 6 × 0.8 s and
	// 2 × 6 × 0.7 s.
	if strings.Count(got, "ringbuf/spin/") != 6 || !strings.Contains(got, "6 scenarios (0 skipped) × 6 reps") ||
		!strings.Contains(got, "28s of measuring and warming up") {
		t.Errorf("list:\n%s", got)
	}
}

// In its emulated form the quick preset runs each mode at 10k ev/s at its
// natural wakeups, in short windows, with its six repetitions; a filter
// given with it narrows it further.
func TestMatrixListEmulated(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(&stdout, &stderr, []string{"matrix", "--preset", "quick", "--emulated", "--list"}); err != nil {
		t.Fatal(err)
	}
	got := stdout.String()
	for _, id := range []string{"ringbuf/reader/adaptive/", "ringbuf/spin/none/", "ringbuf/epoll/adaptive/",
		"perfbuf/reader/wakeup_events=1/", "perfbuf/spin/wakeup_events=1000000/", "perfbuf/epoll/wakeup_events=1/"} {
		if !strings.Contains(got, id+"nohash/rate=10000/") {
			t.Errorf("no %s at 10k ev/s", id)
		}
	}
	if !strings.Contains(got, "6 scenarios (0 skipped) × 6 reps × (300ms + 100ms warm-up)") {
		t.Errorf("list:\n%s", got)
	}
	if !strings.Contains(stderr.String(), "its emulated form: ") {
		t.Errorf("stderr does not say the emulated form ran: %q", stderr.String())
	}
	stdout.Reset()
	if err := run(&stdout, &stderr, []string{"matrix", "--preset", "quick", "--emulated", "--filter", "transport=perfbuf", "--list"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "\n3 scenarios (0 skipped)") {
		t.Errorf("emulated form and filter:\n%s", stdout.String())
	}
}

// A matrix stopped by SIGINT keeps the scenarios that finished, complete,
// says it was interrupted, and ringbench report works on it.
func TestMatrixInterruptedKeepsFinished(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "m.json")
	os.WriteFile(file, []byte(`{"reps": 1, "duration": "300ms", "warmup": "0s", "blocks": [
		{"mode": "epoll", "rate": 1000, "duration": "200ms"}, {"mode": "epoll", "rate": 2000},
		{"mode": "epoll", "rate": 3000, "producers": 64},
		{"mode": "epoll", "rate": 4000, "duration": "60s"}]}`), 0o644)
	out := filepath.Join(dir, "out")
	// The last scenario runs for a minute; interrupt it.
	cmd := exec.Command(os.Args[0], "matrix", "--file", file, "--out", out, "--noise", "100ms")
	cmd.Env = append(os.Environ(), "RINGBENCH_AS_MAIN=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var res *schema.Result
	for i := 0; ; i++ {
		r, err := schema.ReadResult(filepath.Join(out, "run.json"))
		if err == nil && len(r.Scenarios) == 3 {
			res = r
			break
		}
		if i == 600 {
			t.Fatalf("three scenarios never finished: %s", stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // the fourth is under way
	cmd.Process.Signal(syscall.SIGINT)
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Fatalf("exit %v, want 130: %s", err, stderr.String())
	}
	res, err = schema.ReadResult(filepath.Join(out, "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Env.Noise) != len(res.Env.OnlineCPUs) || res.Env.Noise[0].DurationS <= 0 {
		t.Errorf("noise floor %+v for CPUs %v", res.Env.Noise, res.Env.OnlineCPUs)
	}
	if res.Matrix == nil || !res.Matrix.Interrupted || res.Matrix.Planned != 4 || len(res.Scenarios) != 3 {
		t.Fatalf("matrix %+v with %d scenarios", res.Matrix, len(res.Scenarios))
	}
	if res.Scenarios[2].Skipped == "" || len(res.Scenarios[0].Runs) != 1 || res.Scenarios[0].Hgrm["latency"] == "" {
		t.Errorf("scenarios: %+v", res.Scenarios)
	}
	for _, f := range []string{"bench.txt", "summary.csv", res.Scenarios[0].Hgrm["latency"]} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if problems := schema.Verify(res); len(problems) > 0 {
		t.Errorf("verify: %v", problems)
	}
	// The .hlog intervals are each scenario's own window: the first block
	// set 200 ms, the matrix 300 ms.
	for i, want := range []string{",0.200000,", ",0.300000,"} {
		b, err := os.ReadFile(filepath.Join(out, res.Scenarios[i].Hgrm["latency_hlog"]))
		if err != nil || !bytes.Contains(b, []byte("Tag=rep1,0.000000"+want)) {
			t.Errorf("scenario %d .hlog: want an interval of %s s: %v\n%s", i+1, strings.Trim(want, ","), err, b)
		}
	}
	var stdout bytes.Buffer
	if err := run(&stdout, &stderr, []string{"report", out}); err != nil {
		t.Fatalf("report on an interrupted run: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "report.md")); !bytes.Contains(b, []byte("nterrupted")) {
		t.Errorf("report does not say the run was interrupted")
	}
}
