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
	stdout io.Closer
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
	// Pipes of our own rather than StdinPipe/StdoutPipe: Wait closes those
	// as soon as the process exits, possibly before its report has been
	// read, and a failed start would leave the child's ends open.
	childIn, stdin, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	stdout, childOut, err := os.Pipe()
	if err != nil {
		childIn.Close()
		stdin.Close()
		return nil, err
	}
	cmd.Stdin, cmd.Stdout = childIn, childOut
	err = cpu.WithAffinity(spec.CPUs, cmd.Start)
	childIn.Close()
	childOut.Close()
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
	m, err := p.receive(readyLimit)
	if err != nil {
		return nil, fmt.Errorf("load generator did not start: %w", err)
	}
	if !m.Ready {
		return nil, fmt.Errorf("load generator refused: %s", m.Error)
	}
	return p, nil
}

// readyLimit bounds how long a new load generator may take to say it is
// ready: a process start, not a measurement.
const readyLimit = 30 * time.Second

// receive reads the next message, or fails after limit (the reader is left
// to end with the process, which Kill ends).
func (p *Process) receive(limit time.Duration) (fromLoadgen, error) {
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
	select {
	case g := <-ch:
		return g.m, g.err
	case <-time.After(limit):
		return fromLoadgen{}, fmt.Errorf("no answer within %v", limit)
	}
}

// Pid is the load generator's process ID: the tgid the producer program
// filters on.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Begin hands over the plan: the load starts at plan.Start.
func (p *Process) Begin(plan Plan) error { return p.send(toLoadgen{Plan: &plan}) }

// Wait waits for the load generator's report, which it sends once the load
// has stopped (by itself at the plan's end), and for it to
// exit; after limit it is killed.
func (p *Process) Wait(limit time.Duration) (Result, error) {
	m, err := p.receive(limit)
	if err != nil {
		p.Kill()
		return Result{}, fmt.Errorf("load generator sent no report (%v): %w", p.err, err)
	}
	p.stdin.Close()
	select {
	case <-p.exited:
		p.stdout.Close()
	case <-time.After(limit):
		p.Kill()
	}
	if m.Report == nil {
		return Result{}, fmt.Errorf("load generator: %s", m.Error)
	}
	r, err := m.Report.decode()
	if err != nil {
		return r, fmt.Errorf("load generator report: %w", err)
	}
	if m.Report.Error != "" {
		return r, errors.New(m.Report.Error)
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
