package machine

import (
	"fmt"
	"os"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"

	"ringbench/bpf"
	"ringbench/internal/perfcount"
)

// ProbeResult is one capability of this machine. Blocks means ringbench
// cannot run at all without it; Detail says what was found or what to do.
type ProbeResult struct {
	Name   string
	OK     bool
	Blocks bool
	Detail string
}

// Probe asks the kernel what ringbench needs, each by trying it. It loads
// and unloads the producer once per attach method.
func Probe() []ProbeResult {
	env := CaptureEnv()
	var out []ProbeResult
	add := func(name string, ok, blocks bool, detail string) {
		out = append(out, ProbeResult{Name: name, OK: ok, Blocks: blocks && !ok, Detail: detail})
	}
	root := os.Geteuid() == 0
	add("privileges", root, true, map[bool]string{
		true:  "running as root",
		false: "not root: run with sudo (or grant CAP_BPF and CAP_PERFMON)",
	}[root])
	add("kernel", true, false, env.Kernel+" "+env.Arch+", "+fmt.Sprint(env.CPUs)+" CPUs, hypervisor "+env.Hypervisor)
	_, btfErr := os.Stat("/sys/kernel/btf/vmlinux")
	add("btf", btfErr == nil, false, orErr("/sys/kernel/btf/vmlinux present (needed for fentry and tp_btf)", btfErr))
	add("bpf_jit", env.BPFJIT == "1" || env.BPFJIT == "2", false, "net.core.bpf_jit_enable="+env.BPFJIT)
	add("lockdown", true, false, "lockdown "+env.Lockdown)
	add("kernel_config", env.KernelConfig != "", false, fmt.Sprintf("preempt %s, HZ %d, nohz %s (from %s)", env.Preempt, env.HZ, env.NoHZ, env.KernelConfig))
	if !root {
		return out
	}
	if err := rlimit.RemoveMemlock(); err != nil {
		add("memlock", false, true, "cannot raise RLIMIT_MEMLOCK: "+err.Error())
		return out
	}
	rbErr := features.HaveMapType(ebpf.RingBuf)
	add("ringbuf", rbErr == nil, false, orErr("BPF_MAP_TYPE_RINGBUF works (Linux ≥ 5.8)", rbErr))
	pfErr := features.HaveMapType(ebpf.PerfEventArray)
	add("perfbuf", pfErr == nil, false, orErr("BPF_MAP_TYPE_PERF_EVENT_ARRAY works", pfErr))
	if rbErr != nil && pfErr != nil {
		add("transport", false, true, "neither ringbuf nor perf event arrays can be created")
	}

	tr := bpf.Ringbuf
	if rbErr != nil {
		tr = bpf.Perfbuf
	}
	attached := false
	for _, m := range bpf.AttachOrder {
		p, err := bpf.Load(bpf.Options{Transport: tr, Wakeup: bpf.DefaultWakeup(tr), Batch: 1,
			Payload: bpf.EventHeaderSize, RingBytes: os.Getpagesize(), Attach: []bpf.AttachMethod{m}})
		if err == nil {
			p.Close()
			attached = true
		}
		add("attach "+string(m), err == nil, false, orErr("loads and attaches", err))
	}
	if !attached {
		add("attach", false, true, "no attach method works: ringbench needs fentry, tp_btf or raw_tp on sys_enter")
	}

	stats, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
	if err == nil {
		stats.Close()
	}
	add("bpf_stats", err == nil, false, orErr("BPF_ENABLE_STATS works: producer run time can be measured", err))
	hwErr := hwCounters()
	add("hw_counters", hwErr == nil, false, orErr("hardware cycle counter opens", hwErr))
	return out
}

func orErr(ok string, err error) string {
	if err != nil {
		return err.Error()
	}
	return ok
}

// hwCounters tries to open the CPU cycle counter (the first of perfcount.Events)
// for this thread.
func hwCounters() error {
	fd, err := perfcount.Events[0].Open(0)
	if err != nil {
		return err
	}
	unix.Close(fd)
	return nil
}
