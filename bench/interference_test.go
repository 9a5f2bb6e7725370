package bench

import (
	"fmt"
	"math"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"ringbench/bpf"
	"ringbench/internal/testutil"
	"ringbench/schema"
)

const procStatFixture = `cpu  441848 9954 335801 913601 2913 0 3560 6436 0 0
cpu0 179889 5003 204582 475349 584 0 1658 3207 0 0
cpu1 261959 4950 131219 438252 2328 0 1901 3229 0 0
intr 276822628 0 0 0
ctxt 1234
`

func TestParseProcStat(t *testing.T) {
	got, err := parseProcStat([]byte(procStatFixture))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]cpuStat{
		0: {idle: 475349 * procStatTickNs, iowait: 584 * procStatTickNs, steal: 3207 * procStatTickNs},
		1: {idle: 438252 * procStatTickNs, iowait: 2328 * procStatTickNs, steal: 3229 * procStatTickNs},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("got %+v, want %+v", got, want)
	}
	for _, bad := range []string{"", "cpu 1 2 3 4 5 6 7 8\n", "cpu0 1 2 3\n", "cpu0 1 2 3 x 5 6 7 8\n", "cpuX 1 2 3 4 5 6 7 8\n"} {
		if _, err := parseProcStat([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseRunDelay(t *testing.T) {
	if d, err := parseRunDelay([]byte("996494277 4184813 5\n")); err != nil || d != 4184813 {
		t.Errorf("got %d, %v", d, err)
	}
	if _, err := parseRunDelay([]byte("12\n")); err == nil {
		t.Error("one field: no error")
	}
}

// statMS builds a sample of CPUs whose idle/iowait/steal are given in ms.
func statMS(idle0, steal0, idle1, steal1 int64) map[int]cpuStat {
	return map[int]cpuStat{
		0: {idle: idle0 * 1e6, steal: steal0 * 1e6},
		1: {idle: idle1 * 1e6, steal: steal1 * 1e6},
	}
}

// Foreign time is the CPUs' busy time (wall − idle − iowait − steal) less
// ringbench's own CPU clocks; a repetition is flagged only when it exceeds
// the limit by more than /proc/stat's resolution.
func TestFillInterference(t *testing.T) {
	const second = int64(1e9)
	lgA, lgB := int64(0), int64(300_000_000) // the load generator ran 300 ms
	sample := func(at, cpuNs int64, cpus map[int]cpuStat, delay int64) osSample {
		return osSample{at: at, cpuNs: cpuNs, cpus: cpus, consumer: &threadTimes{runDelayNs: delay}}
	}
	cases := []struct {
		name           string
		ownNs          int64 // the consumer process's CPU in the window
		idle0, idle1   int64 // ms idle in the window, per CPU
		steal1         int64
		wantForeignMS  float64
		wantFlag       bool
		wantRunDelayMS float64
		wantStealMS    float64
	}{
		// Consumer spins on CPU 1 (1 s), the load generator takes 300 ms of
		// CPU 0, which idles 700 ms: nothing foreign.
		{name: "quiet", ownNs: second, idle0: 700, idle1: 0, wantForeignMS: 0, wantRunDelayMS: 2},
		// A hog takes half of CPU 1: the consumer got 500 ms.
		{name: "hog", ownNs: second / 2, idle0: 700, idle1: 0, wantForeignMS: 500, wantFlag: true, wantRunDelayMS: 2},
		// 40 ms of foreign time is within 1% of 2 CPU-seconds plus 60 ms.
		{name: "within resolution", ownNs: second - 40e6, idle0: 700, wantForeignMS: 40, wantRunDelayMS: 2},
		// Steal is not foreign work on the guest's CPUs, but is reported.
		{name: "steal", ownNs: second - 100e6, idle0: 700, steal1: 100, wantForeignMS: 0, wantStealMS: 100, wantRunDelayMS: 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := sample(10*second, 5*second, statMS(1000, 0, 2000, 0), 1e6)
			b := sample(11*second, 5*second+c.ownNs, statMS(1000+c.idle0, 0, 2000+c.idle1, c.steal1), 3e6)
			a.loadgenNs, b.loadgenNs = &lgA, &lgB
			r := Run{Unsupported: map[string]string{}}
			fillInterference(&r, a, b, interferenceEdge{}, interferenceEdge{}, nil, []int{0, 1}, second, 1000)
			in := r.Interference
			if in == nil {
				t.Fatalf("no interference figures: %v", r.Unsupported)
			}
			near := func(what string, got *float64, wantMS float64) {
				if got == nil || math.Abs(*got-wantMS*1e6) > 1 {
					t.Errorf("%s: got %v ns, want %v ms", what, orNil(got), wantMS)
				}
			}
			near("foreign", in.ForeignCPUNs, c.wantForeignMS)
			near("steal", in.StealNs, c.wantStealMS)
			near("run delay", in.ConsumerRunDelayNs, c.wantRunDelayMS)
			near("resolution", in.ResolutionNs, 60)
			if in.Flagged != c.wantFlag || slices.Contains(r.Flags, schema.FlagInterference) != c.wantFlag {
				t.Errorf("flagged %v, flags %v; want %v", in.Flagged, r.Flags, c.wantFlag)
			}
			if got, want := *in.ForeignShare, c.wantForeignMS*1e6/float64(2*second); math.Abs(got-want) > 1e-9 {
				t.Errorf("share %v, want %v", got, want)
			}
		})
	}
	// Samples 1.1 s apart for a 1 s window: scaled as the OS figures are.
	a := sample(10*second, 0, statMS(0, 0, 0, 0), 0)
	b := sample(10*second+1_100_000_000, 1_100_000_000, statMS(550, 0, 0, 0), 0)
	r := Run{Unsupported: map[string]string{}}
	fillInterference(&r, a, b, interferenceEdge{}, interferenceEdge{}, nil, []int{0, 1}, second, 1000)
	if got := *r.Interference.ForeignCPUNs; math.Abs(got-500e6) > 1 {
		t.Errorf("scaled foreign %v ns, want 500 ms", got)
	}
	// A CPU missing from /proc/stat, or an unreadable /proc/stat: null
	// with the reason.
	r = Run{Unsupported: map[string]string{}}
	fillInterference(&r, a, b, interferenceEdge{}, interferenceEdge{}, nil, []int{0, 3}, second, 1000)
	if r.Interference != nil || !strings.Contains(r.Unsupported["interference"], "CPU 3") {
		t.Errorf("missing CPU: %+v, %v", r.Interference, r.Unsupported)
	}
	a.cpus = nil
	r = Run{Unsupported: map[string]string{}}
	fillInterference(&r, a, b, interferenceEdge{}, interferenceEdge{}, nil, []int{0, 1}, second, 1000)
	if r.Interference != nil || r.Unsupported["interference"] == "" {
		t.Errorf("no /proc/stat: %+v, %v", r.Interference, r.Unsupported)
	}
	// No locked consumer thread: no run delay, with the reason.
	a = sample(0, 0, statMS(0, 0, 0, 0), 0)
	b = sample(second, second, statMS(0, 0, 1000, 0), 0)
	a.consumer, b.consumer = nil, nil
	r = Run{Unsupported: map[string]string{}}
	fillInterference(&r, a, b, interferenceEdge{}, interferenceEdge{}, nil, []int{0, 1}, second, 1000)
	if r.Interference == nil || r.Interference.ConsumerRunDelayNs != nil || r.Unsupported["interference.consumer_run_delay_ns"] == "" {
		t.Errorf("unlocked consumer: %+v, %v", r.Interference, r.Unsupported)
	}
}

// With the scheduler watch, foreign time is what it charged to others'
// tasks, exactly; what /proc/stat adds beyond every task's time is
// untasked kernel work (interrupts in idle), not interference.
func TestFillInterferenceWatch(t *testing.T) {
	const second = int64(1e9)
	lgA, lgB := int64(0), int64(300_000_000)
	// /proc/stat: CPU 0 idled 550 ms, CPU 1 not at all; ringbench ran
	// 1.3 s: 150 ms of busy time belongs to no task or to others.
	a := osSample{at: 0, cpuNs: 0, cpus: statMS(0, 0, 0, 0), loadgenNs: &lgA}
	b := osSample{at: second, cpuNs: second, cpus: statMS(550, 0, 0, 0), loadgenNs: &lgB}
	run := bpfUsage{RuntimeNs: 2_000_000, Runs: 20_000}
	for _, c := range []struct {
		name      string
		foreignMS int64
		flagged   bool
	}{{"untasked only", 0, false}, {"a hog's 120 ms", 120, true}} {
		wa := interferenceEdge{foreign: []int64{5e6, 7e6}}
		wb := interferenceEdge{foreign: []int64{5e6, 7e6 + c.foreignMS*1e6}}
		r := Run{Unsupported: map[string]string{}}
		fillInterference(&r, a, b, wa, wb, &run, []int{0, 1}, second, 10_000)
		in := r.Interference
		if in == nil || in.Method != InterferenceMethodWatch {
			t.Fatalf("%s: %+v %v", c.name, in, r.Unsupported)
		}
		if *in.ForeignCPUNs != float64(c.foreignMS*1e6) || *in.UntaskedNs != float64((150-c.foreignMS)*1e6) || in.Flagged != c.flagged {
			t.Errorf("%s: foreign %v, untasked %v, flagged %v", c.name, *in.ForeignCPUNs, *in.UntaskedNs, in.Flagged)
		}
		if *in.WatchNsPerEvent != 200 || *in.WatchNsPerSwitch != 100 || in.WatchSwitches != 20_000 {
			t.Errorf("%s: watch cost %v ns/event, %v ns/switch; want 200, 100", c.name, *in.WatchNsPerEvent, *in.WatchNsPerSwitch)
		}
	}
}

func TestScenarioCPUs(t *testing.T) {
	p := Params{Pin: true, ProducerCPUs: []int{2, 0, 2}, ConsumerCPU: 1}
	if got := scenarioCPUs(p, []int{0, 1, 2, 3}); !slices.Equal(got, []int{0, 1, 2}) {
		t.Errorf("pinned: %v", got)
	}
	p.Pin = false
	if got := scenarioCPUs(p, []int{0, 1, 2, 3}); !slices.Equal(got, []int{0, 1, 2, 3}) {
		t.Errorf("unpinned: %v", got)
	}
	// Split rings: every consumer thread's CPU is the scenario's.
	p = Params{Pin: true, ProducerCPUs: []int{0, 1}, ConsumerCPU: 4, Consumers: 2, ConsumerCPUs: []int{4, 5}}
	if got := scenarioCPUs(p, []int{0, 1, 2, 3, 4, 5}); !slices.Equal(got, []int{0, 1, 4, 5}) {
		t.Errorf("two consumers: %v", got)
	}
}

// A CPU hog pinned to the consumer's CPU during a repetition raises
// interference, with about the hog's CPU time as foreign time; a quiet
// repetition does not.
func TestInterferenceHog(t *testing.T) {
	testutil.RequireBPF(t)
	p := scenario(t, func(p *Params) { p.Mode, p.Rate, p.DurationS = "epoll", 10_000, 1 })
	quiet := runChecked(t, p)
	if in := quiet.Interference; in == nil || in.Flagged || slices.Contains(quiet.Flags, schema.FlagInterference) {
		t.Errorf("quiet repetition flagged: %s %v (unsupported: %v)", describeInterference(in), quiet.Flags, quiet.Unsupported["interference"])
	}

	hog := exec.Command("sh", "-c", "while :; do :; done")
	if err := hog.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { hog.Process.Kill(); hog.Wait() }()
	var set unix.CPUSet
	set.Set(p.ConsumerCPU)
	if err := unix.SchedSetaffinity(hog.Process.Pid, &set); err != nil {
		t.Fatal(err)
	}
	loud := runChecked(t, p)
	in := loud.Interference
	if in == nil || !in.Flagged || !slices.Contains(loud.Flags, schema.FlagInterference) {
		t.Fatalf("hog on CPU %d not flagged: %s %v (unsupported: %v)", p.ConsumerCPU, describeInterference(in), loud.Flags, loud.Unsupported["interference"])
	}
	// The hog runs whenever the consumer sleeps: most of its CPU.
	if window := loud.Throughput.WindowS * 1e9; *in.ForeignCPUNs < 0.3*window {
		t.Errorf("foreign %.0f ms in a %.0f ms window with a hog on the consumer's CPU", *in.ForeignCPUNs/1e6, window/1e6)
	}
}

func describeInterference(in *Interference) string {
	if in == nil {
		return "no interference figures"
	}
	return fmt.Sprintf("foreign %.1f ms (±%.0f), steal %.1f ms, consumer run delay %v ns, flagged %v",
		*in.ForeignCPUNs/1e6, *in.ResolutionNs/1e6, *in.StealNs/1e6, deref(in.ConsumerRunDelayNs), in.Flagged)
}

// The busiest foreign processes are those whose time grew most between the
// edges, three at most; a process new at the second edge counts whole.
func TestTopForeign(t *testing.T) {
	a := map[int]bpf.ForeignTask{1: {PID: 1, Comm: "a", Ns: 100}, 2: {PID: 2, Comm: "b", Ns: 5}}
	b := map[int]bpf.ForeignTask{1: {PID: 1, Comm: "a", Ns: 150}, 2: {PID: 2, Comm: "b", Ns: 5},
		3: {PID: 3, Comm: "c", Ns: 80}, 4: {PID: 4, Comm: "d", Ns: 10}, 5: {PID: 5, Comm: "e", Ns: 20}}
	got := topForeign(a, b, 2)
	want := []schema.ForeignProcess{{PID: 3, Comm: "c", CPUNs: 160}, {PID: 1, Comm: "a", CPUNs: 100}, {PID: 5, Comm: "e", CPUNs: 40}}
	if !slices.Equal(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}
