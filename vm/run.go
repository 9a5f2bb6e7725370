package vm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"ringbench/bench"
	"ringbench/claims"
)

// Options are one ringbench vm invocation.
type Options struct {
	Kernels []string // --kernel specs, in order
	Accel   string   // auto, kvm or tcg
	Args    []string // the subcommand and its flags, from GuestArgs
	Out     string   // the run folder
	Cache   string   // downloaded kernels
	Binary  string   // static ringbench for the guests (and the host run)
	Qemu    string   // qemu-system-x86_64, found on PATH when empty
	Timeout time.Duration
	// Parallel is how many guests boot at once; 0 chooses (DefaultParallel).
	Parallel int
	// TCGThread is TCG's threading: single (the default) or multi.
	TCGThread string
	CPUs      int
	MemMB     int
	Log       io.Writer // progress and one line per fault
}

// KernelRun is one kernel's part of the matrix, as vm.json records it.
type KernelRun struct {
	Spec     string `json:"spec"`
	Kind     Kind   `json:"kind,omitempty"`
	Release  string `json:"release,omitempty"`
	Package  string `json:"package,omitempty"`
	Dir      string `json:"dir,omitempty"` // kernels/<release>, relative to the run folder
	Accel    string `json:"accel,omitempty"`
	Emulated bool   `json:"emulated"`
	// AccelNote says why the accelerator is not the one asked for (auto
	// tried KVM and it failed).
	AccelNote string `json:"accel_note,omitempty"`
	Attempts  int    `json:"attempts"`
	// Retried says why the first boot failed when a second one was made.
	Retried  string  `json:"retried,omitempty"`
	BootS    float64 `json:"boot_s,omitempty"`  // seconds to PID 1
	TotalS   float64 `json:"total_s,omitempty"` // seconds of the last attempt
	ExitCode int     `json:"exit_code"`
	// OK: the subcommand ran to its end (its own exit code may still say
	// it found problems). Otherwise Error says why, in one line, and
	// ConsoleTail shows the console's last lines for a guest.
	OK          bool            `json:"ok"`
	Error       string          `json:"error,omitempty"`
	ConsoleTail []string        `json:"console_tail,omitempty"`
	Claims      []claims.Result `json:"-"`
	Modules     []string        `json:"modules,omitempty"`
	Status      *GuestStatus    `json:"guest,omitempty"`
}

// Report is vm.json.
type Report struct {
	Schema string   `json:"schema"`
	Args   []string `json:"args"`
	Accel  string   `json:"accel"`
	// TCGThread and Parallel say how TCG guests ran: threading, and how
	// many side by side.
	TCGThread string      `json:"tcg_thread,omitempty"`
	Parallel  int         `json:"parallel"`
	Start     string      `json:"start"`
	Seconds   float64     `json:"seconds"`
	Kernels   []KernelRun `json:"kernels"`
}

// consoleTailShown is how much of a failed guest's console the log shows
// (vm.json keeps more).
const consoleTailShown = 15

// ReportSchema versions vm.json.
const ReportSchema = "ringbench-vm/v1"

// subcommands ringbench vm can run, and the flag that says where results go.
var outFlags = map[string]string{"claims": "--json", "matrix": "--out", "run": "--out", "env": ""}

// GuestArgs checks the subcommand given after -- and points its output into
// the kernel's folder (@OUT@, replaced in the guest and for the host run).
func GuestArgs(args []string) ([]string, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("no subcommand after -- (want claims, matrix, run or env)")
	}
	flag, ok := outFlags[args[0]]
	if !ok {
		return nil, fmt.Errorf("subcommand %q cannot run in a VM (want claims, matrix, run or env)", args[0])
	}
	for _, a := range args[1:] {
		name, _, _ := strings.Cut(a, "=")
		if flag != "" && (name == flag || name == "-"+strings.TrimLeft(flag, "-")) {
			return nil, fmt.Errorf("%s %s: ringbench vm chooses where results go (each kernel's folder)", args[0], flag)
		}
	}
	out := append([]string(nil), args...)
	switch args[0] {
	case "claims":
		out = append(out, "--json", "@OUT@/claims.json")
	case "matrix", "run":
		out = append(out, "--out", "@OUT@")
	}
	return out, nil
}

// DefaultTimeout bounds one boot when --timeout is not given: the claims
// budget (when measuring) or an hour for matrix and run, twice over under
// TCG, plus three minutes for booting and the functional claims.
func DefaultTimeout(args []string, accel string) time.Duration {
	work := time.Hour
	if len(args) > 0 && (args[0] == "claims" || args[0] == "env") {
		work = 0
		if args[0] == "claims" {
			work = 3 * time.Minute
			for i, a := range args {
				if v, ok := strings.CutPrefix(a, "--budget="); ok {
					work, _ = time.ParseDuration(v)
				} else if (a == "--budget" || a == "-budget") && i+1 < len(args) {
					work, _ = time.ParseDuration(args[i+1])
				} else if a == "--measure=false" || a == "-measure=false" {
					work = 0
					break
				}
			}
		}
	}
	if accel != "kvm" {
		work *= 2
	}
	return work + 3*time.Minute
}

// Run runs the subcommand on every kernel and writes vm.json and, for
// claims, the cross-kernel table into o.Out. Kernels are resolved first
// (Debian packages downloaded), then the host kernel's runs go alone, so
// that nothing competes with its timings, then the guests: under --accel
// auto the first guest boot finds out whether KVM works; TCG guests then
// run o.Parallel at a time. A kernel that cannot run is one line on o.Log
// and a failed column; the others still run. Run fails only when nothing
// can be written.
func Run(ctx context.Context, o Options) (*Report, error) {
	t0 := time.Now()
	o.Log = &syncWriter{w: o.Log}
	rep := &Report{Schema: ReportSchema, Args: o.Args, Accel: o.Accel, TCGThread: o.TCGThread, Start: t0.UTC().Format(time.RFC3339)}
	if err := os.MkdirAll(filepath.Join(o.Out, "kernels"), 0o755); err != nil {
		return nil, err
	}
	b := &booter{o: o}
	type job struct {
		k   Kernel
		dir string
	}
	jobs := map[int]job{}
	seen, used := map[string]bool{}, map[string]bool{}
	for _, raw := range o.Kernels {
		if ctx.Err() != nil {
			break
		}
		s, err := ParseSpec(raw)
		if err == nil && seen[s.Raw] {
			continue
		}
		seen[s.Raw] = true
		kr := KernelRun{Spec: strings.TrimSpace(raw), Kind: s.Kind}
		if err != nil {
			kr.Error = oneLine(err)
		} else if k, dir, err := b.prepare(ctx, s, &kr, used); err != nil {
			kr.Error = oneLine(err)
		} else {
			jobs[len(rep.Kernels)] = job{k, dir}
		}
		rep.Kernels = append(rep.Kernels, kr)
	}
	finish := func(i int) { rep.Kernels[i].Claims = readClaims(filepath.Join(jobs[i].dir, "claims.json")) }
	var guests []int
	for i := range rep.Kernels {
		j, ok := jobs[i]
		switch {
		case !ok:
		case j.k.Spec.Kind == KindHost:
			if ctx.Err() == nil {
				b.host(ctx, &rep.Kernels[i], j.dir)
				finish(i)
			}
		default:
			guests = append(guests, i)
		}
	}
	if len(guests) > 0 && o.Accel == "auto" {
		if err := KVMUsable(); err != nil {
			b.kvmDead = "/dev/kvm: " + err.Error()
		} else {
			// The first guest finds out whether KVM works, alone: when it
			// does, that guest is done; when not, it waits for TCG with
			// the others.
			i := guests[0]
			if b.guest(ctx, jobs[i].k, &rep.Kernels[i], jobs[i].dir, true) {
				finish(i)
				guests = guests[1:]
			}
		}
	}
	accel := o.Accel
	if accel == "auto" {
		accel = "kvm"
		if b.kvmDead != "" {
			accel = "tcg"
		}
	}
	par := o.Parallel
	if par <= 0 {
		par = DefaultParallel(accel, o.TCGThread, o.CPUs)
	}
	rep.Parallel = min(par, max(1, len(guests)))
	queue := make(chan int, len(guests)) // in the order given
	for _, i := range guests {
		queue <- i
	}
	close(queue)
	var wg sync.WaitGroup
	for range rep.Parallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range queue {
				if ctx.Err() == nil {
					b.guest(ctx, jobs[i].k, &rep.Kernels[i], jobs[i].dir, false)
					finish(i)
				}
			}
		}()
	}
	wg.Wait()
	for _, kr := range rep.Kernels {
		if kr.Error == "" {
			continue
		}
		fmt.Fprintf(o.Log, "ringbench: vm: %s: %s\n", kr.Spec, kr.Error)
		if len(kr.ConsoleTail) > 0 {
			// A guest that hung or crashed: what its console said last.
			tail := kr.ConsoleTail[max(0, len(kr.ConsoleTail)-consoleTailShown):]
			fmt.Fprintf(o.Log, "  the console's last %d lines (all of it: %s):\n", len(tail), filepath.Join(o.Out, kr.Dir, "console.log"))
			for _, l := range tail {
				fmt.Fprintf(o.Log, "    | %s\n", l)
			}
		}
	}
	rep.Seconds = time.Since(t0).Seconds()
	if err := bench.WriteJSON(filepath.Join(o.Out, "vm.json"), rep); err != nil {
		return rep, err
	}
	if len(o.Args) > 0 && o.Args[0] == "claims" {
		var txt, md strings.Builder
		WriteClaimsTable(&txt, rep.Kernels)
		WriteClaimsMarkdown(&md, rep.Kernels)
		if err := bench.WriteFileAtomic(filepath.Join(o.Out, "claims-table.txt"), []byte(txt.String())); err != nil {
			return rep, err
		}
		if err := bench.WriteFileAtomic(filepath.Join(o.Out, "claims-table.md"), []byte(md.String())); err != nil {
			return rep, err
		}
	}
	return rep, ctx.Err()
}

// DefaultParallel is how many guests run at once: one under KVM (guests
// there are measured like the host), and under TCG as many as the host has
// cores for, each single-threaded TCG guest using one host thread (a
// multi-threaded one, one per vCPU).
func DefaultParallel(accel, tcgThread string, cpus int) int {
	if accel != "tcg" {
		return 1
	}
	per := 1
	if tcgThread == "multi" {
		per = max(1, cpus)
	}
	return max(1, runtime.NumCPU()/per)
}

type booter struct {
	o       Options
	kvmDead string // why KVM did not work, once auto found out
}

// prepare resolves one spec to a kernel (downloading a Debian package),
// gives it its folder and checks that it can run ringbench at all.
func (b *booter) prepare(ctx context.Context, s Spec, kr *KernelRun, used map[string]bool) (Kernel, string, error) {
	o := b.o
	if s.Kind != KindHost {
		if _, err := exec.LookPath(qemuPath(o)); err != nil {
			return Kernel{}, "", fmt.Errorf("%s not found (apt-get install qemu-system-x86)", qemuPath(o))
		}
	}
	k, err := Resolve(ctx, s, o.Cache, o.Log)
	if err != nil {
		return Kernel{}, "", err
	}
	kr.Release, kr.Package = k.Release, k.Package
	dirName := k.Release
	for i := 2; used[dirName]; i++ {
		dirName = fmt.Sprintf("%s-%d", k.Release, i)
	}
	used[dirName] = true
	kr.Dir = filepath.Join("kernels", dirName)
	dir := filepath.Join(o.Out, kr.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Kernel{}, "", err
	}
	if err := Check(k); err != nil {
		return Kernel{}, "", err
	}
	return k, dir, nil
}

// syncWriter serialises writes from the guests running side by side.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func qemuPath(o Options) string {
	if o.Qemu != "" {
		return o.Qemu
	}
	return QemuBinary
}

// host runs the subcommand on this machine, no VM.
func (b *booter) host(ctx context.Context, kr *KernelRun, dir string) {
	o := b.o
	fmt.Fprintf(o.Log, "vm: host (%s): running ringbench %s\n", kr.Release, strings.Join(o.Args, " "))
	kr.Accel, kr.Attempts = "none", 1
	abs, _ := filepath.Abs(dir)
	args := make([]string, len(o.Args))
	for i, a := range o.Args {
		args[i] = strings.ReplaceAll(a, "@OUT@", abs)
	}
	env := bench.CaptureEnv()
	_ = bench.WriteJSON(filepath.Join(dir, FileEnv), env)
	so, err := os.Create(filepath.Join(dir, FileStdout))
	if err != nil {
		kr.Error = oneLine(err)
		return
	}
	defer so.Close()
	se, err := os.Create(filepath.Join(dir, FileStderr))
	if err != nil {
		kr.Error = oneLine(err)
		return
	}
	defer se.Close()
	t0 := time.Now()
	cmd := exec.CommandContext(ctx, o.Binary, args...)
	// Interrupted, the subcommand gets SIGTERM so that it stops its own
	// children; SIGKILL only if it does not exit soon.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	cmd.Stdout, cmd.Stderr = so, io.MultiWriter(se, prefixWriter(o.Log, "  host| "))
	err = cmd.Run()
	kr.TotalS = time.Since(t0).Seconds()
	var ee *exec.ExitError
	switch {
	case err == nil:
		kr.OK = true
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		kr.OK, kr.ExitCode = true, ee.ExitCode()
	default:
		kr.Error = oneLine(err)
	}
	if kr.OK && kr.ExitCode != 0 {
		kr.Error = fmt.Sprintf("ringbench %s exited %d: %s", o.Args[0], kr.ExitCode, lastLineOf(filepath.Join(dir, FileStderr)))
	}
}

// guest boots one kernel, a second time when the first boot hangs or
// crashes. With probe set (--accel auto, the run's first guest) it boots
// under KVM and gives up at once, returning false with b.kvmDead set,
// when KVM cannot bring the kernel to PID 1; the guest is then to be
// booted again under TCG.
func (b *booter) guest(ctx context.Context, k Kernel, kr *KernelRun, dir string, probe bool) bool {
	o := b.o
	base, mods, err := b.initramfs(k)
	if err != nil {
		kr.Error = oneLine(err)
		return true
	}
	kr.Modules = mods
	abs, _ := filepath.Abs(dir)
	for attempt := 1; attempt <= 2; attempt++ {
		accel := o.Accel
		if accel == "auto" {
			accel = "kvm"
			if b.kvmDead != "" {
				accel = "tcg"
			}
		}
		res := b.boot(ctx, k, accel, base, abs, dir, attempt)
		if probe && accel == "kvm" && !res.Started && ctx.Err() == nil {
			why := res.Failure
			if res.QemuStderr != "" && !strings.Contains(why, lastLine([]byte(res.QemuStderr))) {
				why += ": " + lastLine([]byte(res.QemuStderr))
			}
			b.kvmDead = why
			fmt.Fprintf(o.Log, "vm: KVM cannot run %s here (%s): the guests run under TCG\n", k.Release, why)
			_ = os.Rename(filepath.Join(dir, "console.log"), filepath.Join(dir, "console-kvm.log"))
			return false
		}
		kr.Attempts = attempt
		kr.Accel, kr.Emulated = res.Accel, res.Accel == "tcg"
		if o.Accel == "auto" && res.Accel == "tcg" && b.kvmDead != "" {
			kr.AccelNote = "KVM was tried first and failed: " + b.kvmDead
		}
		kr.BootS, kr.TotalS = res.StartS, res.TotalS
		st := readStatus(dir, res.Files)
		kr.Status = st
		if st != nil {
			for _, p := range st.Problems {
				fmt.Fprintf(o.Log, "vm: %s (%s): in the guest: %s\n", k.Spec.Raw, k.Release, p)
			}
		}
		if res.Failure == "" && st != nil {
			kr.OK, kr.ExitCode, kr.Error, kr.ConsoleTail = st.Ran, st.ExitCode, "", nil
			if !st.Ran || st.ExitCode != 0 {
				kr.Error = st.Error
				if kr.Error == "" {
					kr.Error = fmt.Sprintf("ringbench %s exited %d", o.Args[0], st.ExitCode)
				}
			}
			return true
		}
		kr.OK, kr.Error = false, res.Failure
		if kr.Error == "" {
			kr.Error = "the guest left no status.json"
		}
		if res.SoftLockup {
			kr.Error += " (the kernel reported a soft lockup)"
		}
		kr.ConsoleTail = res.Tail
		if ctx.Err() != nil || (st != nil && !st.Ran) {
			return true
		}
		if attempt == 1 {
			kr.Retried = kr.Error
			fmt.Fprintf(o.Log, "vm: %s (%s): boot 1 failed: %s; booting again\n", k.Spec.Raw, k.Release, kr.Error)
			_ = os.Rename(filepath.Join(dir, "console.log"), filepath.Join(dir, "console-attempt1.log"))
			for _, f := range []string{FileStatus, FileStdout, FileStderr, "claims.json", "run.json"} {
				_ = os.Remove(filepath.Join(dir, f))
			}
		}
	}
	return true
}

// boot makes one boot.
func (b *booter) boot(ctx context.Context, k Kernel, accel string, base []byte, share, dir string, attempt int) BootResult {
	o := b.o
	initrd, err := writeInitrd(base, GuestConfig{Args: o.Args, Accel: accel, Release: k.Release, HeartbeatS: 10})
	if err != nil {
		return BootResult{Accel: accel, Failure: oneLine(err)}
	}
	defer os.Remove(initrd)
	log, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		return BootResult{Accel: accel, Failure: oneLine(err)}
	}
	defer log.Close()
	c := BootConfig{Qemu: qemuPath(o), Accel: accel, Image: k.Image, Initrd: initrd, Share: share,
		CPUs: o.CPUs, MemMB: o.MemMB, Console: log, TCGThread: o.TCGThread, Progress: prefixWriter(o.Log, "  "+k.Release+"| "),
		Timeout: o.Timeout, StartTimeout: 2 * time.Minute, Stall: 2 * time.Minute}
	if c.Timeout == 0 {
		c.Timeout = DefaultTimeout(o.Args, accel)
	}
	if accel == "kvm" && o.Accel == "auto" {
		c.StartTimeout = 20 * time.Second // KVM boots in a second or two, when it works
	}
	fmt.Fprintf(o.Log, "vm: %s (%s): booting under %s (attempt %d, timeout %v)\n", k.Spec.Raw, k.Release, accel, attempt, c.Timeout)
	res := Boot(ctx, c)
	if res.Failure == "" {
		fmt.Fprintf(o.Log, "vm: %s (%s): PID 1 after %.1f s, powered off after %.1f s\n", k.Spec.Raw, k.Release, res.StartS, res.TotalS)
	}
	return res
}

// initramfs builds the kernel's base archive: the binary and the 9p
// modules this kernel needs (none when it has no modules folder: 9p must
// then be built in, or the results come back on the console).
func (b *booter) initramfs(k Kernel) ([]byte, []string, error) {
	var mods []Module
	if k.Modules != "" {
		tree, err := ReadModuleTree(k.Modules)
		if err != nil {
			return nil, nil, err
		}
		if mods, err = tree.Resolve(NinePModules, ModinfoDepends); err != nil {
			return nil, nil, err
		}
	}
	files, err := GuestFiles(b.o.Binary, mods)
	if err != nil {
		return nil, nil, err
	}
	if k.Config != "" {
		// Where bench.CaptureEnv looks for the preempt model, HZ and so on.
		files = append(files, File{Name: "boot/config-" + k.Release, Src: k.Config})
	}
	var buf bytes.Buffer
	if err := WriteInitramfs(&buf, files); err != nil {
		return nil, nil, err
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.Name)
	}
	return buf.Bytes(), names, nil
}

// writeInitrd writes base + the boot's configuration archive to a temp file.
func writeInitrd(base []byte, cfg GuestConfig) (string, error) {
	tail, err := ConfigArchive(cfg)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "ringbench-initramfs-*.cpio")
	if err != nil {
		return "", err
	}
	_, err1 := f.Write(base)
	_, err2 := f.Write(tail)
	err3 := f.Close()
	if err := errors.Join(err1, err2, err3); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func readStatus(dir string, console map[string][]byte) *GuestStatus {
	restoreFromConsole(dir, console)
	b, err := os.ReadFile(filepath.Join(dir, FileStatus))
	if err != nil {
		return nil
	}
	var st GuestStatus
	if json.Unmarshal(b, &st) != nil {
		return nil
	}
	return &st
}

// restoreFromConsole writes the files the guest copied onto the console
// where the share did not bring them back.
func restoreFromConsole(dir string, files map[string][]byte) {
	for name, data := range files {
		p := filepath.Join(dir, filepath.Clean("/"+name))
		if st, err := os.Stat(p); err == nil && st.Size() == int64(len(data)) {
			continue
		}
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, data, 0o644)
	}
}

func readClaims(path string) []claims.Result {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []claims.Result
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

func lastLineOf(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return ""
	}
	return lastLine(b)
}

// prefixWriter prefixes each line written to w.
func prefixWriter(w io.Writer, prefix string) io.Writer {
	return &linePrefixer{w: w, prefix: prefix, bol: true}
}
