package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"ringbench/schema"
)

// TestVMComparesTwoGuests boots Debian's 6.1 and 6.12 under TCG, runs a
// one-scenario matrix in each (in its emulated form, as every matrix in a
// TCG guest) and on the host, and requires the compare.md of the guests'
// pair, naming both kernels, and no comparison with the host. It downloads the two
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
	args := []string{"vm", "--kernel", "debian:6.1", "--kernel", "debian:6.12", "--kernel", "host", "--accel", "tcg", "--out", out}
	if cache := os.Getenv("RINGBENCH_VM_CACHE"); cache != "" {
		args = append(args, "--cache", cache)
	}
	args = append(args, "--", "matrix", "--preset", "quick", "--noise", "0", "--reps", "4",
		"--filter", "transport=ringbuf,mode=epoll,wakeup=adaptive,rate=10000")
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.Output()
	if err != nil {
		var stderr []byte
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = ee.Stderr
		}
		t.Fatalf("ringbench vm: %v\nstdout:\n%s\nstderr:\n%s", err, stdout, stderr)
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
	if len(runs) != 3 {
		t.Fatalf("runs %v, want three", runs)
	}
	var guests []string // the guests' folders, in the order vm ran them (6.1, 6.12)
	for _, p := range runs {
		r, err := schema.ReadResult(p)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Scenarios) != 1 || len(r.Scenarios[0].Runs) != 4 {
			t.Errorf("%s: %d scenarios: want one, of 4 repetitions", p, len(r.Scenarios))
		}
		// The guests ran the emulated form; the host the matrix itself.
		if emulated := r.Matrix != nil && r.Matrix.Emulated != ""; emulated != r.Env.Emulated {
			t.Errorf("%s: emulated run %v, matrix %+v: a TCG guest runs the emulated form, the host does not", p, r.Env.Emulated, r.Matrix)
		}
		if r.Env.Emulated {
			guests = append(guests, filepath.Base(filepath.Dir(p)))
		}
	}
	// The one comparison is the guests' pair, so not the host's.
	if len(guests) != 2 || filepath.Base(dirs[0]) != "compare-"+guests[0]+"-vs-"+guests[1] {
		t.Errorf("the comparison %s is not of the guests %v alone", dirs[0], guests)
	}
}
