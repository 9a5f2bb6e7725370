package modes

import (
	"context"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"
	"time"

	"github.com/cilium/ebpf"

	"ringbench/bpf"
	"ringbench/internal/clock"
	"ringbench/internal/cpu"
	"ringbench/internal/hist"
	"ringbench/internal/testutil"
	"ringbench/internal/window"
	"ringbench/modes/cring"
)

func requireCModes(t *testing.T) {
	t.Helper()
	if cring.Unavailable != "" {
		t.Skip("C modes: " + cring.Unavailable)
	}
}

// The C histogram, merged into the Go one, gives the quantiles recording
// the same values in Go gives: the same bucket for every value, across the
// whole range and beyond it.
func TestCHistogramMatchesGo(t *testing.T) {
	requireCModes(t)
	rng := rand.New(rand.NewPCG(3, 4))
	values := []int64{0, 1, 2047, 2048, 2049, hist.MaxNs, hist.MaxNs + 1, 1 << 62, -1}
	for range 100_000 {
		values = append(values, rng.Int64N(1<<uint(rng.IntN(45))+1))
	}
	goSide, cSide := hist.NewCounts(), hist.NewCounts()
	for _, v := range values {
		goSide.Record(v)
	}
	cring.CountValues(cSide.Raw(), values)
	if !reflect.DeepEqual(goSide.Raw(), cSide.Raw()) {
		t.Fatal("the C index files values in other buckets than the Go one")
	}
	g, c := goSide.Histogram(), cSide.Histogram()
	for q := 0.0; q <= 100; q += 0.5 {
		if a, b := g.ValueAtQuantile(q), c.ValueAtQuantile(q); a != b {
			t.Errorf("p%g: Go %d, C merged %d", q, a, b)
		}
	}
}

// synthetic is a stream of events of one length from cpus CPUs, in passes,
// with what rings and bugs can make of it: holes, duplicates, late
// arrivals (near and beyond the duplicate window), events stamped in the
// future or before the window, and malformed records.
func synthetic(rng *rand.Rand, cpus, n int, w *window.Window, compact bool) [][][]byte {
	size := 64
	if compact {
		size = bpf.CompactEventSize
	}
	next := make([]uint64, cpus)
	var sent [][]byte
	mk := func(cpu int, seq uint64, ts int64) []byte {
		b := make([]byte, size)
		if compact {
			bpf.PutCompactEvent(b, uint32(cpu), seq)
		} else {
			bpf.PutEventHeader(b, bpf.EventHeader{Seq: seq, Timestamp: ts, CPU: uint32(cpu), Len: uint32(size)})
		}
		return b
	}
	start, _ := w.Bounds()
	var passes [][][]byte
	var pass [][]byte
	for range n {
		cpu := rng.IntN(cpus)
		ts := clock.Now() - int64(rng.IntN(1e6))
		var ev []byte
		switch k := rng.IntN(100); {
		case k < 3: // a hole
			next[cpu] += uint64(1 + rng.IntN(5))
			ev = mk(cpu, next[cpu], ts)
			next[cpu]++
		case k < 5 && len(sent) > 0: // again
			ev = sent[rng.IntN(len(sent))]
		case k < 7: // late, or too late to tell from a duplicate
			back := uint64(1 + rng.IntN(3))
			if k == 6 {
				back = cring.SeqWindow + 10
			}
			if next[cpu] >= back {
				ev = mk(cpu, next[cpu]-back, ts)
			}
		case k < 8:
			ev = mk(cpu, next[cpu], ts+int64(time.Hour)) // from the future
			next[cpu]++
		case k < 9:
			ev = mk(cpu, next[cpu], start-1) // before the window
			next[cpu]++
		case k < 10:
			ev = mk(cpu, next[cpu], ts)[:size/2] // cut short
		case k < 11:
			ev = mk(cpus+3, 0, ts) // no such CPU
		default:
			ev = mk(cpu, next[cpu], ts)
			next[cpu]++
		}
		if ev == nil {
			continue
		}
		sent = append(sent, ev)
		pass = append(pass, ev)
		if rng.IntN(8) == 0 {
			passes, pass = append(passes, pass), nil
		}
	}
	return append(passes, pass)
}

// The C recorder gives the Go Recorder's answers on the same events: the
// same sequence accounting per CPU, the same counts, as many latencies.
// (The latencies themselves differ by the clock readings' own timing.)
func TestCRecorderMatchesGo(t *testing.T) {
	requireCModes(t)
	for _, compact := range []bool{false, true} {
		for _, clk := range []LatencyClock{ClockPerDrain, ClockPerEvent} {
			rng := rand.New(rand.NewPCG(5, 6))
			w := window.New()
			w.Open(clock.Now() - int64(time.Second))
			const cpus = 3
			o := RecorderOptions{Clock: clk, NoTimestamps: compact}
			goRec, merged := NewRecorder(cpus, w, o), NewRecorder(cpus, w, o)
			cr, err := cring.NewRecorder(cpus, len(goRec.latency.Raw()), clk == ClockPerEvent, compact)
			if err != nil {
				t.Fatal(err)
			}
			for _, pass := range synthetic(rng, cpus, 300_000, w, compact) {
				goRec.BeginPass()
				for i, ev := range pass {
					goRec.Record(ev)
					cr.Record(w, ev, i == 0)
				}
			}
			merged.merge(cr.Result())
			cr.Free()
			g, c := goRec.Counts(), merged.Counts()
			g.Batched, c.Batched = 0, 0 // how the events came, not what they were
			if g != c {
				t.Errorf("compact %v clock %s: counts\nGo %+v\nC  %+v", compact, clk, g, c)
			}
			if gs, cs := goRec.Sequences(), merged.Sequences(); !reflect.DeepEqual(gs, cs) {
				t.Errorf("compact %v clock %s: sequences\nGo %+v\nC  %+v", compact, clk, gs, cs)
			}
			if g.Consumed == 0 || g.Malformed == 0 || (!compact && g.Negative == 0) {
				t.Errorf("the stream lacks the cases it is for: %+v", g)
			}
			if s := goRec.Sequences(); s[0].Holes == 0 || s[0].Duplicates == 0 || s[0].OutOfOrder == 0 {
				t.Errorf("the stream lacks holes, duplicates or late arrivals: %+v", s[0])
			}
		}
	}
}

// Every C mode, on both transports, returns promptly when cancelled on an
// idle ring, and leaves no fd, mapping or BPF object behind.
func TestCModesCancelAndClean(t *testing.T) {
	requireCModes(t)
	testutil.RequireBPF(t)
	online, err := cpu.Online()
	if err != nil {
		t.Fatal(err)
	}
	ncpu, _ := ebpf.PossibleCPU()
	for _, tr := range []bpf.Transport{bpf.Ringbuf, bpf.Perfbuf} {
		for _, m := range Modes() {
			if !m.InC {
				continue
			}
			for _, wait := range m.WaitsOrOne() {
				t.Run(string(tr)+"/"+m.Name+"-"+wait, func(t *testing.T) {
					testutil.InitNetpoller()
					before, _ := testutil.FootprintOf(os.Getpid())
					spec := &ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: 1 << 16}
					wake := bpf.Wakeup{Kind: bpf.Adaptive}
					if tr == bpf.Perfbuf {
						spec = &ebpf.MapSpec{Type: ebpf.PerfEventArray}
						wake = bpf.Wakeup{Kind: bpf.WakeupEvents, N: 1}
					}
					ring, err := ebpf.NewMap(spec)
					if err != nil {
						t.Fatal(err)
					}
					c, err := m.New(Setup{Transport: tr, Ring: ring, RingBytes: 1 << 16, Wakeup: wake, CPU: -1,
						CPUs: online, Wait: wait, PollTimeout: 10 * time.Millisecond})
					if err != nil {
						t.Fatal(err)
					}
					ctx, cancel := context.WithCancel(context.Background())
					done := make(chan error, 1)
					go func() { done <- c.Run(ctx, NewRecorder(ncpu, window.New(), RecorderOptions{})) }()
					time.Sleep(100 * time.Millisecond) // let it reach its wait; not a timing check
					cancel()
					// A bound on how long a stop may take (libbpf's polls
					// last libbpfStopPoll), not a measurement.
					select {
					case err := <-done:
						if err != nil {
							t.Error(err)
						}
					case <-time.After(libbpfStopPoll + 50*time.Millisecond):
						t.Fatalf("not returned %v after cancellation", libbpfStopPoll+50*time.Millisecond)
					}
					c.Close()
					ring.Close()
					after, _ := testutil.FootprintOf(os.Getpid())
					if !after.Same(before) {
						t.Errorf("left behind: before %+v, after %+v", before, after)
					}
				})
			}
		}
	}
}
