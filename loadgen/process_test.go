package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"ringbench/internal/clock"
)

// The test binary doubles as a load generator process whose trigger only
// counts (no syscall, no BPF): the process, its protocol and its lifetime
// are tested without a kernel feature.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == Command {
		var n atomic.Uint64
		if err := Serve(context.Background(), os.Stdin, os.Stdout, func() { n.Add(1) }); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serveOverPipes runs Serve in this process over two pipes, the fake child
// of the handshake tests.
func serveOverPipes(t *testing.T, trigger func()) (toChild io.WriteCloser, fromChild io.Reader, done chan error) {
	t.Helper()
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done = make(chan error, 1)
	go func() {
		err := Serve(context.Background(), inR, outW, trigger)
		outW.CloseWithError(io.EOF)
		done <- err
	}()
	return inW, outR, done
}

// The handshake and the result's transfer: spec, ready, plan, a load that
// stops by itself at the plan's end, and a report whose counts and
// histograms are those of the triggers issued.
func TestHandshakeAndReport(t *testing.T) {
	var n atomic.Uint64
	in, out, done := serveOverPipes(t, func() { n.Add(1) })
	p := &Process{stdin: in, dec: newDecoder(out)}
	if err := p.send(toLoadgen{Spec: &Spec{Rate: 20_000, Batch: 2, CPUs: []int{-1}}}); err != nil {
		t.Fatal(err)
	}
	var m fromLoadgen
	if err := p.dec.Decode(&m); err != nil || !m.Ready {
		t.Fatalf("ready: %+v, %v", m, err)
	}
	now := clock.Now()
	plan := Plan{Start: now, Open: now + 20e6, Close: now + 120e6}
	if err := p.Begin(plan); err != nil {
		t.Fatal(err)
	}
	if err := p.dec.Decode(&m); err != nil || m.Report == nil {
		t.Fatalf("report: %+v, %v", m, err)
	}
	r, err := m.Report.decode()
	if err != nil {
		t.Fatal(err)
	}
	if r.Triggers != n.Load() || r.Triggers == 0 || r.WindowTriggers == 0 || r.WindowTriggers > r.Triggers {
		t.Errorf("report: %d triggers (%d in the window), the trigger ran %d times", r.Triggers, r.WindowTriggers, n.Load())
	}
	if got := uint64(r.Syscall.TotalCount()); got != r.WindowTriggers || uint64(r.Lag.TotalCount()) != r.WindowTriggers {
		t.Errorf("histograms hold %d syscall and %d lag values for %d window triggers", got, r.Lag.TotalCount(), r.WindowTriggers)
	}
	// 20k events/s in batches of 2 for 120 ms: 1200 triggers, and not one
	// more — the schedule stops at the plan's end, whatever the clock.
	if r.Triggers > 1200 {
		t.Errorf("%d triggers, the plan has room for 1200", r.Triggers)
	}
	if r.Interval != 100_000 {
		t.Errorf("interval %d ns, want 100000", r.Interval)
	}
	select {
	case err := <-done:
		t.Fatalf("served before its stdin closed: %v", err)
	default: // it stays for the scenario to read its CPU clock
	}
	in.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// A spec it cannot run is refused with the reason; a scenario that goes
// away before the plan ends the process quietly; closing its stdin ends the
// load.
func TestHandshakeRefusalsAndStops(t *testing.T) {
	in, out, done := serveOverPipes(t, func() {})
	p := &Process{stdin: in, dec: newDecoder(out)}
	p.send(toLoadgen{Spec: &Spec{Batch: 0, CPUs: []int{-1}}})
	var m fromLoadgen
	if err := p.dec.Decode(&m); err != nil || m.Ready || m.Error == "" {
		t.Errorf("batch 0: %+v, %v", m, err)
	}
	if err := <-done; err == nil {
		t.Error("batch 0 served without error")
	}

	in, out, done = serveOverPipes(t, func() {})
	p = &Process{stdin: in, dec: newDecoder(out)}
	p.send(toLoadgen{Spec: &Spec{Rate: 1000, Batch: 1, CPUs: []int{-1}}})
	p.dec.Decode(&m)
	in.Close()
	if err := <-done; err != nil {
		t.Errorf("gone before the plan: %v", err)
	}

	in, out, done = serveOverPipes(t, func() {})
	p = &Process{stdin: in, dec: newDecoder(out)}
	p.send(toLoadgen{Spec: &Spec{Rate: 0, Batch: 1, CPUs: []int{-1}}})
	p.dec.Decode(&m)
	now := clock.Now()
	p.Begin(Plan{Start: now, Open: now, Close: now + int64(time.Hour)})
	time.Sleep(20 * time.Millisecond) // let it run; not a timing check
	in.Close()                        // the scenario closes the pipe: the load stops and reports
	m = fromLoadgen{}
	if err := p.dec.Decode(&m); err != nil || m.Report == nil || m.Report.Triggers == 0 {
		t.Errorf("stopped: %+v, %v", m, err)
	}
	if err := <-done; err != nil {
		t.Errorf("stopped: %v", err)
	}
}

// A real process: its own pid, confined to its CPUs, a report over its
// pipes, gone after Wait.
func TestProcess(t *testing.T) {
	p, err := StartProcess(Spec{Rate: 10_000, Batch: 1, CPUs: []int{0}}, os.Stderr)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pid() == os.Getpid() || p.Pid() <= 0 {
		t.Fatalf("load generator pid %d, ours %d", p.Pid(), os.Getpid())
	}
	if cpus, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.Pid())); err == nil && !strings.Contains(string(cpus), "Cpus_allowed_list:\t0\n") {
		t.Errorf("load generator not confined to CPU 0:\n%s", cpus)
	}
	now := clock.Now()
	if err := p.Begin(Plan{Start: now, Open: now, Close: now + 50e6}); err != nil {
		t.Fatal(err)
	}
	r, err := p.Wait(30 * time.Second) // a liveness bound, not a timing check
	if err != nil {
		t.Fatal(err)
	}
	if r.Triggers == 0 || r.Triggers > 500 {
		t.Errorf("%d triggers in a 50 ms plan at 10k/s", r.Triggers)
	}
	if err := syscall.Kill(p.Pid(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("load generator still there after Wait: %v", err)
	}
	p.Kill() // safe after Wait
}

// Killed before its plan, the process is gone and Wait says why.
func TestProcessKill(t *testing.T) {
	p, err := StartProcess(Spec{Rate: 1000, Batch: 1, CPUs: []int{0}}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	p.Kill()
	if err := syscall.Kill(p.Pid(), 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("killed load generator still there: %v", err)
	}
	if _, err := p.Wait(time.Second); err == nil {
		t.Error("Wait after Kill reported no error")
	}
}
