package vm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// qemuBinary is the emulator ringbench vm boots guests with.
const qemuBinary = "qemu-system-x86_64"

// bootConfig is one boot of one guest.
type bootConfig struct {
	Qemu   string // path of qemu-system-x86_64
	Accel  string // kvm or tcg
	Image  string // the bzImage
	Initrd string // the initramfs
	Share  string // host folder shared over 9p
	CPUs   int
	MemMB  int
	Append string // extra kernel command line
	// TCGThread is TCG's threading: single (the default: one host thread
	// round-robin over the vCPUs) or multi (a host thread per vCPU). Multi
	// is faster but the kernels' live text patching (static keys, BPF
	// trampolines: int3 + IPI) races with it: attaching BPF programs under
	// load oopsed 6.12 on int3 in two boots of two.
	TCGThread string
	Console   io.Writer // the whole console
	// Progress gets the subcommand's stderr lines (progress, errors),
	// which the guest marks on the console.
	Progress io.Writer

	Timeout      time.Duration // the whole boot
	StartTimeout time.Duration // until ringbench runs as PID 1
	Stall        time.Duration // longest silence of the guest's heartbeat once started
}

// bootResult is what one boot did.
type bootResult struct {
	Accel   string
	Started bool    // ringbench ran as PID 1
	Done    bool    // the guest said it was done
	StartS  float64 // seconds to PID 1
	TotalS  float64 // seconds to power-off (or kill)
	// Failure is empty when the guest finished and powered off; otherwise
	// what went wrong: a timeout, a hang, a kernel panic, qemu's error.
	Failure    string
	Tail       []string          // the console's last lines, heartbeats and file copies left out
	Files      map[string][]byte // files the guest copied onto the console
	QemuStderr string
	SoftLockup bool // the kernel reported a soft lockup or an RCU stall
}

// qemuArgs builds qemu's command line. KVM uses -cpu host; TCG uses -cpu
// max. Both use -M pc: microvm prints nothing with
// these kernels. The guest's 9p share carries the results back.
func qemuArgs(c bootConfig) []string {
	a := []string{"-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
		"-M", "pc", "-m", strconv.Itoa(c.MemMB), "-smp", strconv.Itoa(c.CPUs)}
	if c.Accel == "kvm" {
		a = append(a, "-accel", "kvm", "-cpu", "host")
	} else {
		thread := "single"
		if c.TCGThread != "" {
			thread = c.TCGThread
		}
		a = append(a, "-accel", "tcg,thread="+thread, "-cpu", "max")
	}
	cmdline := "console=ttyS0 panic=-1 oops=panic loglevel=4 rdinit=/init"
	if c.Append != "" {
		cmdline += " " + c.Append
	}
	a = append(a, "-kernel", c.Image, "-initrd", c.Initrd, "-append", cmdline,
		"-serial", "stdio", "-monitor", "none")
	if c.Share != "" {
		a = append(a, "-fsdev", "local,id=share,path="+c.Share+",security_model=none",
			"-device", "virtio-9p-pci,fsdev=share,mount_tag="+GuestShareTag)
	}
	return a
}

type consoleEvent int

const (
	evStart consoleEvent = iota
	evHeartbeat
	evDone
	evPanic
	evLockup
)

// Boot runs one guest to power-off, killing qemu (its whole process group)
// when the boot takes longer than Timeout, does not reach PID 1 within
// StartTimeout, or the guest's heartbeat stops for Stall (or for 3
// heartbeats after the kernel reported a soft lockup): qemu pauses rather
// than exits on an internal error, so nothing here waits without a bound.
func Boot(ctx context.Context, c bootConfig) bootResult {
	res := bootResult{Accel: c.Accel}
	t0 := time.Now()
	cmd := exec.Command(c.Qemu, qemuArgs(c)...)
	cmd.Stdin = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		res.Failure = err.Error()
		return res
	}
	stderr := newLockedBuffer()
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		res.Failure = fmt.Sprintf("start %s: %v", c.Qemu, err)
		return res
	}
	events := make(chan consoleEvent, 64)
	var cons consoleParser
	parsed := make(chan struct{})
	go func() {
		cons.parse(stdout, c.Console, c.Progress, events)
		close(parsed)
	}()
	exited := make(chan error, 1)
	go func() {
		<-parsed // read the console to its end before Wait closes the pipe
		exited <- cmd.Wait()
	}()

	kill := func(why string) {
		if res.Failure == "" {
			res.Failure = why
		}
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
	overall := time.NewTimer(c.Timeout)
	defer overall.Stop()
	watch := time.NewTimer(c.StartTimeout)
	defer watch.Stop()
	tick := time.NewTicker(500 * time.Millisecond) // qemu's stderr is looked at on every tick
	defer tick.Stop()
	stall := c.Stall
	var waitErr error
	killed := false
	handle := func(ev consoleEvent) {
		switch ev {
		case evStart:
			res.Started, res.StartS = true, time.Since(t0).Seconds()
			watch.Reset(stall)
		case evHeartbeat:
			if res.Started {
				watch.Reset(stall)
			}
		case evDone:
			res.Done = true
			watch.Reset(c.StartTimeout) // power-off takes a moment
		case evPanic:
			// panic=-1 and -no-reboot make qemu exit by itself.
			if res.Failure == "" {
				res.Failure = "kernel panic"
			}
		case evLockup:
			res.SoftLockup = true
			if res.Started && !res.Done && stall > 35*time.Second {
				stall = 35 * time.Second
				watch.Reset(stall)
			}
		}
	}
loop:
	for {
		select {
		case ev := <-events:
			handle(ev)
		case <-tick.C:
		case waitErr = <-exited:
			break loop
		case <-watch.C:
			if !killed {
				killed = true
				switch {
				case res.Done:
					kill("no power-off after the guest was done")
				case res.Started:
					kill(fmt.Sprintf("hung: no heartbeat from the guest for %v", stall))
				default:
					kill(fmt.Sprintf("the kernel did not start ringbench as PID 1 within %v", c.StartTimeout))
				}
			}
		case <-overall.C:
			if !killed {
				killed = true
				kill(fmt.Sprintf("timed out after %v", c.Timeout))
			}
		case <-ctx.Done():
			if !killed {
				killed = true
				kill("interrupted")
			}
		}
		if stderr.contains("KVM internal error") && !killed {
			killed = true
			kill("qemu: KVM internal error (qemu paused the guest)")
		}
	}
	// The console was read to its end before qemu was waited for: what is
	// left in events happened before qemu exited.
	for len(events) > 0 {
		handle(<-events)
	}
	res.TotalS = time.Since(t0).Seconds()
	res.QemuStderr = strings.TrimSpace(stderr.String())
	res.Tail = cons.tail()
	res.Files = cons.files
	if res.Failure == "" && waitErr != nil {
		res.Failure = fmt.Sprintf("qemu: %v", waitErr)
		if res.QemuStderr != "" {
			res.Failure += ": " + lastLine([]byte(res.QemuStderr))
		}
	}
	if res.Failure == "" && !res.Done {
		res.Failure = "the guest powered off without finishing"
	}
	return res
}

// lockedBuffer is qemu's stderr, read while qemu writes it.
type lockedBuffer struct {
	syncWriter
	b bytes.Buffer
}

func newLockedBuffer() *lockedBuffer {
	l := &lockedBuffer{}
	l.w = &l.b
	return l
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) contains(s string) bool { return strings.Contains(l.String(), s) }

// consoleParser follows the serial console: it copies it to a log, keeps
// its last lines, reports the guest's markers and collects the files the
// guest copies onto it.
type consoleParser struct {
	last  []string
	files map[string][]byte
}

const tailLines = 40

func (p *consoleParser) parse(r io.Reader, log, progress io.Writer, events chan<- consoleEvent) {
	p.files = map[string][]byte{}
	// Boot reads events until qemu has exited, which is after this
	// returns: sending cannot block for good.
	send := func(e consoleEvent) { events <- e }
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	var fileName string
	var fileSize int
	var b64 strings.Builder
	for s.Scan() {
		line := strings.TrimRight(s.Text(), "\r")
		if log != nil {
			fmt.Fprintln(log, line)
		}
		switch {
		case fileName != "":
			if rest, ok := strings.CutPrefix(line, MarkFileEnd+" "); ok && rest == fileName {
				if b, err := base64.StdEncoding.DecodeString(b64.String()); err == nil && len(b) == fileSize {
					p.files[fileName] = b
				}
				fileName = ""
				continue
			}
			if isBase64Line(line) {
				b64.WriteString(line)
			}
			continue
		case strings.HasPrefix(line, MarkFileBegin+" "):
			f := strings.Fields(line)
			if len(f) == 3 {
				fileName, b64 = f[1], strings.Builder{}
				fileSize, _ = strconv.Atoi(f[2])
			}
			continue
		case strings.HasPrefix(line, MarkStderr):
			if progress != nil {
				fmt.Fprintln(progress, strings.TrimPrefix(line, MarkStderr))
			}
		case strings.Contains(line, MarkStart):
			send(evStart)
		case strings.Contains(line, MarkHeartbeat):
			send(evHeartbeat)
			continue
		case strings.Contains(line, MarkDone):
			send(evDone)
		case strings.Contains(line, "Kernel panic - not syncing"):
			send(evPanic)
		case strings.Contains(line, "soft lockup"), strings.Contains(line, "rcu_preempt detected stalls"),
			strings.Contains(line, "rcu: INFO: rcu_sched"), strings.Contains(line, "self-detected stall"):
			send(evLockup)
		}
		p.last = append(p.last, line)
		if len(p.last) > 4*tailLines {
			p.last = append([]string(nil), p.last[len(p.last)-tailLines:]...)
		}
	}
	// Drain: qemu's stdout may close while the pipe still has data.
	_, _ = io.Copy(io.Discard, r)
}

func isBase64Line(s string) bool {
	if s == "" || len(s) > 76 {
		return false
	}
	for _, c := range s {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

func (p *consoleParser) tail() []string {
	if len(p.last) > tailLines {
		return append([]string(nil), p.last[len(p.last)-tailLines:]...)
	}
	return append([]string(nil), p.last...)
}

// kvmUsable says whether /dev/kvm can be opened; whether KVM can really run
// a stock kernel is only found by booting one (nested KVMs may not).
func kvmUsable() error {
	f, err := os.OpenFile("/dev/kvm", os.O_RDWR, 0)
	if err != nil {
		return err
	}
	return f.Close()
}
