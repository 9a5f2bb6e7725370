package vm

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"ringbench/internal/format"
	"ringbench/machine"
	"ringbench/schema"
)

// guestConfig is /ringbench/guest.json: what the guest's PID 1 runs.
type guestConfig struct {
	Args    []string `json:"args"`    // the ringbench subcommand and its flags (paths inside the guest)
	Accel   string   `json:"accel"`   // tcg or kvm, as booted
	Release string   `json:"release"` // the kernel release the host expects
	// Heartbeat is how often the guest prints a heartbeat line, so that the
	// host can tell a hung guest from a quiet one.
	HeartbeatS int `json:"heartbeat_s"`
}

// guestStatus is status.json, written by the guest when the subcommand is
// done (or could not run).
type guestStatus struct {
	Release  string   `json:"release"`
	Accel    string   `json:"accel"`
	Emulated bool     `json:"emulated"`
	Modules  []string `json:"modules"`            // loaded, in order
	Share    bool     `json:"share"`              // the 9p share was mounted
	Ran      bool     `json:"ran"`                // the subcommand was started
	ExitCode int      `json:"exit_code"`          // the subcommand's exit code
	Error    string   `json:"error,omitempty"`    // why it did not run, or its error line
	Seconds  float64  `json:"seconds"`            // the subcommand's wall time
	Uptime   float64  `json:"uptime_s"`           // guest uptime when it finished
	Problems []string `json:"problems,omitempty"` // what went wrong on the way (mounts, modules)
}

// Console markers: the host looks for these lines in the serial console.
const (
	MarkStart     = "ringbench-guest: start"
	MarkHeartbeat = "ringbench-guest: alive"
	MarkDone      = "ringbench-guest: done"
	MarkFileBegin = "ringbench-file-begin" // NAME SIZE, then base64 lines
	MarkFileEnd   = "ringbench-file-end"   // NAME
	MarkStderr    = "stderr| "             // begins each line the subcommand writes to stderr
)

// Files the guest writes in the share, besides the subcommand's own.
const (
	FileStatus = "status.json"
	FileEnv    = "env.json"
	FileStdout = "stdout.txt"
	FileStderr = "stderr.txt"
)

// The guest's two stages talk through these.
const (
	guestStageEnv    = "RINGBENCH_GUEST_STAGE"
	guestProblemsEnv = "RINGBENCH_GUEST_PROBLEMS"
)

// consoleLimit bounds what the guest copies onto the console: the small
// result files always, everything when the share did not work.
const consoleLimit = 8 << 20

// runFunc is the CLI's dispatcher: run(stdout, stderr, args).
type runFunc func(stdout, stderr io.Writer, args []string) error

// IsGuest says whether this process is PID 1 of a ringbench vm guest.
func IsGuest() bool {
	if os.Getpid() != 1 {
		return false
	}
	_, err := os.Stat(GuestConfigPath)
	return err == nil
}

// Guest is PID 1 of a VM booted by ringbench vm: it mounts the kernel's
// file systems, loads the 9p modules, mounts the share, runs the subcommand
// with its output going to the share (and to the console), copies the
// results onto the console too, and powers the VM off. It never returns.
func Guest(run runFunc, exitCode func(error, io.Writer) int) {
	start := time.Now()
	console := io.Writer(os.Stdout)
	say := func(format string, a ...any) { fmt.Fprintf(console, format+"\n", a...) }
	var st guestStatus
	problem := func(format string, a ...any) {
		st.Problems = append(st.Problems, fmt.Sprintf(format, a...))
		say("ringbench-guest: "+format, a...)
	}
	if os.Getenv(guestStageEnv) == "" {
		// Stage 1: mount, then exec ourselves again, because packages read
		// /proc and /sys in their init functions (cilium/ebpf's rlimit
		// probes memcg accounting there, through /proc/self/mountinfo),
		// before any code of ours runs.
		mountAll(problem)
		os.Setenv(guestStageEnv, "2")
		os.Setenv(guestProblemsEnv, strings.Join(st.Problems, "\n"))
		err := unix.Exec("/proc/self/exe", os.Args, os.Environ())
		problem("exec /proc/self/exe: %v (going on without it)", err)
	} else if p := os.Getenv(guestProblemsEnv); p != "" {
		st.Problems = strings.Split(p, "\n")
	}
	os.Unsetenv(guestStageEnv)
	os.Unsetenv(guestProblemsEnv)
	if f, err := os.OpenFile("/dev/console", os.O_WRONLY, 0); err == nil {
		console = f // unbuffered, and there even if the standard streams are not
	}
	_ = unix.Sethostname([]byte("ringbench-vm"))
	os.Setenv("PATH", "/:/bin:/sbin")
	os.Setenv("HOME", "/root")
	var u unix.Utsname
	_ = unix.Uname(&u)
	st.Release = unix.ByteSliceToString(u.Release[:])
	say("%s %s uptime=%.2fs", MarkStart, st.Release, uptime())

	var cfg guestConfig
	if b, err := os.ReadFile(GuestConfigPath); err != nil {
		problem("read %s: %v", GuestConfigPath, err)
	} else if err := json.Unmarshal(b, &cfg); err != nil {
		problem("%s: %v", GuestConfigPath, err)
	}
	st.Accel = cfg.Accel
	st.Emulated = cfg.Accel == "tcg"
	st.Modules = loadModules(problem)
	out := "/tmp/out"
	if err := mountShare(); err != nil {
		problem("mount 9p share %q: %v (results come back on the console only)", GuestShareTag, err)
	} else {
		st.Share = true
		out = GuestShare
	}
	_ = os.MkdirAll(out, 0o755)
	stopBeat, beatStopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(beatStopped)
		if cfg.HeartbeatS <= 0 {
			return
		}
		t := time.NewTicker(time.Duration(cfg.HeartbeatS) * time.Second)
		defer t.Stop()
		for {
			say("%s %.0fs", MarkHeartbeat, time.Since(start).Seconds())
			select {
			case <-t.C:
			case <-stopBeat:
				return
			}
		}
	}()

	env := machine.CaptureEnv()
	env.Emulated = st.Emulated
	_ = schema.WriteJSON(filepath.Join(out, FileEnv), env)
	switch {
	case len(cfg.Args) == 0:
		st.Error = "no subcommand in " + GuestConfigPath
	case !exists("/sys/kernel/btf/vmlinux"):
		st.Error = "no BTF: /sys/kernel/btf/vmlinux missing"
	default:
		st.Ran = true
		args := withOut(cfg.Args, out)
		say("ringbench-guest: running ringbench %s", strings.Join(args, " "))
		so, _ := os.Create(filepath.Join(out, FileStdout))
		se, _ := os.Create(filepath.Join(out, FileStderr))
		stdout := io.MultiWriter(console, orDiscard(so))
		stderr := io.MultiWriter(prefixWriter(console, MarkStderr), orDiscard(se))
		t0 := time.Now()
		err := run(stdout, stderr, args)
		st.Seconds = time.Since(t0).Seconds()
		st.ExitCode = exitCode(err, stderr)
		if err != nil {
			st.Error = format.OneLine(err)
		}
		closeSync(so)
		closeSync(se)
		if st.Emulated {
			markEmulated(out, problem)
		}
	}
	if st.Error != "" {
		say("ringbench-guest: %s", st.Error)
	}
	st.Uptime = uptime()
	_ = schema.WriteJSON(filepath.Join(out, FileStatus), st)
	unix.Sync()
	close(stopBeat) // no heartbeat in the middle of the copies
	<-beatStopped
	dumpFiles(console, out, !st.Share)
	say("%s exit=%d", MarkDone, st.ExitCode)
	if st.Share {
		_ = unix.Unmount(GuestShare, 0)
	}
	unix.Sync()
	_ = unix.Reboot(unix.LINUX_REBOOT_CMD_POWER_OFF)
	// Not reached unless power-off failed: PID 1 exiting panics the kernel,
	// which (panic=-1, qemu -no-reboot) ends the VM too.
	os.Exit(1)
}

func orDiscard(f *os.File) io.Writer {
	if f == nil {
		return io.Discard
	}
	return f
}

func closeSync(f *os.File) {
	if f != nil {
		_ = f.Sync()
		_ = f.Close()
	}
}

// mountAll mounts what ringbench needs of the kernel's file systems.
func mountAll(problem func(string, ...any)) {
	for _, m := range []struct {
		src, dst, fs string
		flags        uintptr
		must         bool
	}{
		{"proc", "/proc", "proc", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, true},
		{"sysfs", "/sys", "sysfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, true},
		{"devtmpfs", "/dev", "devtmpfs", unix.MS_NOSUID, true},
		{"tmpfs", "/tmp", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, true},
		{"tmpfs", "/run", "tmpfs", unix.MS_NOSUID | unix.MS_NODEV, false},
		{"bpf", "/sys/fs/bpf", "bpf", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, true},
		{"tracefs", "/sys/kernel/tracing", "tracefs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, true},
		{"debugfs", "/sys/kernel/debug", "debugfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
		{"securityfs", "/sys/kernel/security", "securityfs", unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC, false},
	} {
		_ = os.MkdirAll(m.dst, 0o755)
		if err := unix.Mount(m.src, m.dst, m.fs, m.flags, ""); err != nil && !errors.Is(err, unix.EBUSY) && m.must {
			problem("mount %s on %s: %v", m.fs, m.dst, err)
		}
	}
}

// loadModules loads /ringbench/modules/*.ko in name order with
// finit_module; a module that is already there (EEXIST) is fine.
func loadModules(problem func(string, ...any)) []string {
	ents, _ := os.ReadDir(GuestModules)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var loaded []string
	for _, n := range names {
		f, err := os.Open(filepath.Join(GuestModules, n))
		if err != nil {
			problem("open module %s: %v", n, err)
			continue
		}
		err = unix.FinitModule(int(f.Fd()), "", 0)
		f.Close()
		if err != nil && !errors.Is(err, unix.EEXIST) {
			problem("finit_module %s: %v", n, err)
			continue
		}
		loaded = append(loaded, strings.TrimSuffix(n, ".ko"))
	}
	return loaded
}

// mountShare mounts the host's 9p share, waiting a little for the virtio
// device to be probed after its driver was loaded.
func mountShare() error {
	var err error
	for i := 0; i < 50; i++ {
		err = unix.Mount(GuestShareTag, GuestShare, "9p", 0, "trans=virtio,version=9p2000.L,msize=262144")
		if err == nil || !(errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENODEV)) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// markEmulated sets env.emulated in the run.json files the subcommand
// wrote, since the run itself cannot know it ran under an emulator.
func markEmulated(out string, problem func(string, ...any)) {
	_ = filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != "run.json" {
			return nil
		}
		r, err := schema.ReadResult(p)
		if err != nil {
			problem("mark %s emulated: %v", p, err)
			return nil
		}
		r.Env.Emulated = true
		if err := schema.WriteJSON(p, r); err != nil {
			problem("mark %s emulated: %v", p, err)
		}
		return nil
	})
}

func uptime() float64 {
	var ts unix.Timespec
	if unix.ClockGettime(unix.CLOCK_BOOTTIME, &ts) != nil {
		return 0
	}
	return float64(ts.Nano()) / 1e9
}

// consoleFiles are copied onto the console whatever happened: they are
// small and are what the host's table is made of.
var consoleFiles = []string{FileStatus, FileEnv, "claims.json", FileStdout}

// dumpFiles writes files of dir onto the console as base64 between
// markers: the small result files always, every file (up to consoleLimit
// in all) when all is set.
func dumpFiles(console io.Writer, dir string, all bool) {
	var names []string
	if all {
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				rel, _ := filepath.Rel(dir, p)
				names = append(names, rel)
			}
			return nil
		})
	} else {
		names = consoleFiles
	}
	total := 0
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || total+len(b) > consoleLimit {
			continue
		}
		total += len(b)
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s %s %d\n", MarkFileBegin, n, len(b))
		enc := base64.StdEncoding.EncodeToString(b)
		for len(enc) > 0 {
			k := min(len(enc), 76)
			sb.WriteString(enc[:k])
			sb.WriteByte('\n')
			enc = enc[k:]
		}
		fmt.Fprintf(&sb, "%s %s\n", MarkFileEnd, n)
		_, _ = io.WriteString(console, sb.String())
	}
}

// prefixWriter prefixes each line written to w.
func prefixWriter(w io.Writer, prefix string) io.Writer {
	return &linePrefixer{w: w, prefix: prefix, bol: true}
}

type linePrefixer struct {
	w      io.Writer
	prefix string
	bol    bool
}

func (p *linePrefixer) Write(b []byte) (int, error) {
	out := make([]byte, 0, len(b)+len(p.prefix))
	for _, c := range b {
		if p.bol {
			out = append(out, p.prefix...)
			p.bol = false
		}
		out = append(out, c)
		p.bol = c == '\n'
	}
	_, err := p.w.Write(out)
	return len(b), err
}
