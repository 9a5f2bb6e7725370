package bench

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"
	"time"

	"ringbench/bpf"
	"ringbench/internal/cpu"
	"ringbench/internal/testutil"
	"ringbench/modes"
	"ringbench/schema"
)

func scenario(t *testing.T, edit func(*Params)) Params {
	t.Helper()
	online, err := cpu.Online()
	if err != nil {
		t.Skipf("no online CPU list: %v", err)
	}
	p := schema.Defaults()
	p.ConsumerCPU = -1
	p.DurationS, p.WarmupS = 0.5, 0.1
	edit(&p)
	if err := Resolve(&p, online); err != nil {
		t.Fatal(err)
	}
	return p
}

// runChecked runs p and checks that afterwards this process holds the same
// BPF objects, ring mappings and perf fds as before, and that the kernel no
// longer knows any program, map or link the run held (their IDs are
// collected from our own fdinfo while it runs).
func runChecked(t *testing.T, p Params) Run {
	t.Helper()
	testutil.InitNetpoller()
	before, err := testutil.FootprintOf(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		o   Outcome
		err error
	}
	done := make(chan result)
	go func() { o, err := RunScenario(context.Background(), p); done <- result{o, err} }()
	var during testutil.KernelIDs
	var res result
	for polling := true; polling; {
		select {
		case res = <-done:
			polling = false
		case <-time.After(50 * time.Millisecond):
			if f, err := testutil.FootprintOf(os.Getpid()); err == nil {
				during = during.Union(f.IDs)
			}
		}
	}
	if res.err != nil {
		t.Fatal(res.err)
	}
	after, err := testutil.FootprintOf(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !after.Same(before) {
		t.Errorf("the run left objects behind: before %+v, after %+v", before, after)
	}
	ours := during.Minus(before.IDs)
	if len(ours.Progs) == 0 || len(ours.Links) == 0 {
		t.Fatalf("never saw the run's program and link (saw %+v)", ours)
	}
	testutil.RequireGone(t, ours)
	requireLoadgenGone(t, res.o.Run)
	if u := schema.Unexplained(res.o.Run); len(u) > 0 {
		t.Errorf("null without a reason under unsupported: %v", u)
	}
	return res.o.Run
}

// requireLoadgenGone fails unless the run's load generator process, if it
// had one, has exited.
func requireLoadgenGone(t *testing.T, r Run) {
	t.Helper()
	if pid := r.Producer.LoadgenPID; pid != 0 {
		if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("load generator %d outlived its run: %v", pid, err)
		}
	}
}

// modeVariant is a read mode with one of its waits.
type modeVariant struct {
	mode, wait string
	m          modes.Mode
}

// modeVariants are every read mode of the registry with each of its waits;
// a mode this binary cannot run is left out (its subtest says so).
func modeVariants(t *testing.T) []modeVariant {
	var out []modeVariant
	for _, m := range modes.Modes() {
		if m.Unavailable != "" {
			t.Run(m.Name, func(t *testing.T) { t.Skip(m.Unavailable) })
			continue
		}
		for _, w := range m.WaitsOrOne() {
			out = append(out, modeVariant{m.Name, w, m})
		}
	}
	return out
}

func forEachMode(t *testing.T, f func(t *testing.T, transport string, v modeVariant)) {
	for _, tr := range bpf.Transports {
		for _, v := range modeVariants(t) {
			if v.m.OneRing && tr == bpf.Sharded {
				continue // refused: TestResolveRefuses
			}
			tr := string(tr)
			t.Run(tr+"/"+schema.ModeLabel(v.mode, v.wait), func(t *testing.T) { f(t, tr, v) })
		}
	}
}

func requireChecks(t *testing.T, r Run) {
	t.Helper()
	for _, c := range r.Failed() {
		t.Errorf("check %s failed: %s", c.Name, c.Detail)
	}
}

// At a modest rate every mode receives every event, in order, once, with a
// positive latency.
func TestModesDeliverEverything(t *testing.T) {
	testutil.RequireBPF(t)
	forEachMode(t, func(t *testing.T, tr string, v modeVariant) {
		mode, wait := v.mode, v.wait
		r := runChecked(t, scenario(t, func(p *Params) { p.Transport, p.Mode, p.Wait, p.Rate = tr, mode, wait, 20_000 }))
		e := r.Events
		if e.Emitted == 0 || e.Consumed != e.Emitted || e.Dropped != 0 || e.Lost != 0 {
			t.Errorf("events %+v: want all emitted consumed, none dropped or lost", e)
		}
		if r.LatencyNs.Count == 0 || r.LatencyNs.Min == nil || *r.LatencyNs.Min <= 0 || e.Negative != 0 {
			t.Errorf("latency %+v, %d negative: want every latency > 0", r.LatencyNs, e.Negative)
		}
		requireChecks(t, r)
		// Perf rings are read from /proc/self/maps: one ring of 1 + 2^n
		// pages per online CPU, whichever consumer mapped them.
		if tr == "perfbuf" {
			online, _ := cpu.Online()
			want := uint64(len(online) * (schema.Defaults().RingBytes + os.Getpagesize()))
			if got := r.Memory.PerfRingBytes; got == nil || *got != want {
				t.Errorf("perf ring bytes %v, want %d (unsupported: %q)", deref(got), want, r.Unsupported["memory.perf_ring_bytes"])
			}
		} else if r.Memory.PerfRingBytes != nil {
			t.Errorf("ringbuf run reports perf ring bytes %d", *r.Memory.PerfRingBytes)
		}
	})
}

// A ring smaller than one trigger's batch must drop, and every drop must be
// accounted for: emitted = consumed + dropped, per CPU and in total. The
// producer and the consumer share a CPU, so that no consumer can drain
// while a batch is being written (one fast enough, on a CPU of its own,
// keeps up with a page-sized perf ring: the C spinner did).
func TestOverloadAccounting(t *testing.T) {
	testutil.RequireBPF(t)
	online, err := cpu.Online()
	if err != nil {
		t.Fatal(err)
	}
	shared := online[len(online)-1]
	forEachMode(t, func(t *testing.T, tr string, v modeVariant) {
		mode, wait := v.mode, v.wait
		r := runChecked(t, scenario(t, func(p *Params) {
			p.Transport, p.Mode, p.Wait, p.Rate, p.Batch, p.RingBytes = tr, mode, wait, 0, 100, os.Getpagesize()
			p.ProducerCPUs, p.ConsumerCPU = []int{shared}, shared
		}))
		e := r.Events
		if e.Dropped == 0 {
			t.Errorf("a %d-byte ring took 100-event batches without a drop: %+v", os.Getpagesize(), e)
		}
		if e.Emitted != e.Consumed+e.Dropped {
			t.Errorf("emitted %d ≠ consumed %d + dropped %d", e.Emitted, e.Consumed, e.Dropped)
		}
		requireChecks(t, r)
	})
}

// Interrupted at once: the run reports ErrInterrupted and leaves nothing
// loaded, mapped or open, in every mode.
func TestInterruptedRunCleansUp(t *testing.T) {
	testutil.RequireBPF(t)
	forEachMode(t, func(t *testing.T, tr string, v modeVariant) {
		mode, wait := v.mode, v.wait
		p := scenario(t, func(p *Params) { p.Transport, p.Mode, p.Wait, p.DurationS = tr, mode, wait, 60 })
		testutil.InitNetpoller()
		before, _ := testutil.FootprintOf(os.Getpid())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { _, err := RunScenario(ctx, p); done <- err }()
		time.Sleep(200 * time.Millisecond) // let it get going; not a timing check
		cancel()
		if err := <-done; err != ErrInterrupted {
			t.Fatalf("cancelled run returned %v, want ErrInterrupted", err)
		}
		after, _ := testutil.FootprintOf(os.Getpid())
		if !after.Same(before) {
			t.Errorf("interrupted run left objects behind: before %+v, after %+v", before, after)
		}
	})
}

// Channel delivery with synthetic work: every event still arrives exactly
// once, whether views are zero-copy (mmap modes, ring space released when
// the worker returns a batch) or copied (reader).
func TestChannelDeliveryWithWork(t *testing.T) {
	testutil.RequireBPF(t)
	forEachMode(t, func(t *testing.T, tr string, v modeVariant) {
		mode, wait := v.mode, v.wait
		if v.m.InC {
			t.Skip("records in C: no channel delivery, no Go work")
		}
		for _, delivery := range []string{"channel", "channel:32"} {
			r := runChecked(t, scenario(t, func(p *Params) {
				p.Transport, p.Mode, p.Wait, p.Rate, p.Delivery, p.Work = tr, mode, wait, 10_000, delivery, "100,64"
			}))
			if e := r.Events; e.Emitted == 0 || e.Consumed != e.Emitted {
				t.Errorf("%s: events %+v", delivery, e)
			}
			requireChecks(t, r)
		}
	})
}

// Back to back: the consumer triggers each batch itself; every event of
// every batch is consumed.
func TestBackToBack(t *testing.T) {
	testutil.RequireBPF(t)
	forEachMode(t, func(t *testing.T, tr string, v modeVariant) {
		mode, wait := v.mode, v.wait
		r := runChecked(t, scenario(t, func(p *Params) {
			p.Transport, p.Mode, p.Wait, p.B2B, p.Batch, p.Payload = tr, mode, wait, true, 50, 24
		}))
		e := r.Events
		if e.Emitted == 0 || e.Emitted != e.Consumed+e.Dropped || e.Triggers == 0 {
			t.Errorf("events %+v", e)
		}
		requireChecks(t, r)
	})
}

// The bill a design review reads: allocations and GC follow the synthetic
// work, a plain spin consumer allocates nothing per event, and spinning
// makes fewer syscalls per event than the blocking reader at the same rate.
//
// runtime/metrics are process-wide, so these runs go without runChecked's
// footprint poller, whose /proc reading would count as the mode's
// allocations, each in a child process to itself, as a real repetition.
func TestCostFigures(t *testing.T) {
	testutil.RequireBPF(t)
	// Each run in a child process of its own, as the harness runs them:
	// the test process carries other tests' heap and goroutines, whose
	// background work would be charged to the window.
	runPlain := func(p Params) Run {
		t.Helper()
		o, err := RunIsolated(context.Background(), p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if o.Run.Incomplete() {
			t.Fatalf("child: %s\n%s", o.Run.Error, o.Run.StderrTail)
		}
		requireChecks(t, o.Run)
		return o.Run
	}
	alloc := runPlain(scenario(t, func(p *Params) { p.Mode, p.Rate, p.Work = "spin", 20_000, "0,4096" }))
	// runtime/metrics accounts small-object bytes per cached span, not per
	// object, so a window's delta is off by a few spans either way: the
	// figure is about 4096, not at least 4096 (3950 was seen).
	if g := alloc.Go; g.GCCycles == nil || *g.GCCycles == 0 || g.AllocBytesPerEvent == nil ||
		*g.AllocBytesPerEvent < 0.9*4096 || *g.AllocBytesPerEvent > 1.5*4096 {
		t.Errorf("work 0,4096: gc cycles %v, alloc bytes/event %v; want > 0 and within 0.9–1.5 × 4096", deref(g.GCCycles), deref(g.AllocBytesPerEvent))
	}
	spin := runPlain(scenario(t, func(p *Params) { p.Mode, p.Rate = "spin", 20_000 }))
	if a := spin.Go.AllocsPerEvent; a == nil || *a >= 0.01 {
		t.Errorf("spin without work: %v allocations per event (%v bytes, %v GC cycles, %v goroutines), want < 0.01",
			deref(a), deref(spin.Go.AllocBytesPerEvent), deref(spin.Go.GCCycles), deref(spin.Go.Goroutines))
	}
	// No mode's read path allocates, waits included (the netpoll wait once
	// allocated three times per wakeup).
	for _, v := range modeVariants(t) {
		if v.mode == "spin" {
			continue
		}
		r := runPlain(scenario(t, func(p *Params) { p.Mode, p.Wait, p.Rate = v.mode, v.wait, 20_000 }))
		if a := r.Go.AllocsPerEvent; a == nil || *a >= 0.01 {
			t.Errorf("%s%s without work: %v allocations per event, want < 0.01", v.mode, v.wait, deref(a))
		}
	}
	reader := runPlain(scenario(t, func(p *Params) { p.Mode, p.Rate = "reader", 20_000 }))
	s, r := spin.OS.SyscallsPerEvent, reader.OS.SyscallsPerEvent
	if s == nil || r == nil || *s >= *r {
		t.Errorf("syscalls per event: spin %v, reader %v; want spin below reader", deref(s), deref(r))
	}
	for _, run := range []Run{alloc, spin, reader} {
		if run.OS.CPUNsPerEvent == nil || run.Producer.BPFNsPerEvent == nil || run.Syscalls == nil {
			t.Errorf("a core figure is missing: cpu %v, bpf %v, syscalls %v (unsupported: %v)",
				deref(run.OS.CPUNsPerEvent), deref(run.Producer.BPFNsPerEvent), run.Syscalls, run.Unsupported)
		}
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// The prealloc dimension: both flow-table variants keep exact accounting,
// churn the table and report its memlock.
func TestHashmapVariants(t *testing.T) {
	testutil.RequireBPF(t)
	for _, kind := range []string{"prealloc", "noprealloc", "lru", "lru-nocommon"} {
		t.Run(kind, func(t *testing.T) {
			r := runChecked(t, scenario(t, func(p *Params) { p.Hashmap, p.Rate = kind, 20_000 }))
			requireChecks(t, r)
			if r.Producer.HashInserts == nil || *r.Producer.HashInserts == 0 {
				t.Errorf("no flow inserted: %v", r.Producer.HashInserts)
			}
			if n := r.Memory.MapMemlock["rbn_flows"]; n == 0 {
				t.Errorf("flow table memlock not reported: %v", r.Memory.MapMemlock)
			}
		})
	}
}

// Two producers stacked on this machine's one free CPU (--oversubscribe):
// every event of both accounted for, per producing CPU and in total.
func TestOversubscribedProducers(t *testing.T) {
	testutil.RequireBPF(t)
	for _, tr := range bpf.Transports {
		tr := string(tr)
		t.Run(tr, func(t *testing.T) {
			r := runChecked(t, scenario(t, func(p *Params) {
				p.Transport, p.Mode, p.Rate, p.Producers, p.Oversubscribe = tr, "epoll", 20_000, 2, true
			}))
			e := r.Events
			if e.Emitted == 0 || e.Emitted != e.Consumed+e.Dropped || e.Triggers == 0 {
				t.Errorf("events %+v", e)
			}
			requireChecks(t, r)
		})
	}
}

// The rings are dealt to consumers so that each is read by exactly one,
// every consumer on a CPU of its own.
func TestSplitSetups(t *testing.T) {
	for _, c := range []struct{ cpus, consumers int }{{2, 2}, {64, 3}, {5, 5}, {7, 2}} {
		var cpus []int
		for i := range c.cpus {
			cpus = append(cpus, i)
		}
		p := schema.Defaults()
		p.Consumers = c.consumers
		for i := range c.consumers {
			p.ConsumerCPUs = append(p.ConsumerCPUs, 100+i)
		}
		setups := splitSetups(modes.Setup{CPUs: cpus, CPU: 0}, p)
		seen := map[int]int{}
		for i, s := range setups {
			if s.CPU != 100+i || len(s.CPUs) == 0 {
				t.Errorf("%v: consumer %d on CPU %d with rings %v", c, i, s.CPU, s.CPUs)
			}
			for _, r := range s.CPUs {
				seen[r]++
			}
		}
		for _, r := range cpus {
			if seen[r] != 1 {
				t.Errorf("%v: ring %d read by %d consumers", c, r, seen[r])
			}
		}
	}
	// Unpinned consumers stay unpinned.
	p := schema.Defaults()
	p.Consumers, p.ConsumerCPUs = 2, []int{0, 1}
	for _, s := range splitSetups(modes.Setup{CPUs: []int{0, 1}, CPU: -1}, p) {
		if s.CPU != -1 {
			t.Errorf("unpinned consumer pinned to %d", s.CPU)
		}
	}
}

// One producer, two consumers splitting the rings, on every transport that
// has rings to split, and two producers stacked on one consumer's machine:
// every event accounted for, per CPU and in total.
func TestSplitConsumers(t *testing.T) {
	testutil.RequireBPF(t)
	for _, tr := range []string{"perfbuf", "ringbuf-sharded"} {
		for _, mode := range []string{"epoll", "c-mmap"} {
			if m, _ := modes.Lookup(mode); m.Unavailable != "" {
				continue
			}
			t.Run(tr+"/"+mode, func(t *testing.T) {
				// Two producers on the two consumers' CPUs: each CPU's ring
				// (or shard) is dealt to another consumer, so both
				// consumers, and the merge of their Recorders, carry events.
				r := runChecked(t, scenario(t, func(p *Params) {
					p.Transport, p.Mode, p.Rate, p.Consumers, p.Producers, p.Oversubscribe = tr, mode, 20_000, 2, 2, true
				}))
				if e := r.Events; e.Emitted == 0 || e.Emitted != e.Consumed+e.Dropped {
					t.Errorf("events %+v", e)
				}
				var receiving []int
				for _, c := range r.PerCPU {
					if c.Received > 0 {
						receiving = append(receiving, c.CPU)
					}
				}
				if len(receiving) < 2 {
					t.Errorf("events received from CPUs %v, want both producers'", receiving)
				}
				requireChecks(t, r)
			})
		}
	}
}
