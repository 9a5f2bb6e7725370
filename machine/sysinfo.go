package machine

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
)

// KernelConfig is what ringbench reports from the kernel's build configuration.
type KernelConfig struct {
	Source         string // "/proc/config.gz", "/boot/config-<release>", or "" when none was found
	Preempt        string // preemption model, see PreemptModel
	HZ             int    // CONFIG_HZ; 0 if unknown
	NoHZ           string // "full", "idle", "periodic" or "" (from CONFIG_NO_HZ_FULL / CONFIG_NO_HZ_IDLE / CONFIG_HZ_PERIODIC)
	BPFJITAlwaysOn bool   // CONFIG_BPF_JIT_ALWAYS_ON=y
}

// preemptDebugfsPath is where a PREEMPT_DYNAMIC kernel shows the model
// chosen at boot (preempt=) or since; readable only by root with debugfs
// mounted.
const preemptDebugfsPath = "/sys/kernel/debug/sched/preempt"

// ReadKernelConfig reads /proc/config.gz (gzip) or else /boot/config-<release>.
func ReadKernelConfig(release string) KernelConfig {
	boot := ""
	if release != "" {
		boot = "/boot/config-" + release
	}
	cfg, src := loadKernelConfig("/proc/config.gz", boot)
	b, _ := os.ReadFile(preemptDebugfsPath)
	return kernelConfig(cfg, src, string(b))
}

// readKernelConfigFrom is the testable core: paths given explicitly. It does
// not look at debugfs, so the preemption model is the build's.
func readKernelConfigFrom(procGz, bootPath string) KernelConfig {
	cfg, src := loadKernelConfig(procGz, bootPath)
	return kernelConfig(cfg, src, "")
}

// loadKernelConfig returns the first configuration that parses, and its path.
// A present but corrupt /proc/config.gz falls through to the boot file rather
// than leaving the result without any configuration.
func loadKernelConfig(procGz, bootPath string) (map[string]string, string) {
	if procGz != "" {
		if cfg, err := parseConfigFile(procGz, true); err == nil {
			return cfg, procGz
		}
	}
	if bootPath != "" {
		if cfg, err := parseConfigFile(bootPath, false); err == nil {
			return cfg, bootPath
		}
	}
	return nil, ""
}

func parseConfigFile(path string, gz bool) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if gz {
		z, err := gzip.NewReader(f)
		if err != nil {
			return nil, err
		}
		defer z.Close()
		r = z
	}
	return ParseKernelConfig(r)
}

func kernelConfig(cfg map[string]string, src, debugfs string) KernelConfig {
	kc := KernelConfig{Source: src, Preempt: PreemptModel(cfg, debugfs)}
	kc.HZ, _ = strconv.Atoi(cfg["CONFIG_HZ"])
	switch {
	case cfg["CONFIG_NO_HZ_FULL"] == "y":
		kc.NoHZ = "full"
	case cfg["CONFIG_NO_HZ_IDLE"] == "y":
		kc.NoHZ = "idle"
	case cfg["CONFIG_HZ_PERIODIC"] == "y":
		kc.NoHZ = "periodic"
	}
	kc.BPFJITAlwaysOn = cfg["CONFIG_BPF_JIT_ALWAYS_ON"] == "y"
	return kc
}

// ParseKernelConfig parses "CONFIG_X=value" lines and "# CONFIG_X is not set"
// (value "n"); quotes around string values are removed.
func ParseKernelConfig(r io.Reader) (map[string]string, error) {
	cfg := make(map[string]string)
	s := bufio.NewScanner(r)
	// String options (CONFIG_CMDLINE, CONFIG_INITRAMFS_SOURCE) can be long.
	s.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if name, ok := strings.CutPrefix(line, "# "); ok {
			if name, ok := strings.CutSuffix(name, " is not set"); ok && strings.HasPrefix(name, "CONFIG_") {
				cfg[name] = "n"
			}
			continue
		}
		name, val, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		if !ok || !strings.HasPrefix(name, "CONFIG_") {
			continue
		}
		cfg[name] = unquoteConfig(strings.TrimSpace(val))
	}
	return cfg, s.Err()
}

// unquoteConfig undoes Kconfig's string quoting, which only escapes '"' and
// '\' with a backslash (so strconv.Unquote's Go rules would not fit).
func unquoteConfig(v string) string {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return v
	}
	v = v[1 : len(v)-1]
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// PreemptModel names the preemption model: "none", "voluntary", "full",
// "lazy", "rt"; with CONFIG_PREEMPT_DYNAMIC=y it is "dynamic (<model>)", the
// model being the current choice shown in debugfsPreempt (the word in
// parentheses, "none voluntary (full) lazy" → full) or else the build
// default. Since 6.13 PREEMPT_RT is no longer part of the model choice and
// combines with it (full or lazy, possibly dynamic): RT is then reported
// first, "rt, dynamic (lazy)", and plain "rt" for the classic full RT.
func PreemptModel(cfg map[string]string, debugfsPreempt string) string {
	model := ""
	switch {
	case cfg["CONFIG_PREEMPT_LAZY"] == "y":
		model = "lazy"
	case cfg["CONFIG_PREEMPT"] == "y":
		model = "full"
	case cfg["CONFIG_PREEMPT_VOLUNTARY"] == "y":
		model = "voluntary"
	case cfg["CONFIG_PREEMPT_NONE"] == "y":
		model = "none"
	}
	// The debugfs file exists only on PREEMPT_DYNAMIC kernels, so a choice
	// there proves dynamic even when no configuration was found.
	cur := bracketed(debugfsPreempt, "(", ")")
	if cfg["CONFIG_PREEMPT_DYNAMIC"] == "y" || cur != "" {
		if cur != "" {
			model = cur
		}
		if model == "" {
			model = "unknown"
		}
		model = "dynamic (" + model + ")"
	}
	if cfg["CONFIG_PREEMPT_RT"] == "y" {
		if model == "" || model == "full" {
			return "rt"
		}
		return "rt, " + model
	}
	if model == "" {
		return "unknown"
	}
	return model
}

// bracketed returns the word between left and right in s, or "".
func bracketed(s, left, right string) string {
	_, rest, ok := strings.Cut(s, left)
	if !ok {
		return ""
	}
	word, _, ok := strings.Cut(rest, right)
	if !ok {
		return ""
	}
	return strings.TrimSpace(word)
}

// SMT reports /sys/devices/system/cpu/smt/active ("1"/"0") as "on" / "off",
// or "unknown".
func SMT() string {
	switch readTrim("/sys/devices/system/cpu/smt/active") {
	case "1":
		return "on"
	case "0":
		return "off"
	}
	return "unknown"
}

// Governor is cpu0's cpufreq scaling governor, or "none (no cpufreq)" when
// the kernel exposes no cpufreq for it (typical in VMs), which is different
// from not being allowed to read it.
func Governor() string {
	const dir = "/sys/devices/system/cpu/cpu0/cpufreq"
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		return "none (no cpufreq)"
	}
	b, err := os.ReadFile(dir + "/scaling_governor")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// BootCmdline is /proc/cmdline trimmed, or "unknown".
func BootCmdline() string { return readTrim("/proc/cmdline") }

// Lockdown is the kernel lockdown mode: the bracketed word of
// /sys/kernel/security/lockdown; without securityfs, the lockdown= boot
// parameter ("integrity (from cmdline)"); else "unknown (securityfs not
// mounted)". Lockdown decides whether BPF may read kernel memory
// (confidentiality forbids bpf_probe_read_kernel).
func Lockdown() string {
	if b, err := os.ReadFile("/sys/kernel/security/lockdown"); err == nil {
		if m := parseLockdown(string(b)); m != "" {
			return m
		}
	}
	if m := cmdlineLockdown(BootCmdline()); m != "" {
		return m + " (from cmdline)"
	}
	return "unknown (securityfs not mounted)"
}

// parseLockdown returns the bracketed (active) word of the securityfs
// lockdown file: "[none] integrity confidentiality" → "none"; "" if none is.
func parseLockdown(s string) string {
	return bracketed(s, "[", "]")
}

// cmdlineLockdown returns the lockdown= level asked for on the kernel command
// line, or "". Words after "--" go to init, not the kernel. The kernel only
// ever raises the level, so when repeated the strongest wins.
func cmdlineLockdown(cmdline string) string {
	level := ""
	for _, w := range strings.Fields(cmdline) {
		if w == "--" {
			break
		}
		v, ok := strings.CutPrefix(w, "lockdown=")
		if !ok {
			continue
		}
		switch v {
		case "confidentiality":
			level = v
		case "integrity":
			if level == "" {
				level = v
			}
		}
	}
	return level
}
