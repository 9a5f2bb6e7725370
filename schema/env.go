package schema

import (
	"fmt"
	"time"
)

// Env is where a result was obtained; results are only comparable together
// with it.
type Env struct {
	Kernel        string   `json:"kernel"`
	KernelVersion string   `json:"kernel_version"`
	Arch          string   `json:"arch"`
	CPUs          int      `json:"cpus"`
	OnlineCPUs    []int    `json:"online_cpus"`
	CPUModel      string   `json:"cpu_model"`
	Hypervisor    string   `json:"hypervisor"`
	Emulated      bool     `json:"emulated,omitempty"` // a ringbench vm guest under QEMU's TCG: timings compare only with other emulated runs
	BPFJIT        string   `json:"bpf_jit"`
	BPFJITAlways  bool     `json:"bpf_jit_always_on"`
	Preempt       string   `json:"preempt"`
	HZ            int      `json:"hz"`
	NoHZ          string   `json:"nohz"`
	KernelConfig  string   `json:"kernel_config"` // where the facts above came from; "" if nowhere
	Lockdown      string   `json:"lockdown"`
	SMT           string   `json:"smt"`
	Governor      string   `json:"governor"`
	BootCmdline   string   `json:"boot_cmdline"`
	Go            string   `json:"go"`
	GOMAXPROCS    int      `json:"gomaxprocs"`
	CiliumEBPF    string   `json:"cilium_ebpf"`
	Commit        string   `json:"commit"`
	Dirty         *bool    `json:"dirty"`
	Attach        string   `json:"attach"`
	AttachRefused []string `json:"attach_refused,omitempty"`
	Hostname      string   `json:"hostname"`
	Start         string   `json:"start"`
	CommandLine   []string `json:"command_line"`
	// Noise is each online CPU's noise floor, probed before the scenarios
	// ran (ProbeNoise); absent when the probe was switched off.
	Noise []NoiseCPU `json:"noise,omitempty"`
	// Readiness is how far the machine is from a perf box (governor,
	// turbo, SMT, isolation, IRQs, …), checked for the online CPUs.
	Readiness []Finding `json:"readiness,omitempty"`
	// Modes are the labels (ModeLabel) of the read modes this ringbench
	// knows, with each of their waits, in its registry's order; readers
	// order modes by it.
	Modes []string `json:"modes,omitempty"`
	// ModeTwins maps each C mode's label to the label of the Go mode it
	// does in C (libbpf: reader; c-mmap-spin: spin): the pairs of the
	// report's "Go against C".
	ModeTwins map[string]string `json:"mode_twins,omitempty"`
	// PollingModes are the labels of the modes that never sleep for want
	// of events (spin, c-mmap-spin): their natural wakeup policy is the
	// quiet one, and any other only costs the producer.
	PollingModes []string `json:"polling_modes,omitempty"`
}

// NoiseCPU is one CPU's noise floor: what a pinned thread reading the clock
// in a tight loop lost to gaps over the threshold (the idea of hwlatdetect,
// cyclictest and jitterdebugger). A latency at or below these gaps describes
// the machine, not a read mode.
type NoiseCPU struct {
	CPU         int     `json:"cpu"`
	DurationS   float64 `json:"duration_s"`
	ThresholdNs int64   `json:"threshold_ns"`
	Gaps        uint64  `json:"gaps"`
	GapsPerS    float64 `json:"gaps_per_s"`
	LostPct     float64 `json:"lost_pct"` // share of the time lost in gaps
	GapP50Ns    *int64  `json:"gap_p50_ns"`
	GapP99Ns    *int64  `json:"gap_p99_ns"`
	GapMaxNs    *int64  `json:"gap_max_ns"`
	Error       string  `json:"error,omitempty"` // why this CPU was not probed
}

// String is the CPU's floor in one line.
func (n NoiseCPU) String() string {
	if n.Error != "" {
		return fmt.Sprintf("CPU %d: not probed: %s", n.CPU, n.Error)
	}
	s := fmt.Sprintf("CPU %d: %.0f gaps/s over %d ns, %.2f%% of the time lost", n.CPU, n.GapsPerS, n.ThresholdNs, n.LostPct)
	if n.GapP50Ns != nil {
		s += fmt.Sprintf("; gap p50 %v, p99 %v, max %v", time.Duration(*n.GapP50Ns), time.Duration(*n.GapP99Ns), time.Duration(*n.GapMaxNs))
	}
	return s
}

// ModeLabel names a read mode with its wait, when it has one: "epoll-netpoll".
func ModeLabel(mode, wait string) string {
	if wait == "" {
		return mode
	}
	return mode + "-" + wait
}
