package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ringbench/bpf"
	"ringbench/internal/testutil"
	"ringbench/schema"
)

// The load generator is a process of its own and the producer program
// filters on it: triggers issued meanwhile by the consumer's own process
// produce nothing, so the program's trigger count equals the load
// generator's exactly.
func TestLoadgenIsItsOwnProcess(t *testing.T) {
	testutil.RequireBPF(t)
	p := scenario(t, func(p *Params) { p.Mode, p.Rate = "epoll", 20_000 })
	var stop atomic.Bool
	var foreign atomic.Uint64
	go func() {
		for !stop.Load() {
			unix.Syscall(bpf.TriggerSyscall, 0, 0, 0)
			foreign.Add(1)
			time.Sleep(10 * time.Microsecond)
		}
	}()
	r := runChecked(t, p)
	stop.Store(true)
	if r.Producer.Topology != schema.TopologyProcess || r.Producer.LoadgenPID == 0 || r.Producer.LoadgenPID == os.Getpid() {
		t.Errorf("topology %q, load generator pid %d, ours %d", r.Producer.Topology, r.Producer.LoadgenPID, os.Getpid())
	}
	if foreign.Load() == 0 {
		t.Fatal("the consumer's process issued no trigger of its own")
	}
	if r.Events.Triggers != r.Producer.LoadgenTriggers || r.Events.Triggers == 0 {
		t.Errorf("program ran for %d triggers, the load generator issued %d (and we %d)", r.Events.Triggers, r.Producer.LoadgenTriggers, foreign.Load())
	}
	if r.Producer.LoadgenCPUNsPerTrigger == nil || *r.Producer.LoadgenCPUNsPerTrigger <= 0 {
		t.Errorf("load generator CPU per trigger %v (%q)", deref(r.Producer.LoadgenCPUNsPerTrigger), r.Unsupported["producer.loadgen_cpu_ns_per_trigger"])
	}
	requireChecks(t, r)
}

// Killing the scenario's process kills its load generator: nothing it
// started outlives it.
func TestLoadgenDiesWithScenario(t *testing.T) {
	testutil.RequireBPF(t)
	p := scenario(t, func(p *Params) { p.Rate, p.DurationS = 1000, 60 })
	in, _ := json.Marshal(p)
	child := exec.Command(os.Args[0], ChildCommand)
	child.Stdin = bytes.NewReader(in)
	child.Stderr = os.Stderr
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	defer child.Process.Kill()
	var lg int
	for deadline := time.Now().Add(30 * time.Second); lg == 0; time.Sleep(20 * time.Millisecond) { // liveness bound
		if time.Now().After(deadline) {
			t.Fatal("the scenario child started no load generator")
		}
		lg = childOf(child.Process.Pid)
	}
	child.Process.Signal(syscall.SIGKILL)
	child.Wait()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if err := syscall.Kill(lg, 0); errors.Is(err, syscall.ESRCH) {
			return
		}
		if time.Now().After(deadline) {
			syscall.Kill(lg, syscall.SIGKILL)
			t.Fatalf("load generator %d survived its scenario's SIGKILL", lg)
		}
	}
}

// childOf is a child process of pid (of any of its threads: the one that
// started it need not be the main one), or 0.
func childOf(pid int) int {
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		if f := strings.Fields(string(b)); len(f) > 0 {
			n, _ := strconv.Atoi(f[0])
			return n
		}
	}
	return 0
}

// The kernel benchmark's workload (8-byte events, no timestamps) accounts
// exactly, in every mode; latency is not measured and says so.
func TestNoLatencyAccounts(t *testing.T) {
	testutil.RequireBPF(t)
	forEachMode(t, func(t *testing.T, tr string, v modeVariant) {
		mode, wait := v.mode, v.wait
		r := runChecked(t, scenario(t, func(p *Params) {
			p.Transport, p.Mode, p.Wait, p.Rate, p.Batch, p.NoLatency = tr, mode, wait, 50_000, 10, true
		}))
		e := r.Events
		if e.Emitted == 0 || e.Consumed != e.Emitted || e.WindowConsumed == 0 || r.LatencyNs.Count != 0 {
			t.Errorf("events %+v, %d latencies", e, r.LatencyNs.Count)
		}
		if r.Consumer.LatencyClock != "none" {
			t.Errorf("latency clock %q", r.Consumer.LatencyClock)
		}
		requireChecks(t, r)
	})
}

// Releasing ring space per record instead of per drain changes nothing in
// the accounting, in the mmap modes it applies to.
func TestCommitPerRecord(t *testing.T) {
	testutil.RequireBPF(t)
	forEachMode(t, func(t *testing.T, tr string, v modeVariant) {
		mode, wait := v.mode, v.wait
		if v.m.OwnCommit != "" {
			t.Skip("the mode's library commits per record whatever the knob")
		}
		r := runChecked(t, scenario(t, func(p *Params) {
			p.Transport, p.Mode, p.Wait, p.Rate, p.Batch, p.Commit = tr, mode, wait, 0, 20, "record"
		}))
		if e := r.Events; e.Emitted == 0 || e.Emitted != e.Consumed+e.Dropped {
			t.Errorf("events %+v", e)
		}
		requireChecks(t, r)
	})
}

// epoll with channel delivery on a ring buffer waits for the worker, not in
// epoll_wait, while batches are in flight. When it spun through epoll_wait
// (the ring reads as unread until the worker hands space back) it made 4–10
// syscalls per event at 100k ev/s; waiting, it makes about 0.7, against
// about 0.3 inline. The bound sits between the two, far from both.
func TestEpollChannelSyscalls(t *testing.T) {
	testutil.RequireBPF(t)
	perEvent := func(delivery string) float64 {
		o, err := RunScenario(context.Background(), scenario(t, func(p *Params) {
			p.Mode, p.Rate, p.Delivery, p.DurationS = "epoll", 100_000, delivery, 1
		}))
		if err != nil {
			t.Fatal(err)
		}
		requireChecks(t, o.Run)
		if o.Run.OS.SyscallsPerEvent == nil {
			t.Fatalf("%s: syscalls not counted: %v", delivery, o.Run.Unsupported)
		}
		return *o.Run.OS.SyscallsPerEvent
	}
	inline, channel := perEvent("inline"), perEvent("channel:64")
	if channel >= 2 {
		t.Errorf("syscalls per event: channel:64 %.3f (inline %.3f); want under 2", channel, inline)
	}
}

// Switched off, the syscall counter loads nothing and its figures are null
// with the reason; switched on, its cost per syscall is measured.
func TestSyscallCounterSwitch(t *testing.T) {
	testutil.RequireBPF(t)
	on := runChecked(t, scenario(t, func(p *Params) { p.Rate = 20_000 }))
	if on.Syscalls == nil || on.Syscalls.CounterNsPerSyscall == nil || *on.Syscalls.CounterNsPerSyscall <= 0 {
		t.Errorf("counter cost not measured: %+v", on.Syscalls)
	}
	off := runChecked(t, scenario(t, func(p *Params) { p.Rate, p.NoSyscallCount = 20_000, true }))
	if off.Syscalls != nil || off.OS.SyscallsPerEvent != nil || off.Unsupported["os.syscalls_per_event"] == "" {
		t.Errorf("counter off: syscalls %+v, per event %v, reason %q", off.Syscalls, deref(off.OS.SyscallsPerEvent), off.Unsupported["os.syscalls_per_event"])
	}
}

// A child that hangs is stopped with SIGQUIT, and its goroutine dump,
// which the Go runtime prints from the signal handler, lands in the
// repetition's stderr_tail.
func TestHungChildDumps(t *testing.T) {
	defer func(m time.Duration) { childMargin = m }(childMargin)
	childMargin = time.Second
	p := schema.Defaults()
	p.DurationS, p.WarmupS = 0.1, 0
	o, err := RunIsolated(context.Background(), p, []string{"RINGBENCH_TEST_HANG_CHILD=1"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(o.Run.Error, "child hung: its watchdog dumped its goroutines") {
		t.Errorf("error %q", o.Run.Error)
	}
	if tail := o.Run.StderrTail; !strings.HasPrefix(tail, "SIGQUIT") || !strings.Contains(tail, "goroutine ") || !strings.Contains(tail, "ServeChild") {
		t.Errorf("stderr tail holds no goroutine dump:\n%.2000s", tail)
	}
}

// Without its own watchdog (switched off here), a hung child still dumps
// its goroutines: the parent sends SIGQUIT at its deadline.
func TestHungChildParentQuits(t *testing.T) {
	defer func(m time.Duration) { childMargin = m }(childMargin)
	childMargin = time.Second
	p := schema.Defaults()
	p.DurationS, p.WarmupS = 0.1, 0
	o, err := RunIsolated(context.Background(), p, []string{"RINGBENCH_TEST_HANG_CHILD=1", watchdogEnv + "=0"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(o.Run.Error, "child hung: stopped with SIGQUIT") {
		t.Errorf("error %q", o.Run.Error)
	}
	if tail := o.Run.StderrTail; !strings.HasPrefix(tail, "SIGQUIT") || !strings.Contains(tail, "ServeChild") {
		t.Errorf("stderr tail holds no goroutine dump:\n%.2000s", tail)
	}
}
