package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ringbench/claims"
	"ringbench/internal/testutil"
	"ringbench/schema"
)

// The test binary doubles as ringbench for the tests that need a real
// process to signal.
func TestMain(m *testing.M) {
	if os.Getenv("RINGBENCH_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestBadInputExits2WithOneLine(t *testing.T) {
	for _, args := range [][]string{
		{"run", "--rate", "-5"},
		{"run", "--rate", "0"},
		{"run", "--transport", "pipe"},
		{"run", "--mode", "magic"},
		{"run", "--payload", "8"},
		{"run", "--payload", "40000"},
		{"run", "--ring-bytes", "5000"},
		{"run", "--ring-bytes", "1024"},
		{"run", "--batch", "0"},
		{"run", "--wakeup", "watermark=64"},
		{"run", "--transport", "perfbuf", "--wakeup", "sampled:4"},
		{"run", "--cpus", "0:99"},
		{"run", "--cpus", "99:0"},
		{"run", "--duration", "0s"},
		{"run", "--mode", "reader", "--backoff", "pause"},
		{"run", "--mode", "spin", "--backoff", "nap"},
		{"run", "--mode", "spin", "--wait", "netpoll"},
		{"run", "--mode", "epoll", "--wait", "busy"},
		{"run", "--b2b", "--rate", "1000"},
		{"run", "--b2b", "--producers", "2"},
		{"run", "--delivery", "channel:0"},
		{"run", "--work", "fast"},
		{"run", "--poll-timeout", "0s"},
		{"run", "--no-such-flag"},
		{"run", "stray"},
		{"claims", "--only", "C13"},
		{"claims", "--budget", "0s"},
		{"claims", "stray"},
		{"env", "stray"},
		{"verify", "--no-such-flag"},
		{"frobnicate"},
		{},
	} {
		out := filepath.Join(t.TempDir(), "out")
		var stdout, stderr bytes.Buffer
		err := run(&stdout, &stderr, append(args, "--out", out))
		if len(args) == 0 {
			err = run(&stdout, &stderr, nil)
		}
		var msg bytes.Buffer
		code := exitCode(err, &msg)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2 (err %v)", args, code, err)
		}
		if lines := strings.Count(strings.TrimSpace(msg.String()), "\n"); lines != 0 {
			t.Errorf("%v: error is %d lines: %q", args, lines+1, msg.String())
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%v: created the output folder", args)
		}
	}
}

// -h prints the subcommand's usage and is not an error.
func TestHelpExits0(t *testing.T) {
	for _, sub := range []string{"run", "matrix", "env", "verify", "claims", "report", "compare", "vm"} {
		var stdout, stderr bytes.Buffer
		err := run(&stdout, &stderr, []string{sub, "-h"})
		if code := exitCode(err, &stderr); code != 0 {
			t.Errorf("%s -h: exit %d: %s", sub, code, stderr.String())
		}
		if !strings.HasPrefix(stderr.String(), "Usage: ringbench "+sub) {
			t.Errorf("%s -h printed %q, want its usage", sub, stderr.String())
		}
	}
}

// A run interrupted by SIGINT or SIGTERM stops, exits 128+signal, writes
// nothing, and nothing it loaded survives it.
func TestSignalLeavesNothing(t *testing.T) {
	testutil.RequireBPF(t)
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(os.Args[0], "run", "--duration", "60s", "--warmup", "0s", "--rate", "10000", "--out", out)
			cmd.Env = append(os.Environ(), "RINGBENCH_AS_MAIN=1")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()

			// Wait until the scenario's child process has attached the
			// producer and the consumer runs, then take note of what it
			// holds.
			var held testutil.Footprint
			for i := 0; ; i++ {
				f, err := testutil.FootprintOf(scenarioChild(cmd.Process.Pid))
				if err == nil && len(f.IDs.Links) > 0 && f.Mappings > 0 {
					held = f
					break
				}
				if i == 300 {
					t.Fatalf("child never loaded the producer: %s", stderr.String())
				}
				time.Sleep(100 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond) // let events flow
			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 128+int(sig) {
				t.Fatalf("exit %v, want %d; stderr: %s", err, 128+int(sig), stderr.String())
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Error("an interrupted run wrote its output folder")
			}
			testutil.RequireGone(t, held.IDs)
		})
	}
}

// scenarioChild is the pid of the child process running a scenario for
// ringbench process pid, or -1 while there is none. A children file lists
// the children of one thread, and Go forks from any of its threads, so
// every task is looked at.
func scenarioChild(pid int) int {
	tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(pid), "task", "*", "children"))
	for _, path := range tasks {
		b, err := os.ReadFile(path)
		if f := strings.Fields(string(b)); err == nil && len(f) > 0 {
			child, _ := strconv.Atoi(f[0])
			return child
		}
	}
	return -1
}

// runMain runs the test binary as ringbench with args and extra env.
func runMain(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "RINGBENCH_AS_MAIN=1"), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return o.String(), e.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), 0
}

// --reps 3 runs three isolated repetitions and summarises them; a child
// that dies is a failed repetition, recorded with the reason, and the run
// goes on.
func TestRepetitionsAndFailedChild(t *testing.T) {
	testutil.RequireBPF(t)
	dir := t.TempDir()
	args := []string{"run", "--rate", "10000", "--duration", "300ms", "--warmup", "100ms", "--reps", "3"}
	if _, stderr, code := runMain(t, nil, append(args, "--out", filepath.Join(dir, "ok"))...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	res, err := schema.ReadResult(filepath.Join(dir, "ok", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	sc := res.Scenarios[0]
	if len(sc.Runs) != 3 || sc.Summary["throughput.consumed_eps"].N != 3 {
		t.Fatalf("%d runs, summary n=%d; want 3 and 3", len(sc.Runs), sc.Summary["throughput.consumed_eps"].N)
	}
	if name := sc.Hgrm["latency"]; name == "" {
		t.Error("no latency .hgrm named in run.json")
	} else if b, err := os.ReadFile(filepath.Join(dir, "ok", name)); err != nil || !strings.Contains(string(b), "Percentile") {
		t.Errorf("latency .hgrm %s unreadable: %v", name, err)
	}

	_, stderr, code := runMain(t, []string{"RINGBENCH_TEST_KILL_CHILD=1"}, append(args, "--out", filepath.Join(dir, "killed"))...)
	if code != 0 {
		t.Fatalf("a killed child failed the run: exit %d: %s", code, stderr)
	}
	res, err = schema.ReadResult(filepath.Join(dir, "killed", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range res.Scenarios[0].Runs {
		if !r.Incomplete() || !strings.Contains(r.Error, "killed") {
			t.Errorf("run %d: error %q, want a failed repetition naming the kill", i+1, r.Error)
		}
	}
	if len(schema.Verify(res)) == 0 {
		t.Error("verify accepted a result whose repetitions all failed")
	}
}

// The functional claims run on their own, fast, and each gets one of the
// four verdicts with evidence.
func TestClaimsFunctional(t *testing.T) {
	testutil.RequireBPF(t)
	out := filepath.Join(t.TempDir(), "claims.json")
	stdout, stderr, code := runMain(t, nil, "claims", "--only", "C1,C2,C3,C4,C5", "--json", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var results []claims.Result
	if err := json.Unmarshal(b, &results); err != nil {
		t.Fatal(err)
	}
	if len(results) != 5 {
		t.Fatalf("%d results, want 5:\n%s", len(results), stdout)
	}
	for _, r := range results {
		switch r.Verdict {
		case claims.Holds, claims.Refuted, claims.Partly, claims.Inconclusive:
		default:
			t.Errorf("%s: verdict %q", r.ID, r.Verdict)
		}
		if len(r.Evidence) == 0 || !strings.Contains(stdout, r.ID) {
			t.Errorf("%s: no evidence, or not printed", r.ID)
		}
	}
}

// Without privileges a run says so in one line and exits 1, before loading
// anything.
func TestUnprivilegedExits1(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to start a child as nobody")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ringbench")
	exe, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, exe, 0o755); err != nil {
		t.Fatal(err)
	}
	for d := dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
	out := filepath.Join(dir, "out")
	cmd := exec.Command(bin, "run", "--duration", "1s", "--out", out)
	cmd.Env = append(os.Environ(), "RINGBENCH_AS_MAIN=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err = cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1; stderr: %s", err, stderr.String())
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Contains(msg, "\n") || !strings.Contains(msg, "root") {
		t.Errorf("stderr %q: want one line about root", msg)
	}
}
