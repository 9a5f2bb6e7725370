package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cilium/ebpf/rlimit"

	"ringbench/bench"
	"ringbench/internal/cpu"
	"ringbench/loadgen"
	"ringbench/machine"
	"ringbench/report"
	"ringbench/schema"
)

const runUsage = `Usage: ringbench run [flags]

Runs every combination of the list-valued flags (comma-separated) and writes
DIR/run.json. Examples:

  ringbench run --transport ringbuf --mode reader --rate 50000 --duration 3s --out /tmp/x
  ringbench run --transport ringbuf,perfbuf --rate 10000,100000 --duration 2s
  ringbench run --transport perfbuf --wakeup watermark=4096 --rate max --ring-bytes 65536
  ringbench run --mode spin,epoll --rate max --batch 500 --payload 24
  ringbench run --mode epoll --wait netpoll --delivery channel:64 --work 200,128
  ringbench run --mode spin --b2b --batch 500 --payload 24

Flags:
`

// scenarioFlags are the flags of run: one per scenario knob, from the
// key table (bench.Keys), plus how many repetitions and where to.
type scenarioFlags struct {
	knobs            map[string]*knobFlag
	duration, warmup time.Duration
	reps             int
	out              string
}

// knobFlag is one knob's flag: its value as given, in the key table's
// text form.
type knobFlag struct {
	key   bench.Key
	value string
}

func (k *knobFlag) String() string {
	if k == nil {
		return ""
	}
	return k.value
}
func (k *knobFlag) Set(v string) error { k.value = v; return nil }
func (k *knobFlag) IsBoolFlag() bool   { return k.key.Bool }

func (f *scenarioFlags) register(fs *flag.FlagSet) {
	d := schema.Defaults()
	f.knobs = map[string]*knobFlag{}
	for _, k := range bench.Keys() {
		if k.Name == "duration" || k.Name == "warmup" {
			continue // the matrix's own, below
		}
		doc := k.Doc
		if k.List {
			doc += " (list)"
		}
		v := k.Default
		if k.Bool && v == "false" {
			v = "" // a switch that is off shows no default
		}
		f.knobs[k.Name] = &knobFlag{key: k, value: v}
		fs.Var(f.knobs[k.Name], k.Name, doc)
	}
	fs.DurationVar(&f.duration, "duration", seconds(d.DurationS), "measured window per run")
	fs.DurationVar(&f.warmup, "warmup", seconds(d.WarmupS), "warm-up before the window, not measured")
	fs.IntVar(&f.reps, "reps", 3, "repetitions per scenario, each in a fresh child process")
	fs.StringVar(&f.out, "out", "", "output folder (default results/<UTC time>-<kernel>-<host>)")
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func list(s string) []string {
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// expand turns the flags into resolved scenarios, refusing any that cannot
// run with a one-line reason.
func (f *scenarioFlags) expand(fs *flag.FlagSet, online []int) ([]schema.Params, error) {
	if f.reps < 1 || f.reps > 1000 {
		return nil, usagef("reps %d: want 1..1000", f.reps)
	}
	if f.duration <= 0 || f.warmup < 0 {
		return nil, usagef("duration must be positive and warm-up not negative (got %v, %v)", f.duration, f.warmup)
	}
	// The flags given are one matrix block, expanded by the matrix's own
	// code; what a matrix would skip for this machine, run refuses.
	b := bench.Block{Name: "run", Values: map[string][]string{}}
	fs.Visit(func(fl *flag.Flag) {
		if k, ok := f.knobs[fl.Name]; ok {
			if k.key.List {
				b.Values[fl.Name] = list(k.value)
			} else {
				b.Values[fl.Name] = []string{k.value}
			}
		}
	})
	m := bench.Matrix{Reps: f.reps, Duration: f.duration, Warmup: f.warmup, Blocks: []bench.Block{b}}
	planned, problems := m.Expand(online, func(string) string { return "" })
	if len(problems) > 0 {
		return nil, usageError{problems[0]}
	}
	out := make([]schema.Params, 0, len(planned))
	for _, p := range planned {
		if p.Skip != "" {
			return nil, usageError{p.Skip}
		}
		out = append(out, p.Params)
	}
	return out, nil
}

func cmdRun(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("run", runUsage, stderr)
	var f scenarioFlags
	f.register(fs)
	if ok, err := parseFlagsOnly(fs, args); !ok {
		return err
	}
	rateGiven := false
	fs.Visit(func(fl *flag.Flag) { rateGiven = rateGiven || fl.Name == "rate" })
	if b2b, _ := strconv.ParseBool(f.knobs["b2b"].value); b2b && rateGiven {
		return usagef("b2b has no rate: the consumer triggers the next batch as soon as it has drained (drop --rate)")
	}
	online, err := cpu.Online()
	if err != nil {
		return fmt.Errorf("list online CPUs: %w", err)
	}
	scenarios, err := f.expand(fs, online)
	if err != nil {
		return err
	}
	if err := needPrivileges(); err != nil {
		return err
	}

	ctx, caught := signalContext()
	dir := f.out
	env := machine.CaptureEnv()
	if dir == "" {
		dir = defaultOutDir(env)
	}
	x := &execution{res: schema.Result{Schema: schema.Schema, Env: env}, dir: dir, reps: f.reps, stderr: stderr}
	for i, p := range scenarios {
		err := x.scenario(ctx, i+1, len(scenarios), p)
		if errors.Is(err, errInterrupted) {
			sig := caught()
			return exitError{code: 128 + int(sig), msg: fmt.Sprintf("interrupted by %v: nothing written", sig)}
		}
		if err != nil {
			return err
		}
	}
	if err := x.write(true); err != nil {
		return err
	}
	report.Table(stdout, x.res)
	fmt.Fprintf(stdout, "results: %s\n", filepath.Join(dir, "run.json"))
	return x.verdict(stderr)
}

// cmdChild is the child side of a repetition: one scenario, in this fresh
// process, its outcome on stdout.
func cmdChild(stdout io.Writer, stdin io.Reader) error {
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("raise RLIMIT_MEMLOCK: %w", err)
	}
	ctx, caught := signalContext()
	err := bench.ServeChild(ctx, stdin, stdout)
	if errors.Is(err, bench.ErrInterrupted) || ctx.Err() != nil {
		sig := caught()
		return exitError{code: 128 + int(sig), msg: ""}
	}
	return err
}

// cmdLoadgen is a scenario's load generator process: the traced workload.
// SIGINT or SIGTERM stop the load as the end of its stdin does.
func cmdLoadgen(stdout io.Writer, stdin io.Reader) error {
	ctx, _ := signalContext()
	return loadgen.Main(ctx, stdin, stdout)
}

// signalContext is cancelled by SIGINT or SIGTERM; caught says which.
func signalContext() (context.Context, func() syscall.Signal) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM)
	var got syscall.Signal = syscall.SIGINT
	done := make(chan struct{})
	go func() {
		s := <-ch
		got = s.(syscall.Signal)
		close(done)
		cancel()
	}()
	return ctx, func() syscall.Signal { <-done; return got }
}

func defaultOutDir(e schema.Env) string {
	stamp := time.Now().UTC().Format("20060102T150405Z")
	return filepath.Join("results", fmt.Sprintf("%s-%s-%s", stamp, e.Kernel, e.Hostname))
}
