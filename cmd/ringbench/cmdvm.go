package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"ringbench/internal/format"
	"ringbench/report/compare"
	"ringbench/schema"
	"ringbench/vm"
)

const vmUsage = `Usage: ringbench vm --kernel SPEC [--kernel SPEC…] [flags] -- SUBCOMMAND [flags]

Boots each kernel under qemu-system-x86_64 with a small initramfs in which
ringbench itself is PID 1, runs the subcommand there, brings the results back
over a 9p share (the serial console as a fallback) and writes
DIR/kernels/<release>/…, DIR/vm.json and, for claims, the cross-kernel table
DIR/claims-table.txt (claim × kernel → verdict). Kernel specs:

  host                        this machine's kernel, run directly (no VM)
  debian:6.1, debian:6.12     the newest linux-image-<version>-amd64-unsigned
  debian:6.12-rt              (…-rt-amd64-unsigned); downloaded with apt-get
                              into the cache folder
  PATH/vmlinuz[:MODULES_DIR]  a bzImage, with its lib/modules/<release>
                              folder when 9p is built as modules

Timings from emulated (TCG) guests compare only with each other, never with
hardware. A matrix in a TCG guest runs its emulated form (matrix --emulated:
the matrix file's "emulated" key, when it has one; --emulated=false runs
all of it). After a matrix or run, each pair of kernels whose timings
compare (the emulated guests with each other, KVM guests with each other;
the host with none) gets DIR/compare-<A>-vs-<B>/compare.md. Examples:

  ringbench vm --kernel debian:6.1 --kernel debian:6.12 --kernel host -- claims
  ringbench vm --kernel debian:6.12 --accel tcg -- claims --only C1,C2
  ringbench vm --kernel debian:6.1 --kernel debian:6.12 -- matrix --preset quick

Flags:
`

// kernelFlags collects repeated --kernel flags.
type kernelFlags []string

func (k *kernelFlags) String() string     { return strings.Join(*k, ",") }
func (k *kernelFlags) Set(s string) error { *k = append(*k, s); return nil }

func cmdVM(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("vm", vmUsage, stderr)
	var kernels kernelFlags
	fs.Var(&kernels, "kernel", "kernel to run on (repeat): host, debian:VERSION[-FLAVOUR] or PATH/vmlinuz[:MODULES_DIR]")
	accel := fs.String("accel", "auto", "auto (try KVM, fall back to TCG), kvm or tcg")
	out := fs.String("out", "", "run folder (default results/<UTC time>-vm-<host>)")
	cache := fs.String("cache", vm.DefaultCache(), "where downloaded kernels and the guest binary are kept")
	timeout := fs.Duration("timeout", 0, "longest boot (default: from the subcommand: the claims budget, twice under TCG, + 3m; 1h for matrix and run)")
	cpus := fs.Int("cpus", 2, "guest vCPUs")
	mem := fs.Int("mem", 1024, "guest memory, MiB")
	parallel := fs.Int("parallel", 0, "guests booted at once (default: 1 under KVM; under TCG one per host CPU, each guest using one host thread)")
	tcgThread := fs.String("tcg-thread", "single", "TCG threading: single (one host thread per guest) or multi (one per vCPU: faster, but BPF attach under load can oops the guest)")
	guestBin := fs.String("guest-binary", "", "static ringbench to boot (default: this one if static, else built with CGO_ENABLED=0 go build)")
	if ok, err := parseFlags(fs, args); !ok {
		return err
	}
	if len(kernels) == 0 {
		return usagef("no --kernel given (see ringbench vm -h)")
	}
	switch *accel {
	case "auto", "kvm", "tcg":
	default:
		return usagef("--accel %q: want auto, kvm or tcg", *accel)
	}
	if *tcgThread != "single" && *tcgThread != "multi" {
		return usagef("--tcg-thread %q: want single or multi", *tcgThread)
	}
	if *cpus < 1 || *mem < 256 || *timeout < 0 || *parallel < 0 {
		return usagef("--cpus must be ≥ 1, --mem ≥ 256, --timeout and --parallel ≥ 0")
	}
	sub, err := vm.GuestArgs(fs.Args())
	if err != nil {
		return usagef("%v (see ringbench vm -h)", err)
	}
	if *out == "" {
		host, _ := os.Hostname()
		*out = filepath.Join("results", time.Now().UTC().Format("20060102T150405Z")+"-vm-"+host)
	}
	ctx, caught := signalContext()
	needGuest := false
	for _, k := range kernels {
		needGuest = needGuest || strings.TrimSpace(k) != "host"
	}
	// The host's part runs this ringbench, cgo and all; a test binary is
	// no ringbench, so there the host runs the guests' one.
	self, _ := os.Executable()
	if strings.HasSuffix(self, ".test") {
		self = ""
	}
	bin := *guestBin
	if bin != "" {
		if err := vm.GuestBinaryUsable(bin); err != nil {
			return usagef("--guest-binary: %v", err)
		}
	} else if bin, err = vm.GuestBinary(ctx, *cache, stderr); err != nil {
		if needGuest {
			return err
		}
		bin = self // the host run needs no static binary
	}
	o := vm.Options{Kernels: kernels, Accel: *accel, Args: sub, Out: *out, Cache: *cache, Binary: bin, HostBinary: self,
		Timeout: *timeout, Parallel: *parallel, TCGThread: *tcgThread, CPUs: *cpus, MemMB: *mem, Log: stderr}
	rep, err := vm.Run(ctx, o)
	if ctx.Err() != nil {
		sig := caught()
		return exitError{code: 128 + int(sig), msg: fmt.Sprintf("interrupted by %v: %s holds the kernels that finished", sig, *out)}
	}
	if err != nil {
		return err
	}
	switch sub[0] {
	case "claims":
		b, err := os.ReadFile(filepath.Join(*out, "claims-table.txt"))
		if err != nil {
			return err
		}
		stdout.Write(b)
	}
	compareFailed := 0
	if sub[0] == "matrix" || sub[0] == "run" {
		compareFailed = compareKernels(stdout, stderr, *out, rep)
	}
	fmt.Fprintf(stdout, "results: %s\n", *out)
	failed := 0
	for _, k := range rep.Kernels {
		if !k.OK || k.ExitCode != 0 {
			failed++
		}
	}
	switch {
	case failed > 0:
		return exitError{code: 1, msg: fmt.Sprintf("%d of %d kernels failed (see above and %s)", failed, len(rep.Kernels), filepath.Join(*out, "vm.json"))}
	case compareFailed > 0:
		return exitError{code: 1, msg: fmt.Sprintf("%d comparisons of kernels could not be written (see above)", compareFailed)}
	}
	return nil
}

// compareKernels lists every kernel's run and compares each pair of
// kernels whose timings compare (vm.ComparablePairs) into
// DIR/compare-<A>-vs-<B>/compare.md, with its charts and the text
// comparison as compare.txt, A and B the kernels' folders. It returns how
// many comparisons failed.
func compareKernels(stdout, stderr io.Writer, out string, rep *vm.Report) (failed int) {
	for _, k := range rep.Kernels {
		if k.Dir == "" {
			continue
		}
		how := k.Accel
		if k.Kind == vm.KindHost {
			how = "host: its timings compare with no guest's"
		}
		fmt.Fprintf(stdout, "%s (%s): %s\n", k.Release, how, filepath.Join(out, k.Dir, "run.json"))
	}
	pairs := vm.ComparablePairs(rep.Kernels)
	if len(pairs) == 0 {
		fmt.Fprintln(stdout, "no pair of kernels to compare: the timings of emulated guests compare only with each other, KVM guests' with each other, and the host's with none")
	}
	for _, pair := range pairs {
		a, b := rep.Kernels[pair[0]], rep.Kernels[pair[1]]
		name := a.Release + " vs " + b.Release
		base, err1 := compare.LoadCompareRun(filepath.Join(out, a.Dir))
		other, err2 := compare.LoadCompareRun(filepath.Join(out, b.Dir))
		if err := errors.Join(err1, err2); err != nil {
			fmt.Fprintf(stderr, "ringbench: vm: compare %s: %v\n", name, format.OneLine(err))
			failed++
			continue
		}
		c, err := compare.Compare([]*compare.CompareRun{base, other})
		if err != nil {
			fmt.Fprintf(stderr, "ringbench: vm: compare %s: %v\n", name, format.OneLine(err))
			failed++
			continue
		}
		dir := filepath.Join(out, "compare-"+filepath.Base(a.Dir)+"-vs-"+filepath.Base(b.Dir))
		md, _, err := writeCompare(dir, c)
		if err == nil {
			var txt strings.Builder
			c.WriteText(&txt, false)
			err = schema.WriteFileAtomic(filepath.Join(dir, "compare.txt"), []byte(txt.String()))
		}
		if err != nil {
			fmt.Fprintf(stderr, "ringbench: vm: compare %s: %v\n", name, err)
			failed++
			continue
		}
		fmt.Fprintf(stdout, "%s (%s): %s\n", name, a.Accel, md)
	}
	return failed
}
