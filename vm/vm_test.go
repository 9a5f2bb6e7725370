package vm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ringbench/claims"
)

type testLog struct{ t *testing.T }

func (l testLog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// Faults cost one line each and the other kernels still run; none of them
// needs qemu or the network.
func TestRunFaultsAreOneLineEach(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "vmlinuz-4.19")
	b := make([]byte, 0x400)
	copy(b[0x202:], "HdrS")
	b[0x20f] = 0x01
	copy(b[0x300:], "4.19.0-27-amd64 (debian-kernel@lists.debian.org) #1 SMP\x00")
	os.WriteFile(old, b, 0o644)
	args, _ := GuestArgs([]string{"claims", "--only", "C1"})
	var log strings.Builder
	out := filepath.Join(dir, "run")
	rep, err := Run(context.Background(), Options{
		Kernels: []string{"ubuntu:22.04", old, filepath.Join(dir, "missing/vmlinuz")},
		Accel:   "tcg", Args: args, Out: out, Cache: filepath.Join(dir, "cache"),
		Binary: "/bin/true", Qemu: "/bin/true", CPUs: 2, MemMB: 512, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Kernels) != 3 {
		t.Fatalf("%d kernels in the report, want 3", len(rep.Kernels))
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 3 {
		t.Errorf("want one line per fault, got:\n%s", log.String())
	}
	for i, want := range []string{"unknown kernel spec", "no BPF ring buffer (needs 5.8 or later)", "no such file"} {
		if k := rep.Kernels[i]; k.OK || !strings.Contains(k.Error, want) {
			t.Errorf("kernel %d (%s): ok=%v error %q, want %q", i, k.Spec, k.OK, k.Error, want)
		}
	}
	for _, f := range []string{"vm.json", "claims-table.txt", "claims-table.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	rep, _ = Run(context.Background(), Options{Kernels: []string{"debian:6.12"}, Accel: "tcg", Args: args,
		Out: out, Cache: dir, Binary: "/bin/true", Qemu: filepath.Join(dir, "no-qemu"), Log: &log})
	if k := rep.Kernels[0]; !strings.Contains(k.Error, "not found (apt-get install qemu-system-x86)") {
		t.Errorf("without qemu: %q", k.Error)
	}
}

// TestBootDebian612 boots debian:6.12 under TCG and runs claims --only
// C1,C2 as PID 1; the verdicts come back over 9p. It downloads the kernel
// (about 100 MB, once, into the cache) and takes 15–30 s: set
// RINGBENCH_VM_TEST=1 to run it.
func TestBootDebian612(t *testing.T) {
	if testing.Short() || os.Getenv("RINGBENCH_VM_TEST") != "1" {
		t.Skip("boots a VM: set RINGBENCH_VM_TEST=1 (and not -short) to run it")
	}
	if _, err := exec.LookPath(qemuBinary); err != nil {
		t.Skip(qemuBinary + " not installed")
	}
	if _, err := exec.LookPath("apt-get"); err != nil {
		t.Skip("no apt-get to fetch debian:6.12")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "ringbench")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ringbench")
	build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if err := GuestBinaryUsable(bin); err != nil {
		t.Fatalf("%v (does main() call guestMain()?)", err)
	}
	cache := os.Getenv("RINGBENCH_VM_CACHE")
	if cache == "" {
		cache = DefaultCache()
	}
	args, _ := GuestArgs([]string{"claims", "--only", "C1,C2"})
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, err := Run(ctx, Options{Kernels: []string{"debian:6.12"}, Accel: "tcg", Args: args, Out: out,
		Cache: cache, Binary: bin, Timeout: 3 * time.Minute, CPUs: 2, MemMB: 1024, Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	k := rep.Kernels[0]
	if !k.OK || k.ExitCode != 0 {
		t.Fatalf("debian:6.12: %s\nconsole:\n%s", k.Error, strings.Join(k.ConsoleTail, "\n"))
	}
	if k.Status == nil || !k.Status.Share || !k.Emulated || k.Accel != "tcg" {
		t.Errorf("status %+v, accel %s, emulated %v: want the 9p share used under tcg", k.Status, k.Accel, k.Emulated)
	}
	if !strings.HasPrefix(k.Release, "6.12.") {
		t.Errorf("release %q", k.Release)
	}
	got := map[string]claims.Verdict{}
	for _, c := range k.Claims {
		got[c.ID] = c.Verdict
	}
	if len(got) != 2 || got["C1"] == "" || got["C2"] == "" {
		t.Errorf("verdicts %v, want C1 and C2", got)
	}
	if _, err := os.Stat(filepath.Join(out, k.Dir, "claims.json")); err != nil {
		t.Errorf("claims.json did not come back: %v", err)
	}
	if left, _ := exec.Command("pgrep", "-af", filepath.Join(out, "kernels")).Output(); len(left) > 0 {
		t.Errorf("left running: %s", left)
	}
}
