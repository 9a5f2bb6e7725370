package loadgen

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"

	"ringbench/internal/cpu"
)

// Process is a load generator running as a process of its own, the traced
// workload: none of it runs in the consumer's Go runtime. It dies with the
// thread that started it (PR_SET_PDEATHSIG) and stops when its stdin closes,
// so it cannot outlive the scenario however that ends.
type Process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *os.File
	dec    *json.Decoder
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
}

// StartProcess starts the load generator: this binary re-executed with
// Command, confined to spec's CPUs from birth, with extraEnv added to its
// environment. It returns once the process has accepted the spec.
func StartProcess(spec Spec, stderr io.Writer, extraEnv ...string) (_ *Process, err error) {
	if err := spec.check(); err != nil {
		return nil, err
	}
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, Command)
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.Stderr = stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	// A pipe of our own rather than StdoutPipe, which Wait closes as soon
	// as the process exits, possibly before its report has been read.
	stdout, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = w
	err = cpu.WithAffinity(spec.CPUs, cmd.Start)
	w.Close()
	if err != nil {
		stdin.Close()
		stdout.Close()
		return nil, fmt.Errorf("start load generator: %w", err)
	}
	p := &Process{cmd: cmd, stdin: stdin, stdout: stdout, dec: newDecoder(stdout), exited: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.exited) }()
	defer func() {
		if err != nil {
			p.Kill()
		}
	}()
	if err := p.send(toLoadgen{Spec: &spec}); err != nil {
		return nil, err
	}
	var m fromLoadgen
	if err := p.dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("load generator did not start: %w", err)
	}
	if !m.Ready {
		return nil, fmt.Errorf("load generator refused: %s", m.Error)
	}
	return p, nil
}

// Pid is the load generator's process ID: the tgid the producer program
// filters on.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Begin hands over the plan: the load starts at plan.Start.
func (p *Process) Begin(plan Plan) error { return p.send(toLoadgen{Plan: &plan}) }

// Stop asks the load to stop now; Wait then returns what it did.
func (p *Process) Stop() { _ = p.send(toLoadgen{Stop: true}) }

// Wait waits for the load generator's report, which it sends once the load
// has stopped (by itself at the plan's end, or after Stop), and for it to
// exit; after limit it is killed.
func (p *Process) Wait(limit time.Duration) (Result, error) {
	type got struct {
		m   fromLoadgen
		err error
	}
	ch := make(chan got, 1)
	go func() {
		var m fromLoadgen
		err := p.dec.Decode(&m)
		ch <- got{m, err}
	}()
	var g got
	select {
	case g = <-ch:
	case <-time.After(limit):
		p.Kill()
		return Result{}, fmt.Errorf("load generator did not stop within %v: killed", limit)
	}
	p.stdin.Close()
	select {
	case <-p.exited:
		p.stdout.Close()
	case <-time.After(limit):
		p.Kill()
	}
	switch {
	case g.err != nil:
		return Result{}, fmt.Errorf("load generator sent no report (%v): %w", p.err, g.err)
	case g.m.Report == nil:
		return Result{}, fmt.Errorf("load generator: %s", g.m.Error)
	}
	r, err := g.m.Report.decode()
	if err != nil {
		return r, fmt.Errorf("load generator report: %w", err)
	}
	if g.m.Report.Error != "" {
		return r, errors.New(g.m.Report.Error)
	}
	return r, nil
}

// Kill ends the load generator at once and waits for it; safe at any time
// and more than once.
func (p *Process) Kill() {
	p.stdin.Close()
	select {
	case <-p.exited:
	default:
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	p.stdout.Close()
}

func newDecoder(r io.Reader) *json.Decoder { return json.NewDecoder(r) }

func (p *Process) send(m toLoadgen) error {
	if err := json.NewEncoder(p.stdin).Encode(m); err != nil {
		return fmt.Errorf("load generator: %w", err)
	}
	return nil
}
