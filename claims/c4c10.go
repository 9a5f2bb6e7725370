package claims

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"ringbench/bpf"
	"ringbench/internal/cpu"
	"ringbench/internal/window"
	"ringbench/modes"
	"ringbench/modes/ring"
)

const c4Text = "A perf event array's map fd can be mmapped to reach perf_event_mmap_page and the ring, and read(2) on it (or on the perf event fd) returns whole perf records and advances data_tail"

// runC4 tries the claim's operations on a perf event array and on a
// PERF_COUNT_SW_BPF_OUTPUT event holding records.
func runC4() Result {
	r := Result{ID: "C4", Claim: c4Text}
	p, err := bpf.Load(bpf.Options{Transport: bpf.Perfbuf, Wakeup: bpf.DefaultWakeup(bpf.Perfbuf), Batch: 1, Payload: bpf.EventHeaderSize})
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, []string{"cannot load the producer: " + err.Error()}
		return r
	}
	defer p.Close()
	page := os.Getpagesize()
	arrayFd := p.Ring().FD()
	m, mapErr := unix.Mmap(arrayFd, 0, 2*page, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if mapErr == nil {
		unix.Munmap(m)
	}
	r.Evidence = append(r.Evidence, fmt.Sprintf("mmap(perf event array fd, %d bytes) → %s", 2*page, errnoText(mapErr)))
	arrayRead := boundedRead(arrayFd, 2*time.Second)
	r.Evidence = append(r.Evidence, "read(perf event array fd, 64): "+arrayRead.String())

	// One perf ring on the CPU this thread is pinned to, holding records.
	online, err := cpu.Online()
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, append(r.Evidence, err.Error())
		return r
	}
	c := online[0]
	bufs, err := ring.OpenPerf(p.Ring(), []int{c}, 4*page, ring.PerfWakeup{Events: 1})
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, append(r.Evidence, "cannot open a perf ring: "+err.Error())
		return r
	}
	defer bufs.Close()
	pc := bufs.CPUs[0]
	// Pinned, so every event lands in this CPU's ring.
	if _, undo, err := cpu.LockAndPin(c); err == nil {
		for range 5 {
			unix.RawSyscall(bpf.TriggerSyscall, 0, 0, 0)
		}
		undo()
	}
	tailBefore, head := pc.Ring.Cursor(), pc.Ring.Cursor()+pc.Ring.Pending()
	buf := make([]byte, 256)
	n, readErr := unix.Read(pc.FD, buf)
	tailAfter := pc.Ring.Cursor()
	// The tail the kernel sees is the mapped word, not our cursor.
	meta := tailWord(pc)
	got := "nothing"
	if readErr == nil {
		got = fmt.Sprintf("%d bytes: %x (= %d as a u64 counter)", n, buf[:n], binary.NativeEndian.Uint64(buf[:8]))
	}
	r.Evidence = append(r.Evidence,
		fmt.Sprintf("5 events written: data_head %d, data_tail %d", head, tailBefore),
		fmt.Sprintf("read(perf event fd, 256) → %s, %s", errnoText(readErr), got),
		fmt.Sprintf("data_tail after the read: %d (mapped word %d)", tailAfter, meta))
	recordBytes := uint64(8 + 4 + bpf.EventHeaderSize + 4) // header, u32 size, raw padded
	switch {
	case mapErr == nil && readErr == nil && uint64(n) >= recordBytes && meta != tailBefore:
		r.Verdict = Holds
	case mapErr != nil && (readErr != nil || uint64(n) < recordBytes) && meta == tailBefore:
		r.Verdict = Refuted
		r.Evidence = append(r.Evidence, "the array's fd is not mappable and reads nothing; the perf fd's read(2) returns its counter value, never records, and leaves data_tail alone: records are read from each perf fd's own mmap")
	default:
		r.Verdict = Partly
	}
	return r
}

func tailWord(pc *ring.PerfCPU) uint64 { return atomic.LoadUint64(pc.Tail()) }

const c10Text = "An eBPF ringbuf read can hang forever in Go because the map was created without BPF_F_NO_PREALLOC"

// runC10 combines C1 and C2 with a run of every mode that is cancelled while
// no event is coming: a mode that hangs does not return.
func runC10(c1 c1Evidence, c2 Result) Result {
	r := Result{ID: "C10", Claim: c10Text}
	r.Evidence = append(r.Evidence, "ringbuf with BPF_F_NO_PREALLOC: "+errnoText(c1.ringbufFlag)+" (C1); read(2) on a ringbuf: C2 "+string(c2.Verdict))
	hung := 0
	for _, mode := range []string{"reader", "spin", "epoll"} {
		for _, wait := range waitsOf(mode) {
			took, err := cancelIdle(mode, wait)
			name := mode + wait
			switch {
			case err != nil:
				r.Evidence = append(r.Evidence, fmt.Sprintf("%s: %v", name, err))
			case took < 0:
				hung++
				r.Evidence = append(r.Evidence, fmt.Sprintf("%s: did not return within 5 s of cancellation", name))
			default:
				r.Evidence = append(r.Evidence, fmt.Sprintf("%s with no events: returned %v after cancellation", name, took.Round(time.Microsecond)))
			}
		}
	}
	switch {
	case hung == 0 && c1.ringbufFlag != nil:
		r.Verdict = Refuted
		r.Evidence = append(r.Evidence, "no mode hangs, and no ringbuf can carry the flag: a hang comes from a read without deadline or cancellation, not from the map's flags")
	case hung == 0:
		r.Verdict = Refuted
		r.Evidence = append(r.Evidence, "no mode hangs without the flag")
	default:
		r.Verdict = Partly
		r.Evidence = append(r.Evidence, "a read can hang, but every ringbuf here lacks the flag, so the flag cannot be its cause")
	}
	return r
}

func waitsOf(mode string) []string {
	if mode == "epoll" {
		return []string{modes.WaitThread, modes.WaitNetpoll}
	}
	return []string{""}
}

// cancelIdle starts mode's consumer on an idle ring, cancels it, and returns
// how long it took to return; negative if it did not within 5 s.
func cancelIdle(mode, wait string) (time.Duration, error) {
	p, err := loadRingbufProducer(1 << 14)
	if err != nil {
		return 0, err
	}
	defer p.Close()
	ncpu, _ := ebpf.PossibleCPU()
	c, err := modes.New(mode, modes.Setup{Transport: bpf.Ringbuf, Ring: p.Ring(), RingBytes: 1 << 14,
		Wakeup: bpf.Wakeup{Kind: bpf.Adaptive}, CPU: -1, Wait: wait, PollTimeout: -1, Backoff: modes.Backoff{Kind: "none"}})
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, modes.NewRecorder(ncpu, window.New())) }()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	cancel()
	select {
	case err := <-done:
		c.Close()
		return time.Since(start), err
	case <-time.After(5 * time.Second):
		return -1, nil // left running: the process ends it
	}
}
