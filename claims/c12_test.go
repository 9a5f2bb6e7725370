package claims

import (
	"strings"
	"testing"

	"ringbench/bpf"
	"ringbench/internal/testutil"
)

func TestDecideC12(t *testing.T) {
	clean := c12Run{consumers: 1, emitted: 1000, dropped: 100, received: 900, unique: 900, eps: 900}
	faulty := clean
	faulty.lost, faulty.duplicated = 3, 3
	fast := clean
	fast.consumers, fast.eps = 2, 1200
	slow := fast
	slow.eps = 800
	broken := faulty
	broken.consumers = 2
	for _, c := range []struct {
		name            string
		base, one, many c12Run
		want            Verdict
		says            string
	}{
		{"baseline not clean", faulty, clean, fast, Inconclusive, "the test cannot tell"},
		{"several lose", clean, faulty, broken, Refuted, "one CAS consumer alone does it too"},
		{"several lose, one alone not", clean, clean, broken, Refuted, "while the baseline lost none"},
		{"clean and faster", clean, clean, fast, Holds, "1.33×"},
		{"clean, not faster", clean, clean, slow, Partly, "not faster"},
		{"no load", clean, clean, c12Run{consumers: 2, emitted: 10}, Inconclusive, "emitted too little"},
	} {
		v, why := decideC12(c.base, c.one, c.many)
		if v != c.want || !strings.Contains(why, c.says) {
			t.Errorf("%s: %s (%s), want %s saying %q", c.name, v, why, c.want, c.says)
		}
	}
}

// An event is the producer's when it has its length and zeroes after the
// header; anything else written into it is a corruption.
func TestCASEvent(t *testing.T) {
	ev := make([]byte, c12Payload)
	bpf.PutEventHeader(ev, bpf.EventHeader{Seq: 7, CPU: 1, Len: c12Payload})
	if key, good := casEvent(ev); !good || key != 1<<48|7 {
		t.Errorf("a clean event: key %#x good %v", key, good)
	}
	ev[40] = 1
	if _, good := casEvent(ev); good {
		t.Error("a byte written into the padding went unseen")
	}
	if _, good := casEvent(ev[:32]); good {
		t.Error("a short record went unseen")
	}
}

// Run live: the baseline consumer must account for every event, or C12's
// verdict means nothing; the verdict itself is the kernel's to give.
func TestC12Live(t *testing.T) {
	testutil.RequireBPF(t)
	r := runC12()
	if len(r.Evidence) < 4 {
		t.Fatalf("C12: %s, evidence %v", r.Verdict, r.Evidence)
	}
	if !strings.Contains(r.Evidence[1], "lost 0, duplicated 0, corrupted 0") {
		t.Errorf("the baseline did not account for every event: %s", r.Evidence[1])
	}
	t.Logf("C12 %s: %s", r.Verdict, strings.Join(r.Evidence, " | "))
}
