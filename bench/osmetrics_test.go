package bench

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"os/exec"
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

// CPU accounting from fixture samples: the consumer's figure is its
// process CPU clock's delta to the ns, split by getrusage's proportions;
// the load generator's is its own clock per trigger; nothing is subtracted
// or clamped.
func TestFillOSExact(t *testing.T) {
	lgA, lgB := int64(5_000_000_000), int64(5_450_000_123)
	a := osSample{cpuNs: 1_000_000_000, loadgenNs: &lgA,
		ru:       unix.Rusage{Utime: unix.Timeval{Sec: 1}, Stime: unix.Timeval{Usec: 0}, Nvcsw: 10, Nivcsw: 1},
		consumer: &threadTimes{cpuNs: 700, vcsw: 3, nivcsw: 1}}
	b := osSample{cpuNs: 1_300_000_007, loadgenNs: &lgB,
		ru:       unix.Rusage{Utime: unix.Timeval{Sec: 1, Usec: 200_000}, Stime: unix.Timeval{Usec: 100_000}, Nvcsw: 110, Nivcsw: 4},
		consumer: &threadTimes{cpuNs: 100_000_700, vcsw: 50, nivcsw: 2}}
	r := Run{Unsupported: map[string]string{}}
	fillOS(&r, a, b, 1000, 300, 0)
	o := r.OS
	for _, c := range []struct {
		name      string
		got, want *float64
	}{
		{"cpu", o.CPUNsPerEvent, ptr(300_000.007)},
		{"user", o.CPUUserNsPerEvent, ptr(200_000.004_666_666_7)},
		{"sys", o.CPUSysNsPerEvent, ptr(100_000.002_333_333_3)},
		{"thread", o.ConsumerThreadCPUNsPerEvent, ptr(100_000)},
		{"voluntary", o.VoluntaryCtxSwitches, ptr(100)},
		{"loadgen", r.Producer.LoadgenCPUNsPerTrigger, ptr(1_500_000.41)},
	} {
		if c.got == nil || math.Abs(*c.got-*c.want) > 1e-6**c.want {
			t.Errorf("%s: got %v, want %v", c.name, orNil(c.got), *c.want)
		}
	}
	if len(r.Unsupported) != 0 {
		t.Errorf("unsupported: %v", r.Unsupported)
	}
	// Samples 1.01 s apart for a 1 s window: CPU times are scaled to it.
	a.at, b.at = 5_000_000_000, 6_010_000_000
	r = Run{Unsupported: map[string]string{}}
	fillOS(&r, a, b, 1000, 300, 1_000_000_000)
	if got, want := *r.OS.CPUNsPerEvent, 300_000.007/1.01; math.Abs(got-want) > 1e-6*want {
		t.Errorf("scaled CPU/event %v, want %v", got, want)
	}
	// No load generator (back to back): its figure is null with a reason.
	a.loadgenNs, b.loadgenNs = nil, nil
	r = Run{Unsupported: map[string]string{}}
	fillOS(&r, a, b, 1000, 300, 0)
	if r.Producer.LoadgenCPUNsPerTrigger != nil || r.Unsupported["producer.loadgen_cpu_ns_per_trigger"] == "" {
		t.Errorf("back to back: loadgen CPU %v, reason %q", orNil(r.Producer.LoadgenCPUNsPerTrigger), r.Unsupported["producer.loadgen_cpu_ns_per_trigger"])
	}
}

func ptr(v float64) *float64 { return &v }

func orNil(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Another process's CPU clock is readable, and it is that process's: for
// a single-threaded child that has burnt some CPU and now sleeps, it equals
// the run time the scheduler reports for it in /proc/PID/schedstat.
func TestProcessCPUClock(t *testing.T) {
	self, err := readCPUClock(processCPUClock(0))
	if err != nil || self <= 0 {
		t.Fatalf("own CPU clock %d: %v", self, err)
	}
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; echo done; read x")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("no shell: %v", err)
	}
	defer cmd.Wait()
	defer stdin.Close()
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	// It now sleeps in read: neither figure moves.
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/schedstat", cmd.Process.Pid))
	if err != nil {
		t.Skipf("no schedstat: %v", err)
	}
	var runNs int64
	fmt.Sscan(string(b), &runNs)
	ns, err := readCPUClock(processCPUClock(cmd.Process.Pid))
	if err != nil {
		t.Fatalf("child's CPU clock: %v", err)
	}
	if ns != runNs || ns <= 0 {
		t.Errorf("child's CPU clock %d ns, schedstat says %d", ns, runNs)
	}
}

func TestParseCtxSwitches(t *testing.T) {
	status := []byte("Name:\tx\nvoluntary_ctxt_switches:\t1234\nnonvoluntary_ctxt_switches:\t56\n")
	if v, i := parseCtxSwitches(status); v != 1234 || i != 56 {
		t.Fatalf("got %d %d", v, i)
	}
}

// The thread CPU clock ID must name this very thread: after burning CPU on
// it, its clock has advanced at least as much as RUSAGE_THREAD says.
func TestThreadCPUClock(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	tid := unix.Gettid()
	before, err := readThread(tid)
	if err != nil {
		t.Fatal(err)
	}
	x := 0
	for i := range 20_000_000 {
		x += i
	}
	_ = x
	after, err := readThread(tid)
	if err != nil {
		t.Fatal(err)
	}
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_THREAD, &ru); err != nil {
		t.Fatal(err)
	}
	total := ru.Utime.Nano() + ru.Stime.Nano()
	if after.cpuNs <= before.cpuNs || after.cpuNs < total-int64(1e7) {
		t.Fatalf("thread clock %d → %d, RUSAGE_THREAD says %d", before.cpuNs, after.cpuNs, total)
	}
}
