package vm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"ringbench/internal/format"
	"ringbench/machine"
	"ringbench/schema"
)

// booter runs the subcommand on one kernel, directly on the host's or in
// a guest booted under qemu (twice when the first boot fails), and fills in
// that kernel's KernelRun. Guests running side by side share it.
type booter struct {
	o       Options
	kvmDead string // why KVM did not work, once auto found out
}

// accel is the accelerator the next boot uses: --accel auto is KVM until
// a boot finds it does not work.
func (b *booter) accel() string {
	switch {
	case b.o.Accel != "auto":
		return b.o.Accel
	case b.kvmDead != "":
		return "tcg"
	}
	return "kvm"
}

// prepare resolves one spec to a kernel (downloading a Debian package),
// gives it its folder and checks that it can run ringbench at all.
func (b *booter) prepare(ctx context.Context, s Spec, kr *KernelRun, used map[string]bool) (Kernel, string, error) {
	o := b.o
	if s.Kind != KindHost {
		if _, err := exec.LookPath(qemuPath(o)); err != nil {
			return Kernel{}, "", fmt.Errorf("%s not found (apt-get install qemu-system-x86)", qemuPath(o))
		}
	}
	k, err := Resolve(ctx, s, o.Cache, o.Log)
	if err != nil {
		return Kernel{}, "", err
	}
	kr.Release, kr.Package = k.Release, k.Package
	dirName := k.Release
	for i := 2; used[dirName]; i++ {
		dirName = fmt.Sprintf("%s-%d", k.Release, i)
	}
	used[dirName] = true
	kr.Dir = filepath.Join("kernels", dirName)
	dir := filepath.Join(o.Out, kr.Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return Kernel{}, "", err
	}
	if err := Check(k); err != nil {
		return Kernel{}, "", err
	}
	return k, dir, nil
}

func qemuPath(o Options) string {
	if o.Qemu != "" {
		return o.Qemu
	}
	return qemuBinary
}

// host runs the subcommand on this machine, no VM.
func (b *booter) host(ctx context.Context, kr *KernelRun, dir string) {
	o := b.o
	fmt.Fprintf(o.Log, "vm: host (%s): running ringbench %s\n", kr.Release, strings.Join(o.Args, " "))
	kr.Accel, kr.Attempts = "none", 1
	abs, _ := filepath.Abs(dir)
	args := withOut(o.Args, abs)
	env := machine.CaptureEnv()
	_ = schema.WriteJSON(filepath.Join(dir, FileEnv), env)
	so, err := os.Create(filepath.Join(dir, FileStdout))
	if err != nil {
		kr.Error = format.OneLine(err)
		return
	}
	defer so.Close()
	se, err := os.Create(filepath.Join(dir, FileStderr))
	if err != nil {
		kr.Error = format.OneLine(err)
		return
	}
	defer se.Close()
	t0 := time.Now()
	bin := o.HostBinary
	if bin == "" {
		bin = o.Binary
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	// Interrupted, the subcommand gets SIGTERM so that it stops its own
	// children; SIGKILL only if it does not exit soon.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	cmd.Stdout, cmd.Stderr = so, io.MultiWriter(se, prefixWriter(o.Log, "  host| "))
	err = cmd.Run()
	kr.TotalS = time.Since(t0).Seconds()
	var ee *exec.ExitError
	switch {
	case err == nil:
		kr.OK = true
	case errors.As(err, &ee) && ee.ExitCode() > 0:
		kr.OK, kr.ExitCode = true, ee.ExitCode()
	default:
		kr.Error = format.OneLine(err)
	}
	if kr.OK && kr.ExitCode != 0 {
		kr.Error = fmt.Sprintf("ringbench %s exited %d: %s", o.Args[0], kr.ExitCode, lastLineOf(filepath.Join(dir, FileStderr)))
	}
}

// guest boots one kernel, a second time when the first boot hangs or
// crashes. With probe set (--accel auto, the run's first guest) it boots
// under KVM and gives up at once, returning false with b.kvmDead set,
// when KVM cannot bring the kernel to PID 1; the guest is then to be
// booted again under TCG.
func (b *booter) guest(ctx context.Context, k Kernel, kr *KernelRun, dir string, probe bool) bool {
	o := b.o
	base, mods, err := b.initramfs(k)
	if err != nil {
		kr.Error = format.OneLine(err)
		return true
	}
	kr.Modules = mods
	abs, _ := filepath.Abs(dir)
	for attempt := 1; attempt <= 2; attempt++ {
		accel := b.accel()
		res := b.boot(ctx, k, accel, base, abs, dir, attempt)
		if probe && accel == "kvm" && !res.Started && ctx.Err() == nil {
			why := res.Failure
			if res.QemuStderr != "" && !strings.Contains(why, lastLine([]byte(res.QemuStderr))) {
				why += ": " + lastLine([]byte(res.QemuStderr))
			}
			b.kvmDead = why
			fmt.Fprintf(o.Log, "vm: KVM cannot run %s here (%s): the guests run under TCG\n", k.Release, why)
			_ = os.Rename(filepath.Join(dir, "console.log"), filepath.Join(dir, "console-kvm.log"))
			return false
		}
		kr.Attempts = attempt
		kr.Accel, kr.Emulated = res.Accel, res.Accel == "tcg"
		if o.Accel == "auto" && res.Accel == "tcg" && b.kvmDead != "" {
			kr.AccelNote = "KVM was tried first and failed: " + b.kvmDead
		}
		kr.BootS, kr.TotalS = res.StartS, res.TotalS
		st := readStatus(dir, res.Files)
		kr.Status = st
		if st != nil {
			for _, p := range st.Problems {
				fmt.Fprintf(o.Log, "vm: %s (%s): in the guest: %s\n", k.Spec.Raw, k.Release, p)
			}
		}
		if res.Failure == "" && st != nil {
			kr.OK, kr.ExitCode, kr.Error, kr.ConsoleTail = st.Ran, st.ExitCode, "", nil
			if !st.Ran || st.ExitCode != 0 {
				kr.Error = st.Error
				if kr.Error == "" {
					kr.Error = fmt.Sprintf("ringbench %s exited %d", o.Args[0], st.ExitCode)
				}
			}
			return true
		}
		kr.OK, kr.Error = false, res.Failure
		if kr.Error == "" {
			kr.Error = "the guest left no status.json"
		}
		if res.SoftLockup {
			kr.Error += " (the kernel reported a soft lockup)"
		}
		kr.ConsoleTail = res.Tail
		if ctx.Err() != nil || (st != nil && !st.Ran) {
			return true
		}
		if attempt == 1 {
			kr.Retried = kr.Error
			fmt.Fprintf(o.Log, "vm: %s (%s): boot 1 failed: %s; booting again\n", k.Spec.Raw, k.Release, kr.Error)
			_ = os.Rename(filepath.Join(dir, "console.log"), filepath.Join(dir, "console-attempt1.log"))
			for _, f := range []string{FileStatus, FileStdout, FileStderr, "claims.json", "run.json"} {
				_ = os.Remove(filepath.Join(dir, f))
			}
		}
	}
	return true
}

// boot makes one boot.
func (b *booter) boot(ctx context.Context, k Kernel, accel string, base []byte, share, dir string, attempt int) bootResult {
	o := b.o
	initrd, err := writeInitrd(base, guestConfig{Args: argsFor(o.Args, accel), Accel: accel, Release: k.Release, HeartbeatS: 10})
	if err != nil {
		return bootResult{Accel: accel, Failure: format.OneLine(err)}
	}
	defer os.Remove(initrd)
	log, err := os.Create(filepath.Join(dir, "console.log"))
	if err != nil {
		return bootResult{Accel: accel, Failure: format.OneLine(err)}
	}
	defer log.Close()
	c := bootConfig{Qemu: qemuPath(o), Accel: accel, Image: k.Image, Initrd: initrd, Share: share,
		CPUs: o.CPUs, MemMB: o.MemMB, Console: log, TCGThread: o.TCGThread, Progress: prefixWriter(o.Log, "  "+k.Release+"| "),
		Timeout: o.Timeout, StartTimeout: 2 * time.Minute, Stall: 2 * time.Minute}
	if c.Timeout == 0 {
		c.Timeout = defaultTimeout(o.Args, accel)
	}
	if accel == "kvm" && o.Accel == "auto" {
		c.StartTimeout = 20 * time.Second // KVM boots in a second or two, when it works
	}
	fmt.Fprintf(o.Log, "vm: %s (%s): booting under %s (attempt %d, timeout %v)\n", k.Spec.Raw, k.Release, accel, attempt, c.Timeout)
	res := Boot(ctx, c)
	if res.Failure == "" {
		fmt.Fprintf(o.Log, "vm: %s (%s): PID 1 after %.1f s, powered off after %.1f s\n", k.Spec.Raw, k.Release, res.StartS, res.TotalS)
	}
	return res
}

// initramfs builds the kernel's base archive: the binary and the 9p
// modules this kernel needs (none when it has no modules folder: 9p must
// then be built in, or the results come back on the console).
func (b *booter) initramfs(k Kernel) ([]byte, []string, error) {
	var mods []Module
	if k.Modules != "" {
		tree, err := readModuleTree(k.Modules)
		if err != nil {
			return nil, nil, err
		}
		if mods, err = tree.Resolve(ninePModules, modinfoDepends); err != nil {
			return nil, nil, err
		}
	}
	files, err := guestFiles(b.o.Binary, mods)
	if err != nil {
		return nil, nil, err
	}
	if k.Config != "" {
		// Where machine.CaptureEnv looks for the preempt model, HZ and so on.
		files = append(files, File{Name: "boot/config-" + k.Release, Src: k.Config})
	}
	var buf bytes.Buffer
	if err := writeInitramfs(&buf, files); err != nil {
		return nil, nil, err
	}
	var names []string
	for _, m := range mods {
		names = append(names, m.Name)
	}
	return buf.Bytes(), names, nil
}

// writeInitrd writes base + the boot's configuration archive to a temp file.
func writeInitrd(base []byte, cfg guestConfig) (string, error) {
	tail, err := configArchive(cfg)
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp("", "ringbench-initramfs-*.cpio")
	if err != nil {
		return "", err
	}
	_, err1 := f.Write(base)
	_, err2 := f.Write(tail)
	err3 := f.Close()
	if err := errors.Join(err1, err2, err3); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func readStatus(dir string, console map[string][]byte) *guestStatus {
	restoreFromConsole(dir, console)
	b, err := os.ReadFile(filepath.Join(dir, FileStatus))
	if err != nil {
		return nil
	}
	var st guestStatus
	if json.Unmarshal(b, &st) != nil {
		return nil
	}
	return &st
}

// restoreFromConsole writes the files the guest copied onto the console
// where the share did not bring them back.
func restoreFromConsole(dir string, files map[string][]byte) {
	for name, data := range files {
		p := filepath.Join(dir, filepath.Clean("/"+name))
		if st, err := os.Stat(p); err == nil && st.Size() == int64(len(data)) {
			continue
		}
		_ = os.MkdirAll(filepath.Dir(p), 0o755)
		_ = os.WriteFile(p, data, 0o644)
	}
}

func lastLineOf(path string) string {
	b, err := os.ReadFile(path)
	if err != nil || len(strings.TrimSpace(string(b))) == 0 {
		return ""
	}
	return lastLine(b)
}
