package claims

import (
	"syscall"
	"testing"
	"time"
)

// Verdicts follow the evidence: the same experiment, answered differently
// by another kernel, flips the verdict.
func TestDecideC1(t *testing.T) {
	einval := syscall.EINVAL
	thisKernel := c1Evidence{ringbufFlag: einval, perfFlag: einval}
	if v := decideC1(thisKernel).Verdict; v != Refuted {
		t.Errorf("flag refused on both ring maps: %s, want refuted", v)
	}
	accepting := c1Evidence{}
	if v := decideC1(accepting).Verdict; v != Holds {
		t.Errorf("a kernel accepting the flag on both: %s, want holds", v)
	}
	if v := decideC1(c1Evidence{ringbufFlag: einval}).Verdict; v != Partly {
		t.Errorf("flag accepted on one: %s, want partly", v)
	}
	if v := decideC1(c1Evidence{ringbuf: syscall.EPERM}).Verdict; v != Inconclusive {
		t.Errorf("no ring maps at all: %s, want inconclusive", v)
	}
	r := decideC1(thisKernel)
	if len(r.Evidence) == 0 || r.Evidence[1] != "BPF_MAP_CREATE RINGBUF max_entries=65536, flags BPF_F_NO_PREALLOC → EINVAL (22)" {
		t.Errorf("evidence does not give the errno: %q", r.Evidence)
	}
}

func TestDecideC2(t *testing.T) {
	einval := readOutcome{err: syscall.EINVAL, took: time.Microsecond}
	blocked := readOutcome{blocked: true, took: 2 * time.Second}
	if v := decideC2(Result{}, einval, einval, syscall.EINVAL).Verdict; v != Refuted {
		t.Errorf("read fails at once: %s, want refuted", v)
	}
	if v := decideC2(Result{}, blocked, einval, nil).Verdict; v != Holds {
		t.Errorf("a kernel where read blocks and the flag exists: %s, want holds", v)
	}
	if v := decideC2(Result{}, blocked, einval, syscall.EINVAL).Verdict; v != Partly {
		t.Errorf("read blocks but no flag: %s, want partly", v)
	}
}

func TestDecideC3C5(t *testing.T) {
	if decideC3(false, true, false) != Refuted || decideC3(true, true, true) != Holds || decideC3(true, false, true) != Partly {
		t.Error("C3 verdicts do not follow the positions")
	}
	if decideC5(2048, 1537, 511) != Refuted || decideC5(2048, 0, 511) != Holds || decideC5(2048, 100, 511) != Partly {
		t.Error("C5 verdicts do not follow the drops")
	}
	if decideC5(0, 0, 511) != Inconclusive || decideC5(511, 0, 511) != Inconclusive {
		t.Error("C5 decided without more events than one ring holds")
	}
}

func TestDecideC10(t *testing.T) {
	einval := syscall.EINVAL
	for _, c := range []struct {
		tried, hung, failed int
		flagErr             error
		want                Verdict
	}{
		{4, 0, 0, einval, Refuted},
		{4, 0, 0, nil, Refuted},
		{4, 1, 0, einval, Partly},
		{4, 1, 0, nil, Partly},
		{4, 0, 4, syscall.EPERM, Inconclusive}, // nothing could be loaded: nothing was tested
		{4, 0, 1, einval, Inconclusive},
		{4, 1, 1, einval, Partly},
	} {
		if v, why := decideC10(c.tried, c.hung, c.failed, c.flagErr); v != c.want || why == "" {
			t.Errorf("%d tried, %d hung, %d failed, flag %v: %s %q, want %s", c.tried, c.hung, c.failed, c.flagErr, v, why, c.want)
		}
	}
}

func TestErrnoText(t *testing.T) {
	for err, want := range map[error]string{nil: "ok", syscall.EINVAL: "EINVAL (22)", syscall.Errno(524): "ENOTSUPP (524)"} {
		if got := errnoText(err); got != want {
			t.Errorf("errnoText(%v) = %q, want %q", err, got, want)
		}
	}
}

func TestParseOnly(t *testing.T) {
	if ids, err := ParseOnly("c1, C10"); err != nil || len(ids) != 2 || ids[1] != "C10" {
		t.Errorf("ParseOnly: %v %v", ids, err)
	}
	if _, err := ParseOnly("C13"); err == nil {
		t.Error("accepted C13")
	}
}
