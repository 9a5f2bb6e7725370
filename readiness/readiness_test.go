package readiness

import (
	"io/fs"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"ringbench/schema"
)

// used are the CPUs the fixture's scenario uses, of 0-3 online.
var used = []int{2, 3}

const interruptsQuiet = `           CPU0       CPU1       CPU2       CPU3
  0:         36          0          0          0   IO-APIC   2-edge      timer
 30:       5120         17          0          0   PCI-MSI 524288-edge      nvme0q0
LOC:     912345     812345     712345     612345   Local timer interrupts
RES:        120        130        140        150   Rescheduling interrupts
ERR:          0
`

// perfBox is a machine set up the way a perf box should be: every check
// is ok on it for CPUs 2-3. Each test case changes one thing.
func perfBox() fstest.MapFS {
	f := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s + "\n")} }
	m := fstest.MapFS{
		"sys/devices/system/cpu/online":                 f("0-3"),
		"sys/devices/system/cpu/cpufreq/boost":          f("0"),
		"sys/devices/system/cpu/smt/control":            f("off"),
		"sys/devices/system/cpu/smt/active":             f("0"),
		"sys/devices/system/cpu/isolated":               f("2-3"),
		"sys/devices/system/cpu/nohz_full":              f("2-3"),
		"sys/devices/system/cpu/cpuidle/current_driver": f("intel_idle"),
		"sys/module/intel_idle/parameters/max_cstate":   f("9"),
		"proc/cmdline":                     f("BOOT_IMAGE=/vmlinuz isolcpus=domain,managed_irq,2-3 nohz_full=2-3 rcu_nocbs=2-3 -- single"),
		"proc/1/comm":                      f("systemd"),
		"proc/self/comm":                   f("irqbalance"), // not a pid: never a running process
		"proc/interrupts":                  f(interruptsQuiet),
		"proc/cpuinfo":                     f("processor\t: 0\nflags\t\t: fpu tsc constant_tsc nonstop_tsc\n"),
		"proc/sys/net/core/bpf_jit_enable": f("1"),
		"proc/sys/net/core/bpf_jit_harden": f("0"),
		"sys/devices/system/clocksource/clocksource0/current_clocksource":   f("tsc"),
		"sys/devices/system/clocksource/clocksource0/available_clocksource": f("tsc hpet acpi_pm"),
		"sys/kernel/mm/transparent_hugepage/enabled":                        f("always madvise [never]"),
	}
	for _, c := range []string{"2", "3"} {
		cpu := "sys/devices/system/cpu/cpu" + c + "/"
		m[cpu+"cpufreq/scaling_governor"] = f("performance")
		m[cpu+"topology/thread_siblings_list"] = f(c)
		for _, s := range []struct{ dir, name, latency, disable string }{
			{"state0", "POLL", "0", "0"}, {"state1", "C1", "2", "0"}, {"state2", "C6", "133", "1"},
		} {
			m[cpu+"cpuidle/"+s.dir+"/name"] = f(s.name)
			m[cpu+"cpuidle/"+s.dir+"/latency"] = f(s.latency)
			m[cpu+"cpuidle/"+s.dir+"/disable"] = f(s.disable)
		}
	}
	return m
}

// denied is a tree in which one path, and everything under it, cannot be
// opened, as a root-only file is for an unprivileged user.
type denied struct {
	fs.FS
	path string
}

func (d denied) Open(name string) (fs.File, error) {
	if name == d.path || strings.HasPrefix(name, d.path+"/") {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return d.FS.Open(name)
}

// remove deletes path and everything under it.
func remove(m fstest.MapFS, path string) {
	for k := range m {
		if k == path || strings.HasPrefix(k, path+"/") {
			delete(m, k)
		}
	}
}

func set(m fstest.MapFS, path, content string) {
	m[path] = &fstest.MapFile{Data: []byte(content + "\n")}
}

type checkCase struct {
	name   string
	change func(fstest.MapFS) // nil: the perf box as it is
	deny   string             // a path that cannot be read
	cpus   []int              // nil: used
	opts   []Option
	status schema.Status
	found  []string // substrings of Found
	fix    string   // substring of Fix; "" wants no fix
}

// runCases checks the changed perf box and compares the named check's finding.
func runCases(t *testing.T, check string, cases []checkCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(check+"/"+tc.name, func(t *testing.T) {
			m := perfBox()
			if tc.change != nil {
				tc.change(m)
			}
			var root fs.FS = m
			if tc.deny != "" {
				root = denied{m, tc.deny}
			}
			cpus := tc.cpus
			if cpus == nil {
				cpus = used
			}
			f := find(t, Check(root, cpus, tc.opts...), check)
			if f.Status != tc.status {
				t.Errorf("status %s, want %s: %+v", f.Status, tc.status, f)
			}
			for _, s := range tc.found {
				if !strings.Contains(f.Found, s) {
					t.Errorf("found %q lacks %q", f.Found, s)
				}
			}
			switch {
			case tc.fix == "" && f.Fix != "":
				t.Errorf("fix %q, want none", f.Fix)
			case !strings.Contains(f.Fix, tc.fix):
				t.Errorf("fix %q lacks %q", f.Fix, tc.fix)
			}
		})
	}
}

func find(t *testing.T, fs []schema.Finding, check string) schema.Finding {
	t.Helper()
	for _, f := range fs {
		if f.Check == check {
			return f
		}
	}
	t.Fatalf("no %s finding in %+v", check, fs)
	return schema.Finding{}
}

func TestPerfBoxIsReady(t *testing.T) {
	var names []string
	for _, f := range Check(perfBox(), used) {
		names = append(names, f.Check)
		if f.Status != schema.ReadinessOK || f.Fix != "" || f.Found == "" {
			t.Errorf("%s on the perf box: %+v", f.Check, f)
		}
	}
	want := []string{"governor", "boost", "smt", "isolation", "irqs", "clocksource", "thp", "cstates", "bpf_jit", "hypervisor"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("checks %v, want %v", names, want)
	}
}

// An empty tree is a machine that exposes nothing: no check may call that
// fine, except where absence means the feature is off.
func TestEmptyTreeIsUnknown(t *testing.T) {
	for _, f := range Check(fstest.MapFS{}, used) {
		want := schema.ReadinessUnknown
		if f.Check == "thp" {
			want = schema.ReadinessOK // a kernel without THP
		}
		if f.Status != want {
			t.Errorf("%s on an empty tree: %+v, want %s", f.Check, f, want)
		}
	}
}

// Without a CPU list the per-CPU checks cannot tell; the others still run.
func TestNoCPUs(t *testing.T) {
	perCPU := map[string]bool{"governor": true, "smt": true, "isolation": true, "irqs": true, "cstates": true}
	for _, f := range Check(perfBox(), nil) {
		if want := map[bool]schema.Status{true: schema.ReadinessUnknown, false: schema.ReadinessOK}[perCPU[f.Check]]; f.Status != want {
			t.Errorf("%s without CPUs: %+v, want %s", f.Check, f, want)
		}
	}
}

func TestGovernor(t *testing.T) {
	const gov = "sys/devices/system/cpu/cpu3/cpufreq/scaling_governor"
	runCases(t, "governor", []checkCase{
		{name: "performance", status: schema.ReadinessOK, found: []string{"performance on cpu2-3"}},
		{name: "powersave", change: func(m fstest.MapFS) { set(m, gov, "powersave") }, status: schema.ReadinessWarn,
			found: []string{"performance on cpu2", "powersave on cpu3"}, fix: "cpupower -c 3 frequency-set -g performance"},
		{name: "absent", change: func(m fstest.MapFS) {
			remove(m, "sys/devices/system/cpu/cpu2/cpufreq")
			remove(m, "sys/devices/system/cpu/cpu3/cpufreq")
		}, status: schema.ReadinessUnknown, found: []string{"no cpufreq in sysfs for cpu2-3", "hypervisor or firmware"}},
		{name: "absent on one", change: func(m fstest.MapFS) { remove(m, "sys/devices/system/cpu/cpu3/cpufreq") },
			status: schema.ReadinessUnknown, found: []string{"no cpufreq for cpu3"}},
		{name: "unreadable", deny: gov, status: schema.ReadinessUnknown, found: []string{"/" + gov, "permission denied"}},
	})
}

func TestBoost(t *testing.T) {
	const boost, noTurbo = "sys/devices/system/cpu/cpufreq/boost", "sys/devices/system/cpu/intel_pstate/no_turbo"
	intel := func(v string) func(fstest.MapFS) {
		return func(m fstest.MapFS) { delete(m, boost); set(m, noTurbo, v) }
	}
	runCases(t, "boost", []checkCase{
		{name: "off", status: schema.ReadinessOK, found: []string{"boost 0"}},
		{name: "on", change: func(m fstest.MapFS) { set(m, boost, "1") }, status: schema.ReadinessWarn,
			found: []string{"boost 1"}, fix: "echo 0 > /" + boost},
		{name: "intel turbo on", change: intel("0"), status: schema.ReadinessWarn, found: []string{"no_turbo 0"}, fix: "echo 1 > /" + noTurbo},
		{name: "intel turbo off", change: intel("1"), status: schema.ReadinessOK, found: []string{"no_turbo 1"}},
		{name: "absent", change: func(m fstest.MapFS) { delete(m, boost) }, status: schema.ReadinessUnknown, found: []string{"no cpufreq/boost"}},
		{name: "unreadable", deny: boost, status: schema.ReadinessUnknown, found: []string{"permission denied"}},
		{name: "intel unreadable", change: intel("0"), deny: noTurbo, status: schema.ReadinessUnknown, found: []string{"/" + noTurbo, "permission denied"}},
	})
}

func TestSMT(t *testing.T) {
	const control, siblings = "sys/devices/system/cpu/smt/control", "sys/devices/system/cpu/cpu2/topology/thread_siblings_list"
	shared := func(m fstest.MapFS) { set(m, control, "on"); set(m, siblings, "0,2") }
	runCases(t, "smt", []checkCase{
		{name: "no sibling", status: schema.ReadinessOK, found: []string{"no used CPU", "smt control off"}},
		{name: "online sibling", change: shared, status: schema.ReadinessWarn, found: []string{"cpu2 with cpu0"}, fix: "echo off > /" + control},
		{name: "sibling offline", change: func(m fstest.MapFS) { set(m, control, "on"); set(m, siblings, "2,6") }, status: schema.ReadinessOK},
		{name: "no control file", change: func(m fstest.MapFS) { shared(m); delete(m, control) }, status: schema.ReadinessWarn,
			found: []string{"cpu2 with cpu0"}, fix: "echo 0 | tee /sys/devices/system/cpu/cpu0/online"},
		{name: "absent", change: func(m fstest.MapFS) { delete(m, control); delete(m, siblings) }, status: schema.ReadinessUnknown,
			found: []string{"no /" + siblings}},
		{name: "absent but smt off", change: func(m fstest.MapFS) { delete(m, siblings) }, status: schema.ReadinessOK},
		{name: "unreadable", change: shared, deny: siblings, status: schema.ReadinessUnknown, found: []string{"permission denied"}},
	})
}

func TestIsolation(t *testing.T) {
	const isolated, nohz = "sys/devices/system/cpu/isolated", "sys/devices/system/cpu/nohz_full"
	plain := func(m fstest.MapFS) {
		set(m, "proc/cmdline", "BOOT_IMAGE=/vmlinuz quiet -- isolcpus=2-3")
		set(m, isolated, "")
		set(m, nohz, "(null)")
	}
	runCases(t, "isolation", []checkCase{
		{name: "isolated", status: schema.ReadinessOK, found: []string{"isolcpus 2-3", "nohz_full 2-3", "rcu_nocbs 2-3"}},
		{name: "not isolated", change: plain, status: schema.ReadinessWarn, found: []string{"isolcpus none", "nohz_full none"},
			fix: "boot with isolcpus=2-3 nohz_full=2-3 rcu_nocbs=2-3 (kernel command line)"},
		{name: "every CPU used", change: plain, cpus: []int{0, 1, 2, 3}, status: schema.ReadinessWarn,
			found: []string{"keep cpu0 for housekeeping"}, fix: "isolcpus=1-3 nohz_full=1-3"},
		{name: "sysfs wins over cmdline", change: func(m fstest.MapFS) { set(m, isolated, "3") }, status: schema.ReadinessWarn,
			found: []string{"isolcpus 3,"}, fix: "isolcpus=2-3"},
		{name: "cmdline when no sysfs", change: func(m fstest.MapFS) { delete(m, isolated); delete(m, nohz) }, status: schema.ReadinessOK},
		{name: "nohz_full offloads rcu", change: func(m fstest.MapFS) {
			set(m, "proc/cmdline", "isolcpus=2-3 nohz_full=2-3")
		}, status: schema.ReadinessOK},
		{name: "absent", change: func(m fstest.MapFS) { delete(m, "proc/cmdline") }, status: schema.ReadinessUnknown, found: []string{"no /proc/cmdline"}},
		{name: "unreadable", deny: isolated, status: schema.ReadinessUnknown, found: []string{"/" + isolated, "permission denied"}},
		{name: "unparsable", change: func(m fstest.MapFS) { set(m, nohz, "2-x") }, status: schema.ReadinessUnknown, found: []string{"not a CPU list"}},
	})
}

func TestIRQs(t *testing.T) {
	onUsed := func(m fstest.MapFS) {
		set(m, "proc/interrupts", strings.Replace(interruptsQuiet, "5120         17          0          0", "5120         17          0        900", 1))
	}
	runCases(t, "irqs", []checkCase{
		{name: "quiet", status: schema.ReadinessOK, found: []string{"irqbalance not running", "no device IRQ fired on cpu2-3"}},
		{name: "irqbalance", change: func(m fstest.MapFS) { set(m, "proc/812/comm", "irqbalance") }, status: schema.ReadinessWarn,
			found: []string{"irqbalance running (pid 812)"}, fix: "systemctl stop irqbalance"},
		{name: "IRQ on a used CPU", change: onUsed, status: schema.ReadinessWarn, found: []string{"1 device IRQs fired on cpu2-3", "30 nvme0q0 (900)"},
			fix: "for i in 30; do echo 3 > /proc/irq/$i/smp_affinity; done"},
		{name: "every CPU used", change: onUsed, cpus: []int{0, 1, 2, 3}, status: schema.ReadinessWarn,
			found: []string{"2 device IRQs", "30 nvme0q0 (6037), 0 timer (36)", "no CPU to move them to"}},
		{name: "absent", change: func(m fstest.MapFS) { delete(m, "proc/interrupts") }, status: schema.ReadinessUnknown, found: []string{"no /proc/interrupts"}},
		{name: "unreadable", deny: "proc/interrupts", status: schema.ReadinessUnknown, found: []string{"permission denied"}},
		{name: "proc unlistable", deny: "proc", status: schema.ReadinessUnknown, found: []string{"cannot read /proc: permission denied"}},
	})
}

func TestClocksource(t *testing.T) {
	const dir = "sys/devices/system/clocksource/clocksource0/"
	kvm := func(avail string) func(fstest.MapFS) {
		return func(m fstest.MapFS) {
			set(m, dir+"current_clocksource", "kvm-clock")
			set(m, dir+"available_clocksource", avail)
		}
	}
	runCases(t, "clocksource", []checkCase{
		{name: "tsc", status: schema.ReadinessOK, found: []string{"tsc (available: tsc hpet acpi_pm)"}},
		{name: "tsc available", change: kvm("kvm-clock tsc"), status: schema.ReadinessWarn, found: []string{"kvm-clock"},
			fix: "echo tsc > /" + dir + "current_clocksource"},
		{name: "tsc not available", change: kvm("kvm-clock acpi_pm"), status: schema.ReadinessWarn, found: []string{"tsc is not available"}},
		{name: "absent", change: func(m fstest.MapFS) { remove(m, "sys/devices/system/clocksource") }, status: schema.ReadinessUnknown},
		{name: "unreadable", deny: dir + "current_clocksource", status: schema.ReadinessUnknown, found: []string{"permission denied"}},
	})
}

func TestTHP(t *testing.T) {
	const path = "sys/kernel/mm/transparent_hugepage/enabled"
	runCases(t, "thp", []checkCase{
		{name: "never", status: schema.ReadinessOK, found: []string{"[never]"}},
		{name: "madvise", change: func(m fstest.MapFS) { set(m, path, "always [madvise] never") }, status: schema.ReadinessOK},
		{name: "always", change: func(m fstest.MapFS) { set(m, path, "[always] madvise never") }, status: schema.ReadinessWarn,
			found: []string{"[always]"}, fix: "echo madvise > /" + path},
		{name: "absent", change: func(m fstest.MapFS) { delete(m, path) }, status: schema.ReadinessOK, found: []string{"no transparent hugepages"}},
		{name: "unreadable", deny: path, status: schema.ReadinessUnknown, found: []string{"permission denied"}},
	})
}

func TestCStates(t *testing.T) {
	const c6 = "sys/devices/system/cpu/cpu3/cpuidle/state2/disable"
	bare := func(m fstest.MapFS) {
		remove(m, "sys/devices/system/cpu/cpu2/cpuidle")
		remove(m, "sys/devices/system/cpu/cpu3/cpuidle")
		set(m, "sys/devices/system/cpu/cpuidle/current_driver", "none")
	}
	runCases(t, "cstates", []checkCase{
		{name: "shallow only", status: schema.ReadinessOK, found: []string{"no enabled C-state exits slower than 10 µs", "intel_idle.max_cstate 9"}},
		{name: "C6 enabled", change: func(m fstest.MapFS) { set(m, c6, "0") }, status: schema.ReadinessWarn,
			found: []string{"C6 (exit 133 µs) on cpu3"}, fix: "cpupower -c 2-3 idle-set -D 11"},
		{name: "absent", change: bare, status: schema.ReadinessUnknown, found: []string{"no cpuidle directory for cpu2-3 (cpuidle driver: none)"}},
		{name: "idle=poll", change: func(m fstest.MapFS) { bare(m); set(m, "proc/cmdline", "idle=poll") }, status: schema.ReadinessOK, found: []string{"idle=poll"}},
		{name: "processor.max_cstate noted", change: func(m fstest.MapFS) {
			set(m, c6, "0")
			set(m, "proc/cmdline", "processor.max_cstate=1")
		}, status: schema.ReadinessWarn, found: []string{"processor.max_cstate=1"}, fix: "idle-set"},
		{name: "unreadable", deny: c6, status: schema.ReadinessUnknown, found: []string{"/" + c6, "permission denied"}},
		{name: "directory unreadable", deny: "sys/devices/system/cpu/cpu2/cpuidle", status: schema.ReadinessUnknown, found: []string{"permission denied"}},
	})
}

func TestBPFJIT(t *testing.T) {
	const enable, harden = "proc/sys/net/core/bpf_jit_enable", "proc/sys/net/core/bpf_jit_harden"
	runCases(t, "bpf_jit", []checkCase{
		{name: "on", status: schema.ReadinessOK, found: []string{"bpf_jit_enable 1, bpf_jit_harden 0"}},
		{name: "off", change: func(m fstest.MapFS) { set(m, enable, "0") }, status: schema.ReadinessWarn,
			found: []string{"interpreter"}, fix: "sysctl -w net.core.bpf_jit_enable=1"},
		{name: "debug", change: func(m fstest.MapFS) { set(m, enable, "2") }, status: schema.ReadinessWarn,
			found: []string{"debug"}, fix: "sysctl -w net.core.bpf_jit_enable=1"},
		{name: "hardened", change: func(m fstest.MapFS) { set(m, harden, "2") }, status: schema.ReadinessWarn,
			found: []string{"bpf_jit_harden 2 (constant blinding for every program)"}, fix: "sysctl -w net.core.bpf_jit_harden=0"},
		{name: "no harden knob", change: func(m fstest.MapFS) { delete(m, harden) }, status: schema.ReadinessOK},
		{name: "absent", change: func(m fstest.MapFS) { delete(m, enable) }, status: schema.ReadinessUnknown, found: []string{"no /" + enable}},
		{name: "unreadable", deny: enable, status: schema.ReadinessUnknown, found: []string{"permission denied"}},
	})
}

func TestHypervisor(t *testing.T) {
	// No command fixes it: the advice is in what was found, not a fix.
	const advice = "run on bare metal"
	flagged := func(m fstest.MapFS) {
		set(m, "proc/cpuinfo", "flags\t\t: fpu tsc hypervisor\n")
		set(m, "sys/class/dmi/id/sys_vendor", "QEMU")
	}
	runCases(t, "hypervisor", []checkCase{
		{name: "no flag", status: schema.ReadinessOK, found: []string{"no hypervisor flag"}},
		{name: "CPUID says none", opts: []Option{CPUID("none")}, status: schema.ReadinessOK, found: []string{"none (CPUID)"}},
		{name: "CPUID says KVM", opts: []Option{CPUID("KVM")}, status: schema.ReadinessWarn, found: []string{"KVM (CPUID)", advice}},
		{name: "cpuinfo flag", change: flagged, status: schema.ReadinessWarn, found: []string{"cpuinfo hypervisor flag", "DMI vendor QEMU", advice}},
		{name: "xen", change: func(m fstest.MapFS) { set(m, "sys/hypervisor/type", "xen") }, status: schema.ReadinessWarn, found: []string{"xen", advice}},
		{name: "no flags line", change: func(m fstest.MapFS) { set(m, "proc/cpuinfo", "processor\t: 0\nFeatures\t: fp asimd\n") },
			status: schema.ReadinessUnknown, found: []string{"no x86 flags line"}},
		{name: "absent", change: func(m fstest.MapFS) { delete(m, "proc/cpuinfo") }, status: schema.ReadinessUnknown, found: []string{"no /proc/cpuinfo"}},
		{name: "unreadable", deny: "proc/cpuinfo", status: schema.ReadinessUnknown, found: []string{"permission denied"}},
		{name: "unreadable but CPUID", deny: "proc/cpuinfo", opts: []Option{CPUID("Hyper-V")}, status: schema.ReadinessWarn, found: []string{"Hyper-V", advice}},
	})
}

func TestAffinityMask(t *testing.T) {
	for want, cpus := range map[string][]int{"3": {0, 1}, "c": {2, 3}, "2,00000001": {0, 33}, "80000000": {31}} {
		if got := affinityMask(cpus); got != want {
			t.Errorf("affinityMask(%v) = %q, want %q", cpus, got, want)
		}
	}
}

func TestParamLastWins(t *testing.T) {
	words := []string{"isolcpus=1", "quiet", "isolcpus=2-3"}
	if v, ok := param(words, "isolcpus"); !ok || v != "2-3" {
		t.Errorf("param = %q, %v", v, ok)
	}
	if _, ok := param(words, "nohz_full"); ok {
		t.Error("absent parameter found")
	}
}
