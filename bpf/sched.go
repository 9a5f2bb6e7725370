package bpf

import (
	"errors"
	"sync"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"

	"ringbench/internal/clock"
	"ringbench/internal/cpu"
)

// SchedWatch charges, per CPU, the time tasks outside ringbench's own
// processes run (sched.bpf.c on sched_switch). Unlike /proc/stat's busy
// time, it leaves out the interrupts a CPU takes while idle — which
// ringbench's own wakeups cause — so what it counts is others' work.
type SchedWatch struct {
	Attach AttachMethod
	maps   schedMaps
	prog   *ebpf.Program
	link   link.Link
}

// StartSchedWatch attaches the watch with ringbench's own processes (the
// consumer's and the load generator's; 0 for none), with tp_btf or else
// raw_tp.
func StartSchedWatch(ownTgids [2]uint32) (*SchedWatch, error) {
	w, err := firstMethod("scheduler watch", func(m AttachMethod) (*SchedWatch, error) {
		return startSchedWatch(ownTgids, m)
	})
	if err == nil {
		primeCPUs()
	}
	return w, err
}

// primeCPUs makes every online CPU switch tasks once: the watch learns what
// runs on a CPU only at a switch, and a task alone on its CPU since before
// the watch started (a hog) might not be switched out for the whole window.
// A thread of ours pinned there for a moment comes on and goes off.
func primeCPUs() {
	online, err := cpu.Online()
	if err != nil {
		return
	}
	var wg sync.WaitGroup
	for _, c := range online {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, undo, err := cpu.LockAndPin(c); err == nil {
				time.Sleep(time.Millisecond)
				undo()
			}
		}()
	}
	wg.Wait()
}

func startSchedWatch(own [2]uint32, m AttachMethod) (_ *SchedWatch, err error) {
	w := &SchedWatch{Attach: m}
	w.maps, w.prog, err = loadFor[schedMaps](loadSched, map[string]any{schedVarOwnTgid: own},
		map[AttachMethod]string{TpBTF: "rbn_sched_switch_tp_btf", RawTp: "rbn_sched_switch_raw_tp"}, m)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	if m == RawTp {
		w.link, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sched_switch", Program: w.prog})
	} else {
		w.link, err = link.AttachTracing(link.TracingOptions{Program: w.prog})
	}
	return w, err
}

// Program is the watch's program, for its run-time statistics.
func (w *SchedWatch) Program() *ebpf.Program { return w.prog }

// Foreign returns, per possible CPU, the time others' tasks have run on it
// since the watch started, up to now: a foreign slice still running is
// counted from when it began to the clock reading after the map's.
//
// mismatches counts the switches, on every CPU, whose outgoing task was not
// the one the watch saw come on: a switch it did not see. Their slices are
// not charged.
func (w *SchedWatch) Foreign() (perCPU []int64, mismatches uint64, err error) {
	if w.maps.RbnCpuAccounts == nil {
		return nil, 0, errors.New("scheduler watch closed")
	}
	var accounts []schedCpuAccount
	if err := w.maps.RbnCpuAccounts.Lookup(uint32(0), &accounts); err != nil {
		return nil, 0, err
	}
	now := clock.Now()
	out := make([]int64, len(accounts))
	for c, a := range accounts {
		out[c] = int64(a.ForeignNs)
		if a.OnForeign != 0 && a.ForeignSince != 0 {
			out[c] += max(now-int64(a.ForeignSince), 0)
		}
		mismatches += uint64(a.Mismatches)
	}
	return out, mismatches, nil
}

// ForeignTask is the time one foreign process ran on any CPU, in slices
// that ended, since the watch started.
type ForeignTask struct {
	PID  int
	Comm string
	Ns   int64
}

// ForeignTasks reads who the foreign time went to, by process.
func (w *SchedWatch) ForeignTasks() (map[int]ForeignTask, error) {
	if w.maps.RbnForeignTasks == nil {
		return nil, errors.New("scheduler watch closed")
	}
	out := map[int]ForeignTask{}
	var pid uint32
	var t schedForeignTask
	it := w.maps.RbnForeignTasks.Iterate()
	for it.Next(&pid, &t) {
		b := make([]byte, 0, len(t.Comm))
		for _, c := range t.Comm {
			if c == 0 {
				break
			}
			b = append(b, byte(c))
		}
		out[int(pid)] = ForeignTask{PID: int(pid), Comm: string(b), Ns: int64(t.Ns)}
	}
	return out, it.Err()
}

// Close detaches and unloads the watch; safe more than once.
func (w *SchedWatch) Close() {
	detach(&w.link, &w.prog)
	w.maps.Close()
	w.maps = schedMaps{}
}
