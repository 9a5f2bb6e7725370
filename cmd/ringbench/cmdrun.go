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
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cilium/ebpf/rlimit"

	"ringbench/bench"
	"ringbench/internal/cpu"
	"ringbench/loadgen"
	"ringbench/modes"
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

// scenarioFlags are the flags of run, as given.
type scenarioFlags struct {
	transports, modes, rates, batches, payloads, wakeups, rings string
	producers, gomaxprocs, hashKeys, hashEntries                int
	hashChurn                                                   string
	output, pin                                                 bool
	cpus, hashmap, delivery, work, backoff, wait, pollTimeout   string
	clock, commit                                               string
	b2b, latency, countSyscalls, breakdown                      bool
	duration, warmup                                            time.Duration
	reps                                                        int
	out                                                         string
}

func (f *scenarioFlags) register(fs *flag.FlagSet) {
	d := schema.Defaults()
	fs.StringVar(&f.transports, "transport", d.Transport, "transports: ringbuf, perfbuf (list)")
	fs.StringVar(&f.modes, "mode", d.Mode, "read modes: "+strings.Join(modes.Names(), ", ")+" (list)")
	fs.StringVar(&f.rates, "rate", strconv.FormatUint(d.Rate, 10), "offered events/s, or max for back to back (list)")
	fs.StringVar(&f.batches, "batch", strconv.Itoa(d.Batch), "events per trigger (list)")
	fs.StringVar(&f.payloads, "payload", strconv.Itoa(d.Payload), "bytes per event, 24..32768, header included (list)")
	fs.StringVar(&f.wakeups, "wakeup", "", "wakeup policy: ringbuf adaptive|sampled:N|forced|none, perfbuf wakeup_events=N|watermark=BYTES; empty: the transport's default (list)")
	fs.StringVar(&f.rings, "ring-bytes", strconv.Itoa(d.RingBytes), "ring size: ringbuf data size, or each per-CPU perf ring (power of two ≥ page) (list)")
	fs.IntVar(&f.producers, "producers", d.Producers, "producer threads, each pinned to a CPU")
	fs.IntVar(&f.gomaxprocs, "gomaxprocs", 0, "GOMAXPROCS during the scenario; 0: the runtime's default")
	fs.BoolVar(&f.output, "output", false, "ringbuf: bpf_ringbuf_output instead of reserve+submit")
	fs.BoolVar(&f.pin, "pin", d.Pin, "pin the consumer thread to its CPU")
	fs.StringVar(&f.cpus, "cpus", ":", "placement PRODUCER_CPUS:CONSUMER_CPU, e.g. 0:1 or 0,1:1; empty sides: consumer on the last online CPU, producers on the others")
	fs.StringVar(&f.hashmap, "hashmap", d.Hashmap, "flow table the producer updates per event: none, prealloc (flags 0), noprealloc (BPF_F_NO_PREALLOC), lru, lru-nocommon (list)")
	fs.IntVar(&f.hashKeys, "hash-keys", d.HashKeys, "distinct flow keys the churn moves through (half of them live)")
	fs.IntVar(&f.hashEntries, "hash-entries", d.HashEntries, "the flow table's max_entries")
	fs.StringVar(&f.hashChurn, "hash-churn", d.HashChurn, "INSERT:UPDATE:DELETE proportions per event")
	fs.StringVar(&f.delivery, "delivery", d.Delivery, "how events reach the recorder: inline, channel (one event per send) or channel:N (N per send) (list)")
	fs.StringVar(&f.work, "work", d.Work, "synthetic work per event on the recording goroutine: CPU_NS[,ALLOC_BYTES]")
	fs.StringVar(&f.backoff, "backoff", "", "spin mode, when a poll finds nothing: none (default), pause, gosched, sleep:DURATION")
	fs.StringVar(&f.wait, "wait", "", "epoll mode: thread (blocking epoll_wait on a locked thread, default) or netpoll (Go's netpoller)")
	fs.StringVar(&f.pollTimeout, "poll-timeout", d.PollTimeout, "longest wait when the wakeup policy may not wake (sampled, none, perf batching)")
	fs.StringVar(&f.clock, "clock", d.LatencyClock, "when the consumer reads its clock: per-drain (once per pass over what became visible together) or per-event (list)")
	fs.BoolVar(&f.latency, "latency", true, "timestamped events; false runs the kernel benchmark's workload: 8-byte events (CPU and sequence), sequences checked, no latency")
	fs.StringVar(&f.commit, "commit", d.Commit, "spin/epoll: hand ring space back once per drain (batch) or after every record (record, what libbpf and cilium/ebpf do) (list)")
	fs.BoolVar(&f.countSyscalls, "count-syscalls", true, "count the consumer's syscalls with a BPF program (costs each syscall a map update, measured and reported)")
	fs.BoolVar(&f.breakdown, "breakdown", false, "reader and epoll: split the latency into emission → woken → on CPU → wait syscall return → read, with BPF programs on the scheduler and the wait syscall (their cost is measured and reported)")
	fs.BoolVar(&f.b2b, "b2b", false, "back to back: the consumer thread triggers the next batch after each drain, on one CPU (the kernel benchmark's --rb-b2b)")
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
		switch {
		case listFlags[fl.Name]:
			b.Values[fl.Name] = list(fl.Value.String())
		case slices.Contains(bench.MatrixKeyNames(), fl.Name):
			b.Values[fl.Name] = []string{fl.Value.String()}
		}
	})
	m := bench.Matrix{Reps: f.reps, Duration: f.duration, Warmup: f.warmup, Blocks: []bench.Block{b}, ShareCPUs: true}
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

// listFlags are the flags of run that take comma-separated lists; the
// others may hold commas in one value (--work 200,128, --cpus 0,1:1).
var listFlags = map[string]bool{"transport": true, "mode": true, "rate": true, "batch": true,
	"payload": true, "wakeup": true, "ring-bytes": true, "hashmap": true, "delivery": true, "clock": true, "commit": true}

func cmdRun(stdout, stderr io.Writer, args []string) error {
	fs := newFlags("run", runUsage, stderr)
	var f scenarioFlags
	f.register(fs)
	if ok, err := parseFlagsOnly(fs, args); !ok {
		return err
	}
	rateGiven := false
	fs.Visit(func(fl *flag.Flag) { rateGiven = rateGiven || fl.Name == "rate" })
	if f.b2b && rateGiven {
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
	env := bench.CaptureEnv()
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
