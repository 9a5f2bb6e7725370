package loadgen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"

	"golang.org/x/sys/unix"

	"ringbench/internal/window"
)

// Serve is the load generator process's side of the protocol (see
// Command): it reads the spec, says it is ready, waits for the plan, runs
// the load until the plan's end or the end of in, and reports. A nil
// trigger means getpgid(2).
func Serve(ctx context.Context, in io.Reader, out io.Writer, trigger func()) error {
	dec, enc := json.NewDecoder(in), json.NewEncoder(out)
	var m toLoadgen
	if err := dec.Decode(&m); err != nil {
		return fmt.Errorf("load generator: read spec: %w", err)
	}
	if err := m.Spec.check(); err != nil {
		enc.Encode(fromLoadgen{Error: err.Error()})
		return err
	}
	spec := *m.Spec
	if err := enc.Encode(fromLoadgen{Ready: true}); err != nil {
		return err
	}
	m = toLoadgen{}
	if err := dec.Decode(&m); err != nil || m.Plan == nil {
		return nil // the scenario went away before the plan
	}
	plan := *m.Plan

	ctx, stop := context.WithCancel(ctx)
	defer stop()
	inClosed := make(chan struct{})
	go func() {
		var m toLoadgen
		for dec.Decode(&m) == nil { // nothing more is said after the plan
		}
		stop()
		close(inClosed)
	}()
	w := window.New()
	w.Open(plan.Open)
	w.Close(plan.Close)
	r, runErr := Run(ctx, Config{Rate: spec.Rate, Batch: spec.Batch, CPUs: spec.CPUs, Window: w,
		Trigger: trigger, Start: plan.Start, End: plan.Close})
	rep, err := encodeReport(r, runErr)
	if err != nil {
		return err
	}
	if err := enc.Encode(fromLoadgen{Report: rep}); err != nil {
		return errors.Join(runErr, err)
	}
	// Stay until the scenario closes in: it reads this process's CPU clock
	// at the window's end, which needs the process alive.
	<-inClosed
	return runErr
}

// Main is the load generator process: Serve over stdin and stdout. The
// process was confined to the producer CPUs before it started (Start).
func Main(ctx context.Context, stdin io.Reader, stdout io.Writer) error {
	// Each producer holds a P while it spins or triggers; one more P keeps
	// the runtime's own goroutines and the stop watcher running.
	var set unix.CPUSet
	if unix.SchedGetaffinity(0, &set) == nil {
		runtime.GOMAXPROCS(set.Count() + 1)
	}
	return Serve(ctx, stdin, stdout, nil)
}

func (s *Spec) check() error {
	switch {
	case s == nil:
		return errors.New("load generator: no spec")
	case s.Batch < 1:
		return fmt.Errorf("load generator: batch %d, want at least 1", s.Batch)
	case len(s.CPUs) == 0:
		return errors.New("load generator: no producer CPU")
	}
	return nil
}
