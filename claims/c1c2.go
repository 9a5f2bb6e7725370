package claims

import (
	"fmt"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"
)

const c1Text = "BPF_F_NO_PREALLOC is a flag for ringbuf and perf event array maps: the kernel skips preallocating their pages and user space must mmap them"

// c1Evidence is what map creation returned, for C1's verdict and C2/C10.
type c1Evidence struct {
	ringbuf, ringbufFlag, perf, perfFlag, hash, hashFlag error
}

func probeC1() c1Evidence {
	nCPU, _ := ebpf.PossibleCPU()
	return c1Evidence{
		ringbuf:     tryMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: 1 << 16}),
		ringbufFlag: tryMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: 1 << 16, Flags: unix.BPF_F_NO_PREALLOC}),
		perf:        tryMap(&ebpf.MapSpec{Type: ebpf.PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: uint32(nCPU)}),
		perfFlag:    tryMap(&ebpf.MapSpec{Type: ebpf.PerfEventArray, KeySize: 4, ValueSize: 4, MaxEntries: uint32(nCPU), Flags: unix.BPF_F_NO_PREALLOC}),
		hash:        tryMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1024}),
		hashFlag:    tryMap(&ebpf.MapSpec{Type: ebpf.Hash, KeySize: 4, ValueSize: 8, MaxEntries: 1024, Flags: unix.BPF_F_NO_PREALLOC}),
	}
}

func (e c1Evidence) lines() []string {
	f := "BPF_MAP_CREATE %s, flags %s → %s"
	return []string{
		fmt.Sprintf(f, "RINGBUF max_entries=65536", "0", errnoText(e.ringbuf)),
		fmt.Sprintf(f, "RINGBUF max_entries=65536", "BPF_F_NO_PREALLOC", errnoText(e.ringbufFlag)),
		fmt.Sprintf(f, "PERF_EVENT_ARRAY", "0", errnoText(e.perf)),
		fmt.Sprintf(f, "PERF_EVENT_ARRAY", "BPF_F_NO_PREALLOC", errnoText(e.perfFlag)),
		fmt.Sprintf(f, "HASH", "0", errnoText(e.hash)),
		fmt.Sprintf(f, "HASH", "BPF_F_NO_PREALLOC", errnoText(e.hashFlag)),
	}
}

// decideC1: the claim needs the flag accepted on both ring maps. Refuted
// when both refuse it while creating them plainly works; where the hash
// map accepts it, that is where the flag means something.
func decideC1(e c1Evidence) Result {
	r := Result{ID: "C1", Claim: c1Text, Evidence: e.lines()}
	switch {
	case e.ringbuf != nil || e.perf != nil:
		r.Verdict = Inconclusive
		r.Evidence = append(r.Evidence, "the ring maps cannot be created here at all, flag or not")
	case e.ringbufFlag != nil && e.perfFlag != nil:
		r.Verdict = Refuted
		note := "the kernel rejects the flag on both ring map types"
		if e.hashFlag == nil {
			note += "; it is accepted on the hash map, where it is documented"
		}
		r.Evidence = append(r.Evidence, note)
	case e.ringbufFlag == nil && e.perfFlag == nil:
		r.Verdict = Holds
		r.Evidence = append(r.Evidence, "both ring map types accept the flag on this kernel")
	default:
		r.Verdict = Partly
		r.Evidence = append(r.Evidence, "only one of the two ring map types accepts the flag")
	}
	return r
}

const c2Text = "Without BPF_F_NO_PREALLOC read(2) on a ringbuf blocks; with the flag and O_NONBLOCK it does not"

// readOutcome is what one read(2) did, bounded in time: a read that does
// not return within the bound is reported as blocking (and left behind on
// its thread; the kernel ends it with the process).
type readOutcome struct {
	n       int
	err     error
	blocked bool
	took    time.Duration
}

func boundedRead(fd int, bound time.Duration) readOutcome {
	done := make(chan readOutcome, 1)
	go func() {
		buf := make([]byte, 64)
		start := time.Now()
		n, err := unix.Read(fd, buf)
		done <- readOutcome{n: max(n, 0), err: err, took: time.Since(start)}
	}()
	select {
	case o := <-done:
		return o
	case <-time.After(bound):
		return readOutcome{blocked: true, took: bound}
	}
}

func (o readOutcome) String() string {
	if o.blocked {
		return fmt.Sprintf("still blocked after %v", o.took)
	}
	if o.err != nil {
		return fmt.Sprintf("returned at once (%v): %s", o.took.Round(time.Microsecond), errnoText(o.err))
	}
	return fmt.Sprintf("returned %d bytes (%v)", o.n, o.took.Round(time.Microsecond))
}

// runC2 reads a plain ringbuf map fd, blocking and then O_NONBLOCK; the
// flagged variant is created if the kernel allows it.
func runC2(c1 c1Evidence) Result {
	r := Result{ID: "C2", Claim: c2Text}
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: 1 << 16})
	if err != nil {
		r.Verdict, r.Evidence = Inconclusive, []string{"cannot create a ringbuf: " + errnoText(err)}
		return r
	}
	defer m.Close()
	blocking := boundedRead(m.FD(), 2*time.Second)
	r.Evidence = append(r.Evidence, "read(ringbuf map fd, 64) blocking: "+blocking.String())
	// A duplicate fd shares the file, so O_NONBLOCK set on it is the
	// flag the claim means.
	nb := readOutcome{err: fmt.Errorf("not tried")}
	if err := unix.SetNonblock(m.FD(), true); err == nil {
		nb = boundedRead(m.FD(), 2*time.Second)
	}
	r.Evidence = append(r.Evidence, "read(ringbuf map fd, 64) O_NONBLOCK: "+nb.String())
	r.Evidence = append(r.Evidence, "ringbuf with BPF_F_NO_PREALLOC: "+errnoText(c1.ringbufFlag))
	return decideC2(r, blocking, nb, c1.ringbufFlag)
}

// decideC2 judges what the reads did.
func decideC2(r Result, blocking, nb readOutcome, flagErr error) Result {
	switch {
	case blocking.blocked && flagErr == nil && !nb.blocked:
		r.Verdict = Holds
	case !blocking.blocked && blocking.err != nil:
		r.Verdict = Refuted
		r.Evidence = append(r.Evidence, "read(2) on a map fd does not block: it fails at once and never returns records")
	case blocking.blocked:
		r.Verdict = Partly
		r.Evidence = append(r.Evidence, "read(2) blocks, but the flagged variant does not exist to compare")
	default:
		r.Verdict = Inconclusive
		r.Evidence = append(r.Evidence, "read(2) returned data: not what either side of the claim describes")
	}
	return r
}
