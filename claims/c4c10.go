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
	"ringbench/schema"
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
	_, unmap, mapErr := ring.TryMap(arrayFd, 0, 2*page, true)
	unmap()
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
	_, undo, pinErr := cpu.LockAndPin(c)
	if pinErr == nil {
		for range 5 {
			bpf.Trigger()
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
	case head == tailBefore:
		r.Verdict = Inconclusive
		r.Evidence = append(r.Evidence, fmt.Sprintf("no record reached CPU %d's ring (pinning this thread there: %s), so a read had no record to return", c, errnoText(pinErr)))
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
	tried, hung, failed := 0, 0, 0
	for _, m := range modes.Modes() {
		if m.Unavailable != "" {
			r.Evidence = append(r.Evidence, fmt.Sprintf("%s: not in this binary (%s)", m.Name, m.Unavailable))
			continue
		}
		for _, wait := range m.WaitsOrOne() {
			took, err := cancelIdle(m.Name, wait)
			name := schema.ModeLabel(m.Name, wait)
			tried++
			switch {
			case err != nil:
				failed++
				r.Evidence = append(r.Evidence, fmt.Sprintf("%s: %v", name, err))
			case took < 0:
				hung++
				r.Evidence = append(r.Evidence, fmt.Sprintf("%s: did not return within 5 s of cancellation", name))
			default:
				r.Evidence = append(r.Evidence, fmt.Sprintf("%s with no events: returned %v after cancellation", name, took.Round(time.Microsecond)))
			}
		}
	}
	var why string
	r.Verdict, why = decideC10(tried, hung, failed, c1.ringbufFlag)
	r.Evidence = append(r.Evidence, why)
	return r
}

// decideC10: no hang refutes the claim only when every mode ran; a hang is
// the claim's symptom, and its cause can be pinned on the missing flag only
// where no ringbuf can carry the flag, since the rings tried here never do.
func decideC10(tried, hung, failed int, flagErr error) (Verdict, string) {
	switch {
	case failed == tried:
		return Inconclusive, fmt.Sprintf("none of the %d modes could be run: the claim was not put to the test", tried)
	case hung == 0 && failed > 0:
		return Inconclusive, fmt.Sprintf("%d of the %d modes could not be run and none of the others hangs: not every mode was put to the test", failed, tried)
	case hung == 0 && flagErr != nil:
		return Refuted, "no mode hangs, and no ringbuf can carry the flag: a hang comes from a read without deadline or cancellation, not from the map's flags"
	case hung == 0:
		return Refuted, "no mode hangs without the flag"
	case flagErr != nil:
		return Partly, "a read can hang, but every ringbuf here lacks the flag, so the flag cannot be its cause"
	}
	return Partly, "a read can hang on a ringbuf without the flag; the same read on a ringbuf with the flag was not tried"
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
	go func() { done <- c.Run(ctx, modes.NewRecorder(ncpu, window.New(), modes.RecorderOptions{})) }()
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
