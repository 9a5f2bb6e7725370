package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/rlimit"

	"ringbench/bench"
	"ringbench/internal/cpu"
	"ringbench/machine"
	"ringbench/schema"
)

const matrixUsage = `Usage: ringbench matrix [--preset NAME | --file M.json] [flags]

Runs a matrix of scenarios, each repetition in a fresh child process, and
writes DIR/run.json, bench.txt, summary.csv and histograms after every
scenario, so an interrupted run keeps what finished. Presets (their
descriptions, from bench/presets; --list prints one's whole):

%s
Examples:

  ringbench matrix --preset quick
  ringbench matrix --preset standard --filter mode=spin,transport=ringbuf
  ringbench matrix --file m.json --reps 5 --out results/mine
  ringbench matrix --preset full --list

Flags:
`

// presetSummaries lists each preset with the start of its description,
// which the preset file holds (the one place it is written).
func presetSummaries() string {
	var b strings.Builder
	for _, name := range bench.PresetNames {
		d := "(unreadable)"
		if m, err := bench.Preset(name); err == nil {
			d = strings.TrimPrefix(m.Description, name+": ")
			if i := strings.IndexAny(d, ";("); i > 0 {
				d = strings.TrimSpace(d[:i])
			}
			if r := []rune(d); len(r) > 90 {
				d = string(r[:89]) + "…"
			}
		}
		fmt.Fprintf(&b, "  %-9s %s\n", name, d)
	}
	return b.String()
}

func cmdMatrix(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("matrix", fmt.Sprintf(matrixUsage, presetSummaries()), stderr)
	preset := fs.String("preset", "", "built-in matrix: "+strings.Join(bench.PresetNames, ", ")+" (default quick unless --file)")
	file := fs.String("file", "", "matrix file (JSON; see README.md, \"Matrix files\")")
	filter := fs.String("filter", "", "run only scenarios matching KEY=VALUE[,KEY=VALUE…], e.g. mode=spin,transport=ringbuf")
	reps := fs.Int("reps", 0, "repetitions per scenario (default: the matrix's)")
	duration := fs.Duration("duration", 0, "measured window per repetition (default: the matrix's)")
	warmup := fs.Duration("warmup", -1, "warm-up per repetition (default: the matrix's)")
	list := fs.Bool("list", false, "print the scenarios (and skips) and exit without running")
	out := fs.String("out", "", "output folder (default results/<UTC time>-<kernel>-<host>)")
	emulated := fs.Bool("emulated", false, "run the matrix's emulated form (its \"emulated\" key: fewer scenarios, shorter windows, the same repetitions); ringbench vm gives it to matrices in TCG guests")
	noise := fs.Duration("noise", machine.DefaultNoiseTime, "before the scenarios, probe each online CPU's noise floor for this long (0: skip)")
	if ok, err := parseFlagsOnly(fs, args); !ok {
		return err
	}
	m, info, err := loadMatrix(*preset, *file, stderr)
	if err != nil {
		return err
	}
	// The emulated form sets the matrix's windows; the flags, given too,
	// override them as they would the matrix's own.
	var emulatedFilter bench.Filter
	if *emulated {
		if m.Emulated == nil {
			fmt.Fprintf(stderr, "ringbench: matrix: --emulated: this matrix has no emulated form; running all of it\n")
		} else {
			m.Duration, m.Warmup, emulatedFilter = m.Emulated.Duration, m.Emulated.Warmup, m.Emulated.Filter
		}
	}
	if *reps != 0 {
		if *reps < 1 || *reps > 1000 {
			return usagef("reps %d: want 1..1000", *reps)
		}
		m.Reps = *reps
	}
	if *duration < 0 || *warmup < -1 {
		return usagef("duration and warm-up must not be negative")
	}
	if *duration > 0 {
		m.Duration = *duration
	}
	if *warmup >= 0 {
		m.Warmup = *warmup
	}
	f, err := bench.ParseFilter(*filter)
	if err != nil {
		return usageError{err.Error()}
	}
	info.Filter = f.String()
	if emulatedFilter != nil {
		info.Emulated = bench.EmulatedForm{Filter: emulatedFilter, Duration: m.Duration, Warmup: m.Warmup}.String()
		fmt.Fprintf(stderr, "ringbench: matrix: its emulated form: %s\n", info.Emulated)
	}
	online, err := cpu.Online()
	if err != nil {
		return fmt.Errorf("list online CPUs: %w", err)
	}
	all, problems := m.Expand(online, transportSupport())
	if len(problems) > 0 {
		return matrixProblems(stderr, problems)
	}
	var planned []bench.Planned
	skipped := 0
	for _, p := range all {
		if f.Match(p.Params) && emulatedFilter.Match(p.Params) {
			planned = append(planned, p)
			if p.Skip != "" {
				skipped++
			}
		}
	}
	if len(planned) == 0 && emulatedFilter != nil {
		return usagef("filter %s selects none of the emulated form's scenarios (%s; ringbench matrix --emulated --list shows them, --emulated=false runs the whole matrix)", f, emulatedFilter)
	}
	if len(planned) == 0 {
		return usagef("filter %s selects none of the %d scenarios (ringbench matrix --list shows them)", f, len(all))
	}
	info.Planned = len(planned)
	if *list {
		if m.Description != "" {
			fmt.Fprintf(stdout, "# %s\n", m.Description)
		}
		for _, p := range planned {
			if p.Skip != "" {
				fmt.Fprintf(stdout, "%s\tskipped: %s\n", p.Params.ID(), p.Skip)
			} else {
				fmt.Fprintln(stdout, p.Params.ID())
			}
		}
		// What the matrix will take, from its own timings (blocks may set
		// theirs): windows and warm-ups alone, before process start-up.
		var seconds float64
		for _, p := range planned {
			if p.Skip == "" {
				seconds += float64(m.Reps) * (p.Params.DurationS + p.Params.WarmupS)
			}
		}
		fmt.Fprintf(stdout, "%d scenarios (%d skipped) × %d reps × (%v + %v warm-up): %v of measuring and warming up\n",
			len(planned), skipped, m.Reps, m.Duration, m.Warmup, time.Duration(seconds*float64(time.Second)).Round(time.Second))
		return nil
	}
	if err := needPrivileges(); err != nil {
		return err
	}
	if *noise < 0 {
		return usagef("noise %v: want a duration, or 0 to skip the probe", *noise)
	}
	return runMatrix(stdout, stderr, m, info, planned, skipped, *out, *noise)
}

func runMatrix(stdout, stderr io.Writer, m *bench.Matrix, info schema.MatrixInfo, planned []bench.Planned, skipped int, out string, noise time.Duration) error {
	ctx, caught := signalContext()
	env := machine.CaptureEnv()
	if noise > 0 {
		fmt.Fprintf(stderr, "ringbench: probing the noise floor of CPUs %v, %v each\n", env.OnlineCPUs, noise)
		env.Noise = machine.ProbeNoise(env.OnlineCPUs, noise)
		for _, n := range env.Noise {
			fmt.Fprintf(stderr, "ringbench: noise floor: %s\n", n)
		}
	}
	if out == "" {
		out = defaultOutDir(env)
	}
	x := &execution{res: schema.Result{Schema: schema.Schema, Env: env, Matrix: &info}, dir: out,
		reps: m.Reps, incremental: true, stderr: stderr}
	fmt.Fprintf(stderr, "ringbench: %d scenarios (%d skipped) × %d reps × (%v + %v warm-up) into %s\n",
		len(planned), skipped, m.Reps, m.Duration, m.Warmup, out)
	x.progress = newProgress(stderr, len(planned), m.Reps, skipped)
	if err := x.write(false); err != nil { // the folder exists, with an empty run.json, from the start
		return err
	}
	ran := 0
	for i := 0; i < len(planned); {
		p := planned[i]
		var err error
		group := []schema.Params{p.Params}
		switch {
		case p.Skip != "":
			err = x.skip(p.Params, p.Skip)
		case p.Group != 0:
			// The runnable scenarios of an interleaved block, which Expand
			// keeps together.
			for _, q := range planned[i+1:] {
				if q.Group != p.Group || q.Skip != "" {
					break
				}
				group = append(group, q.Params)
			}
			err = x.interleaved(ctx, i+1, len(planned), group)
			ran += len(group)
		default:
			err = x.scenario(ctx, i+1, len(planned), p.Params)
			ran++
		}
		if errors.Is(err, errInterrupted) {
			x.progress.finish()
			info.Interrupted = true
			if err := x.write(false); err != nil {
				return err
			}
			sig := caught()
			return exitError{code: 128 + int(sig), msg: fmt.Sprintf("interrupted by %v after %d of %d scenarios; %s holds the finished ones",
				sig, len(x.res.Scenarios), len(planned), filepath.Join(out, "run.json"))}
		}
		if err != nil {
			x.progress.finish()
			return err
		}
		for k, s := range x.res.Scenarios[len(x.res.Scenarios)-len(group):] {
			x.progress.scenarioDone(i+k+1, s, ran, len(planned)-skipped-ran)
		}
		i += len(group)
	}
	x.progress.finish()
	fmt.Fprintf(stdout, "%d scenarios (%d skipped), %d repetitions failed\nresults: %s\n",
		len(planned), skipped, x.incomplete, filepath.Join(out, "run.json"))
	return x.verdict(stderr)
}

// loadMatrix reads the preset or file; every problem in a file is printed,
// one line each, before the one-line error.
func loadMatrix(preset, file string, stderr io.Writer) (*bench.Matrix, schema.MatrixInfo, error) {
	var info schema.MatrixInfo
	switch {
	case preset != "" && file != "":
		return nil, info, usagef("give --preset or --file, not both")
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, info, usagef("matrix file: %v", err)
		}
		m, problems := bench.ParseMatrix(data)
		if m != nil && len(problems) > 0 {
			online, _ := cpu.Online()
			_, more := m.Expand(online, func(string) string { return "" })
			problems = append(problems, more...)
		}
		if len(problems) > 0 {
			return nil, info, matrixProblems(stderr, problems)
		}
		info.File = file
		return m, info, nil
	}
	if preset == "" {
		preset = "quick"
	}
	m, err := bench.Preset(preset)
	if err != nil {
		return nil, info, usageError{err.Error()}
	}
	info.Preset = preset
	return m, info, nil
}

func matrixProblems(stderr io.Writer, problems []string) error {
	for _, p := range problems[:len(problems)-1] {
		fmt.Fprintln(stderr, "ringbench: matrix:", p)
	}
	return usagef("matrix: %s (%d problems; nothing was run)", problems[len(problems)-1], len(problems))
}

// transportSupport asks the kernel, once per transport, whether it can
// create the map; without privileges it cannot tell and lets the run say so.
func transportSupport() func(string) string {
	why := map[string]string{}
	return func(tr string) string {
		if r, ok := why[tr]; ok {
			return r
		}
		needs := map[string][]ebpf.MapType{"ringbuf": {ebpf.RingBuf}, "perfbuf": {ebpf.PerfEventArray},
			"ringbuf-sharded": {ebpf.RingBuf, ebpf.ArrayOfMaps}}[tr]
		why[tr] = ""
		if privileged() {
			_ = rlimit.RemoveMemlock()
			for _, mt := range needs {
				if err := features.HaveMapType(mt); err != nil {
					why[tr] = fmt.Sprintf("this kernel cannot create %v maps: %v", mt, err)
					break
				}
			}
		}
		return why[tr]
	}
}
