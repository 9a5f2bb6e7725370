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

	"ringbench/internal/testutil"
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

			// Wait until the producer is attached and the consumer runs,
			// then take note of what the child holds.
			var held testutil.Footprint
			for i := 0; ; i++ {
				f, err := testutil.FootprintOf(cmd.Process.Pid)
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
