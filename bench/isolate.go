package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"

	"ringbench/bpf"
)

// ChildCommand is the hidden subcommand a scenario's child process runs.
const ChildCommand = "__scenario"

// childMargin is how long past warm-up + duration a child may take (load,
// attach, drain, unload) before it is declared hung. A var so that a test
// can wait less.
var childMargin = 60 * time.Second

// quitGrace is how long a hung child has, after SIGQUIT, to print its
// goroutines and exit before it is killed.
const quitGrace = 5 * time.Second

// childOutcome is what a child writes on stdout: the run and its
// histograms in HdrHistogram's compressed V2 encoding.
type childOutcome struct {
	Run      Run                         `json:"run"`
	Attach   bpf.AttachMethod            `json:"attach"`
	Refused  map[bpf.AttachMethod]string `json:"refused"`
	Latency  []byte                      `json:"latency_hdr"`
	GCPauses []byte                      `json:"gc_pauses_hdr"`
}

// ServeChild runs one scenario, read as JSON from in, in this process and
// writes its outcome to out. It is the child side of RunIsolated.
func ServeChild(ctx context.Context, in io.Reader, out io.Writer) error {
	var p Params
	if err := json.NewDecoder(in).Decode(&p); err != nil {
		return fmt.Errorf("read scenario: %w", err)
	}
	if d, err := time.ParseDuration(os.Getenv(watchdogEnv)); err == nil && d > 0 {
		if err := armWatchdog(d); err != nil {
			fmt.Fprintf(os.Stderr, "ringbench: no watchdog in this child (%v); the parent's deadline still holds\n", err)
		}
	}
	if os.Getenv("RINGBENCH_TEST_KILL_CHILD") == "1" { // test hook: a child that dies
		syscall.Kill(os.Getpid(), syscall.SIGKILL)
	}
	for os.Getenv("RINGBENCH_TEST_HANG_CHILD") == "1" { // test hook: a child that hangs
		time.Sleep(time.Hour)
	}
	o, err := RunScenario(ctx, p)
	if err != nil {
		return err
	}
	co := childOutcome{Run: o.Run, Attach: o.Attach, Refused: o.Refused}
	if co.Latency, err = encodeHist(o.Latency); err != nil {
		return err
	}
	if co.GCPauses, err = encodeHist(o.GCPauses); err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(co)
}

func encodeHist(h *hdrhistogram.Histogram) ([]byte, error) {
	if h == nil {
		return nil, nil
	}
	return h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
}

func decodeHist(b []byte) (*hdrhistogram.Histogram, error) {
	if len(b) == 0 {
		return nil, nil
	}
	return hdrhistogram.Decode(b)
}

// RunIsolated runs one repetition of p in a fresh child process (this
// binary, re-executed with ChildCommand), so that no heap, GC, goroutine or
// BPF state carries over between repetitions. A child that fails, crashes or
// hangs gives a failed repetition (Run.Error, with its stderr tail), not an
// error: the caller goes on. The error is for what stops the whole run:
// ErrInterrupted, or a child that cannot be started.
func RunIsolated(ctx context.Context, p Params, env []string) (Outcome, error) {
	exe, err := os.Executable()
	if err != nil {
		return Outcome{}, err
	}
	in, err := json.Marshal(p)
	if err != nil {
		return Outcome{}, err
	}
	limit := seconds(p.WarmupS+p.DurationS) + childMargin
	cmd := exec.Command(exe, ChildCommand)
	// On SIGQUIT the Go runtime prints every goroutine from its signal
	// handler, which needs no scheduler: a hung child's dump.
	// The child's own watchdog, a kernel timer, fires first: it needs
	// neither the child's scheduler nor this process.
	cmd.Env = append(append(os.Environ(), "GOTRACEBACK=all", watchdogEnv+"="+watchdogAfter(limit).String()), env...)
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		return Outcome{}, fmt.Errorf("start scenario child: %w", err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var waitErr error
	select {
	case waitErr = <-done:
	case <-ctx.Done():
		// The child cleans up on SIGINT; wait for it so nothing it loaded
		// outlives us.
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(drainLimit):
			cmd.Process.Kill()
			<-done
		}
		return Outcome{}, ErrInterrupted
	case <-time.After(limit):
		// SIGQUIT first: the child dumps its goroutines to stderr and
		// exits; only one that cannot is killed.
		cmd.Process.Signal(syscall.SIGQUIT)
		how := "stopped with SIGQUIT (its goroutines are in stderr_tail)"
		select {
		case <-done:
		case <-time.After(quitGrace):
			cmd.Process.Kill()
			<-done
			how = "killed: it did not exit on SIGQUIT"
		}
		return failedRun(fmt.Sprintf("child hung: %s after %v", how, limit), stderr.String()), nil
	}
	if waitErr != nil && strings.Contains(stderr.String(), "SIGQUIT: quit") {
		return failedRun(fmt.Sprintf("child hung: its watchdog dumped its goroutines (in stderr_tail) and ended it after %v", watchdogAfter(limit)), stderr.String()), nil
	}
	if waitErr != nil {
		return failedRun(fmt.Sprintf("child failed: %v", waitErr), stderr.String()), nil
	}
	var co childOutcome
	if err := json.Unmarshal(stdout.Bytes(), &co); err != nil {
		return failedRun(fmt.Sprintf("child wrote no result: %v", err), stderr.String()), nil
	}
	o := Outcome{Run: co.Run, Attach: co.Attach, Refused: co.Refused}
	if o.Latency, err = decodeHist(co.Latency); err == nil {
		o.GCPauses, err = decodeHist(co.GCPauses)
	}
	if err != nil {
		return failedRun("child histograms unreadable: "+err.Error(), stderr.String()), nil
	}
	return o, nil
}

// stderrTail keeps the last lines of a failed child's stderr, or, when it
// holds a goroutine dump, the dump from its start: up to 64 KiB, the main
// goroutine and the runtime's first.
func stderrTail(s string) string {
	const keep, keepDump = 2048, 64 << 10
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "SIGQUIT: quit"); i >= 0 {
		s = s[i:]
		if len(s) > keepDump {
			s = s[:keepDump] + "…"
		}
		return s
	}
	if len(s) > keep {
		s = "…" + s[len(s)-keep:]
	}
	return s
}

func failedRun(why, stderr string) Outcome {
	return Outcome{Run: Run{Error: why, StderrTail: stderrTail(stderr)}}
}
