package vm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"ringbench/claims"
	"ringbench/internal/format"
	"ringbench/report/claimstable"
	"ringbench/schema"
)

// Options are one ringbench vm invocation.
type Options struct {
	Kernels []string // --kernel specs, in order
	Accel   string   // auto, kvm or tcg
	Args    []string // the subcommand and its flags, from GuestArgs
	Out     string   // the run folder
	Cache   string   // downloaded kernels
	Binary  string   // static ringbench for the guests (and the host run, without HostBinary)
	// HostBinary runs the host kernel's part: this ringbench, which may be
	// built with cgo (the C read modes), where a guest's must be static.
	HostBinary string
	Qemu       string // qemu-system-x86_64, found on PATH when empty
	Timeout    time.Duration
	// Parallel is how many guests boot at once; 0 chooses (defaultParallel).
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
	Status      *guestStatus    `json:"guest,omitempty"`
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

// reportSchema versions vm.json.
const reportSchema = "ringbench-vm/v1"

// subcommands ringbench vm can run, and the flag that says where results go.
var outFlags = map[string]string{"claims": "--json", "matrix": "--out", "run": "--out", "env": ""}

// outMark in the subcommand's arguments stands for the kernel's folder.
const outMark = "@OUT@"

// withOut is args with outMark replaced by dir.
func withOut(args []string, dir string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = strings.ReplaceAll(a, outMark, dir)
	}
	return out
}

// GuestArgs checks the subcommand given after -- and points its output into
// the kernel's folder (outMark, replaced in the guest and for the host run).
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
		out = append(out, "--json", outMark+"/claims.json")
	case "matrix", "run":
		out = append(out, "--out", outMark)
	}
	return out, nil
}

// argsFor is the subcommand as a guest booted under accel runs it: a
// matrix under TCG runs its emulated form (matrix --emulated), whose
// repetitions start in seconds rather than a quarter of one, unless the
// subcommand says otherwise (--emulated=false runs all of it).
func argsFor(args []string, accel string) []string {
	if accel != "tcg" || len(args) == 0 || args[0] != "matrix" || slices.ContainsFunc(args[1:], isEmulatedFlag) {
		return args
	}
	return append(append([]string{args[0]}, "--emulated"), args[1:]...)
}

// isEmulatedFlag says whether a is matrix's --emulated flag, with or
// without a value (a flag's value, such as a file's name, is not).
func isEmulatedFlag(a string) bool {
	if !strings.HasPrefix(a, "-") {
		return false
	}
	name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
	return name == "emulated"
}

// defaultTimeout bounds one boot when --timeout is not given: the claims
// budget (when measuring) or an hour for matrix and run, twice over under
// TCG, plus three minutes for booting and the functional claims.
func defaultTimeout(args []string, accel string) time.Duration {
	work := time.Hour
	if len(args) > 0 && (args[0] == "claims" || args[0] == "env") {
		work = 0
		if args[0] == "claims" {
			work = claims.DefaultBudget
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
	rep := &Report{Schema: reportSchema, Args: o.Args, Accel: o.Accel, TCGThread: o.TCGThread, Start: t0.UTC().Format(time.RFC3339)}
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
		s, err := parseSpec(raw)
		if err == nil && seen[s.Raw] {
			continue
		}
		seen[s.Raw] = true
		kr := KernelRun{Spec: strings.TrimSpace(raw), Kind: s.Kind}
		if err != nil {
			kr.Error = format.OneLine(err)
		} else if k, dir, err := b.prepare(ctx, s, &kr, used); err != nil {
			kr.Error = format.OneLine(err)
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
		if err := kvmUsable(); err != nil {
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
	accel := b.accel()
	par := o.Parallel
	if par <= 0 {
		par = defaultParallel(accel, o.TCGThread, o.CPUs)
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
	logFaults(o.Log, o.Out, rep.Kernels)
	rep.Seconds = time.Since(t0).Seconds()
	if err := schema.WriteJSON(filepath.Join(o.Out, "vm.json"), rep); err != nil {
		return rep, err
	}
	if len(o.Args) > 0 && o.Args[0] == "claims" {
		if err := writeClaimsTables(o.Out, rep.Kernels); err != nil {
			return rep, err
		}
	}
	return rep, ctx.Err()
}

// logFaults gives each kernel that failed one line, and a guest that hung
// or crashed the last lines of its console.
func logFaults(log io.Writer, out string, kernels []KernelRun) {
	for _, kr := range kernels {
		if kr.Error == "" {
			continue
		}
		fmt.Fprintf(log, "ringbench: vm: %s: %s\n", kr.Spec, kr.Error)
		if len(kr.ConsoleTail) > 0 {
			tail := kr.ConsoleTail[max(0, len(kr.ConsoleTail)-consoleTailShown):]
			fmt.Fprintf(log, "  the console's last %d lines (all of it: %s):\n", len(tail), filepath.Join(out, kr.Dir, "console.log"))
			for _, l := range tail {
				fmt.Fprintf(log, "    | %s\n", l)
			}
		}
	}
}

// writeClaimsTables writes the claim × kernel table as claims-table.txt
// and claims-table.md.
func writeClaimsTables(out string, kernels []KernelRun) error {
	var txt, md strings.Builder
	claimstable.WriteText(&txt, columns(kernels))
	claimstable.WriteMarkdown(&md, columns(kernels))
	if err := schema.WriteFileAtomic(filepath.Join(out, "claims-table.txt"), []byte(txt.String())); err != nil {
		return err
	}
	return schema.WriteFileAtomic(filepath.Join(out, "claims-table.md"), []byte(md.String()))
}

// defaultParallel is how many guests run at once: one under KVM (guests
// there are measured like the host), and under TCG as many as the host has
// cores for, each single-threaded TCG guest using one host thread (a
// multi-threaded one, one per vCPU).
func defaultParallel(accel, tcgThread string, cpus int) int {
	if accel != "tcg" {
		return 1
	}
	per := 1
	if tcgThread == "multi" {
		per = max(1, cpus)
	}
	return max(1, runtime.NumCPU()/per)
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
