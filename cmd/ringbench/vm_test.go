package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"ringbench/schema"
)

// TestVMComparesTwoGuests boots Debian's 6.1 and 6.12 under TCG, runs a
// one-scenario matrix in each (in its emulated form, as every matrix in a
// TCG guest) and requires the compare.md of the pair, naming both
// kernels, and none for the host, which did not run. It downloads the two
// kernels (some 100 MB each, once, into the cache): set RINGBENCH_VM_TEST=1
// to run it. About a minute.
func TestVMComparesTwoGuests(t *testing.T) {
	if testing.Short() || os.Getenv("RINGBENCH_VM_TEST") != "1" {
		t.Skip("boots two VMs: set RINGBENCH_VM_TEST=1 (and not -short) to run it")
	}
	for _, tool := range []string{"qemu-system-x86_64", "apt-get"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skip(tool + " not installed")
		}
	}
	bin := filepath.Join(t.TempDir(), "ringbench")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(t.TempDir(), "run")
	args := []string{"vm", "--kernel", "debian:6.1", "--kernel", "debian:6.12", "--accel", "tcg", "--out", out}
	if cache := os.Getenv("RINGBENCH_VM_CACHE"); cache != "" {
		args = append(args, "--cache", cache)
	}
	args = append(args, "--", "matrix", "--preset", "quick", "--noise", "0", "--reps", "4",
		"--filter", "transport=ringbuf,mode=epoll,wakeup=adaptive")
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("ringbench vm: %v\nstdout:\n%s", err, stdout)
	}
	dirs, _ := filepath.Glob(filepath.Join(out, "compare-*-vs-*"))
	if len(dirs) != 1 {
		t.Fatalf("compare folders %v, want one (6.1 vs 6.12)\nstdout:\n%s", dirs, stdout)
	}
	md, err := os.ReadFile(filepath.Join(dirs[0], "compare.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, release := range []string{`6\.1\.\d+-\d+-amd64`, `6\.12\.\d+`} {
		if !regexp.MustCompile(`\| \*\*kernel\*\* ≠ \|[^\n]*` + release).Match(md) {
			t.Errorf("compare.md names no kernel %s in its environment's kernel row:\n%s", release, md)
		}
	}
	runs, _ := filepath.Glob(filepath.Join(out, "kernels", "*", "run.json"))
	if len(runs) != 2 {
		t.Fatalf("runs %v, want two", runs)
	}
	for _, p := range runs {
		r, err := schema.ReadResult(p)
		if err != nil {
			t.Fatal(err)
		}
		if r.Matrix == nil || !strings.Contains(r.Matrix.Emulated, "rate=10000") || len(r.Scenarios) != 1 || len(r.Scenarios[0].Runs) != 4 {
			t.Errorf("%s: matrix %+v, %d scenarios: want the emulated form's one scenario, 4 repetitions", p, r.Matrix, len(r.Scenarios))
		}
	}
}
