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
	"ringbench/schema"
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

// bootDebian612 builds the guest binary and boots debian:6.12 under TCG
// with cpus vCPUs, running args (a ringbench subcommand) as PID 1. It
// downloads the kernel (about 100 MB, once, into the cache): set
// RINGBENCH_VM_TEST=1 to run the tests that call it.
func bootDebian612(t *testing.T, cpus int, args ...string) (KernelRun, string) {
	t.Helper()
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
	guestArgs, err := GuestArgs(args)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, err := Run(ctx, Options{Kernels: []string{"debian:6.12"}, Accel: "tcg", Args: guestArgs, Out: out,
		Cache: cache, Binary: bin, Timeout: 3 * time.Minute, CPUs: cpus, MemMB: 1024, Log: testLog{t}})
	if err != nil {
		t.Fatal(err)
	}
	k := rep.Kernels[0]
	if !k.OK || k.ExitCode != 0 {
		t.Fatalf("debian:6.12: %s\nconsole:\n%s", k.Error, strings.Join(k.ConsoleTail, "\n"))
	}
	if left, _ := exec.Command("pgrep", "-af", filepath.Join(out, "kernels")).Output(); len(left) > 0 {
		t.Errorf("left running: %s", left)
	}
	return k, out
}

// TestBootDebian612 runs claims --only C1,C2 as PID 1 of a 2-vCPU guest;
// the verdicts come back over 9p. 15–30 s.
func TestBootDebian612(t *testing.T) {
	k, out := bootDebian612(t, 2, "claims", "--only", "C1,C2")
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
}

// TestScaleInGuest proves the perf-box paths on more CPUs than this
// machine has: in a 4-vCPU guest, 3 producers and 2 consumers splitting
// the rings of perfbuf and ringbuf-sharded, and 3 producers into one
// ringbuf (its one ring cannot be split). Every event is accounted for,
// per CPU. About a minute and a half under TCG; its timings are the
// emulator's and say so (env.hypervisor).
func TestScaleInGuest(t *testing.T) {
	for _, c := range []struct {
		name      string
		scenarios int
		args      []string
	}{
		{"split", 2, []string{"run", "--transport", "perfbuf,ringbuf-sharded", "--mode", "epoll", "--producers", "3", "--consumers", "2", "--oversubscribe"}},
		{"ringbuf", 1, []string{"run", "--transport", "ringbuf", "--mode", "epoll", "--producers", "3"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			args := append(c.args, "--rate", "20000", "--duration", "2s", "--warmup", "500ms", "--reps", "1")
			k, out := bootDebian612(t, 4, args...)
			r, err := schema.ReadResult(filepath.Join(out, k.Dir, "run.json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Env.OnlineCPUs) != 4 || !strings.Contains(r.Env.Hypervisor, "TCG") {
				t.Errorf("guest: CPUs %v, hypervisor %q", r.Env.OnlineCPUs, r.Env.Hypervisor)
			}
			if len(r.Scenarios) != c.scenarios {
				t.Errorf("%d scenarios, want %d", len(r.Scenarios), c.scenarios)
			}
			for _, s := range r.Scenarios {
				if len(s.Runs) == 0 {
					t.Errorf("%s: no run (%s)", s.ID, s.Skipped)
					continue
				}
				run := s.Runs[0]
				e := run.Events
				if e.Emitted == 0 || e.Emitted != e.Consumed+e.Dropped || e.Duplicates != 0 || e.OutOfOrder != 0 {
					t.Errorf("%s: events %+v", s.ID, e)
				}
				if f := run.Failed(); len(f) > 0 {
					t.Errorf("%s: checks failed: %+v", s.ID, f)
				}
				if len(s.Params.ProducerCPUs) != 3 {
					t.Errorf("%s: producers on %v", s.ID, s.Params.ProducerCPUs)
				}
			}
		})
	}
}
