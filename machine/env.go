package machine

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"ringbench/internal/cpu"
	"ringbench/modes"
	"ringbench/readiness"
	"ringbench/schema"
)

// Commit and Dirty describe the ringbench source, set at build time by
// run.sh (-ldflags "-X ringbench/machine.Commit=… -X ringbench/machine.Dirty=…");
// empty falls back to the build's VCS stamp, then to asking git.
var Commit, Dirty string

// CaptureEnv reads the machine facts that do not depend on a run.
func CaptureEnv() schema.Env {
	var u unix.Utsname
	_ = unix.Uname(&u)
	online, _ := cpu.Online()
	host, _ := os.Hostname()
	e := schema.Env{
		Kernel:        unix.ByteSliceToString(u.Release[:]),
		KernelVersion: unix.ByteSliceToString(u.Version[:]),
		Arch:          runtime.GOARCH,
		CPUs:          runtime.NumCPU(),
		OnlineCPUs:    online,
		CPUModel:      cpuInfo("model name"),
		Hypervisor:    hypervisor(),
		BPFJIT:        readTrim("/proc/sys/net/core/bpf_jit_enable"),
		Go:            runtime.Version(),
		GOMAXPROCS:    runtime.GOMAXPROCS(0),
		Hostname:      host,
		Start:         time.Now().UTC().Format(time.RFC3339),
		CommandLine:   os.Args,
	}
	e.CiliumEBPF, e.Commit, e.Dirty = buildInfo()
	kc := ReadKernelConfig(e.Kernel)
	e.KernelConfig, e.Preempt, e.HZ, e.NoHZ, e.BPFJITAlways = kc.Source, kc.Preempt, kc.HZ, kc.NoHZ, kc.BPFJITAlwaysOn
	e.Lockdown, e.SMT, e.Governor, e.BootCmdline = Lockdown(), SMT(), Governor(), BootCmdline()
	e.Readiness = readiness.System(online)
	for _, m := range modes.Modes() {
		for _, w := range m.WaitsOrOne() {
			label := schema.ModeLabel(m.Name, w)
			e.Modes = append(e.Modes, label)
			if m.PollsWith(w) {
				e.PollingModes = append(e.PollingModes, label)
			}
			if m.GoTwin != nil {
				if e.ModeTwins == nil {
					e.ModeTwins = map[string]string{}
				}
				e.ModeTwins[label] = m.GoTwin(w)
			}
		}
	}
	return e
}

func buildInfo() (cilium, commit string, dirty *bool) {
	cilium, commit = "unknown", Commit
	if Dirty != "" {
		d := Dirty == "true"
		dirty = &d
	}
	bi, ok := debug.ReadBuildInfo()
	if ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/cilium/ebpf" {
				cilium = d.Version
			}
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && commit == "":
				commit = s.Value
			case s.Key == "vcs.modified" && dirty == nil:
				d := s.Value == "true"
				dirty = &d
			}
		}
	}
	if commit == "" && dirty == nil {
		// Built without VCS stamping (go run, -buildvcs=false): ask git
		// about the working directory, which is the checkout under run.sh.
		if out, err := exec.Command("git", "rev-parse", "HEAD").Output(); err == nil {
			commit = strings.TrimSpace(string(out))
			err := exec.Command("git", "diff", "--quiet", "HEAD").Run()
			d := err != nil
			dirty = &d
		}
	}
	if commit == "" {
		commit = "unknown"
	}
	return cilium, commit, dirty
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

func cpuInfo(key string) string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// hypervisor names the hypervisor if the CPU says it runs under one:
// /sys/hypervisor/type (Xen), the DMI vendor, or just "yes" from the
// cpuinfo hypervisor flag. "none" means bare metal as far as can be told.
func hypervisor() string {
	if h := cpu.Hypervisor(); h != "" {
		return h
	}
	if t := readTrim("/sys/hypervisor/type"); t != "unknown" && t != "" {
		return t
	}
	flags := " " + cpuInfo("flags") + " "
	if !strings.Contains(flags, " hypervisor ") {
		return "none"
	}
	for _, p := range []string{"/sys/class/dmi/id/sys_vendor", "/sys/class/dmi/id/product_name"} {
		if v := readTrim(p); v != "unknown" && v != "" {
			return v
		}
	}
	return "unknown (cpuinfo hypervisor flag set)"
}
