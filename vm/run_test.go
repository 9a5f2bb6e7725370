package vm

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"ringbench/claims"
	"ringbench/report/claimstable"
)

func TestGuestArgs(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
		err  bool
	}{
		{[]string{"claims"}, "claims --json @OUT@/claims.json", false},
		{[]string{"claims", "--only", "C1,C2"}, "claims --only C1,C2 --json @OUT@/claims.json", false},
		{[]string{"matrix", "--preset", "quick"}, "matrix --preset quick --out @OUT@", false},
		{[]string{"env"}, "env", false},
		{[]string{"claims", "--json", "x.json"}, "", true},
		{[]string{"matrix", "--out=x"}, "", true},
		{[]string{"report", "x"}, "", true},
		{nil, "", true},
	} {
		got, err := GuestArgs(c.in)
		if (err != nil) != c.err || strings.Join(got, " ") != c.want {
			t.Errorf("GuestArgs(%q) = %q, %v", c.in, got, err)
		}
	}
}

func TestDefaultTimeout(t *testing.T) {
	for _, c := range []struct {
		args  []string
		accel string
		want  time.Duration
	}{
		{[]string{"claims"}, "tcg", 9 * time.Minute},
		{[]string{"claims"}, "kvm", 6 * time.Minute},
		{[]string{"claims", "--budget", "75s"}, "tcg", 5*time.Minute + 30*time.Second},
		{[]string{"claims", "--budget=1m"}, "kvm", 4 * time.Minute},
		{[]string{"claims", "--measure=false"}, "tcg", 3 * time.Minute},
		{[]string{"env"}, "tcg", 3 * time.Minute},
		{[]string{"matrix"}, "kvm", 63 * time.Minute},
	} {
		if got := defaultTimeout(c.args, c.accel); got != c.want {
			t.Errorf("defaultTimeout(%q, %s) = %v, want %v", c.args, c.accel, got, c.want)
		}
	}
}

func TestConsoleParser(t *testing.T) {
	console := "SeaBIOS\r\n" +
		"[    1.0] Linux version 6.12\r\n" +
		MarkStart + " 6.12 uptime=3.1s\r\n" +
		MarkHeartbeat + " 10s\r\n" +
		MarkStderr + "[1/17] ringbuf/reader (rep 1/3)\r\n" +
		"[   20.0] watchdog: BUG: soft lockup - CPU#1 stuck for 22s!\r\n" +
		MarkFileBegin + " status.json 11\r\n" +
		"eyJvayI6dHJ1ZX0=\r\n" + // {"ok":true}
		MarkFileEnd + " status.json\r\n" +
		MarkFileBegin + " bad.json 5\r\n" +
		"eyJvayI6dHJ1ZX0=\r\n" + // wrong size: dropped
		MarkFileEnd + " bad.json\r\n" +
		MarkDone + " exit=0\r\n"
	var p consoleParser
	events := make(chan consoleEvent, 16)
	var log, progress bytes.Buffer
	p.parse(strings.NewReader(console), &log, &progress, events)
	close(events)
	var got []consoleEvent
	for e := range events {
		got = append(got, e)
	}
	want := []consoleEvent{evStart, evHeartbeat, evLockup, evDone}
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("events %v, want %v", got, want)
		}
	}
	if string(p.files["status.json"]) != `{"ok":true}` {
		t.Errorf("status.json from the console: %q", p.files["status.json"])
	}
	if _, ok := p.files["bad.json"]; ok {
		t.Error("a file whose size does not match was kept")
	}
	if progress.String() != "[1/17] ringbuf/reader (rep 1/3)\n" {
		t.Errorf("progress %q", progress.String())
	}
	tail := strings.Join(p.tail(), "\n")
	if strings.Contains(tail, "eyJ") || strings.Contains(tail, MarkHeartbeat) || !strings.Contains(tail, "soft lockup") {
		t.Errorf("tail:\n%s", tail)
	}
	if strings.Contains(log.String(), "\r") {
		t.Error("the console log keeps carriage returns")
	}
}

func TestQemuArgs(t *testing.T) {
	c := bootConfig{Accel: "tcg", Image: "/k/vmlinuz", Initrd: "/tmp/i.cpio", Share: "/out/k", CPUs: 2, MemMB: 1024}
	a := strings.Join(qemuArgs(c), " ")
	for _, want := range []string{"-accel tcg,thread=single -cpu max", "-M pc", "-no-reboot", "-smp 2", "-m 1024",
		"-kernel /k/vmlinuz", "-initrd /tmp/i.cpio", "console=ttyS0", "panic=-1",
		"path=/out/k,security_model=none", "mount_tag=" + GuestShareTag} {
		if !strings.Contains(a, want) {
			t.Errorf("qemu args lack %q: %s", want, a)
		}
	}
	c.Accel = "kvm"
	if a := strings.Join(qemuArgs(c), " "); !strings.Contains(a, "-accel kvm -cpu host") {
		t.Errorf("kvm: %s", a)
	}
	c.Accel, c.TCGThread = "tcg", "multi"
	if a := strings.Join(qemuArgs(c), " "); !strings.Contains(a, "tcg,thread=multi") {
		t.Errorf("multi: %s", a)
	}
}

func TestClaimsTable(t *testing.T) {
	res := func(pairs ...string) []claims.Result {
		var out []claims.Result
		for i := 0; i < len(pairs); i += 2 {
			out = append(out, claims.Result{ID: pairs[i], Claim: "claim " + pairs[i], Verdict: claims.Verdict(pairs[i+1])})
		}
		return out
	}
	runs := []KernelRun{
		{Spec: "debian:6.1", Kind: KindDebian, Release: "6.1.0-56-amd64", Accel: "tcg", Emulated: true, OK: true,
			Claims: res("C1", "refuted", "C3", "holds", "C6", "partly"), AccelNote: "KVM was tried first and failed: x",
			Retried: "hung: no heartbeat from the guest for 35s (the kernel reported a soft lockup)"},
		{Spec: "debian:6.12", Kind: KindDebian, Release: "6.12.117+deb12-amd64", Accel: "tcg", Emulated: true, OK: true,
			Claims: res("C1", "refuted", "C3", "refuted", "C6", "holds"), AccelNote: "KVM was tried first and failed: x"},
		{Spec: "debian:4.19", Kind: KindDebian, Error: "4.19.0-27-amd64: no BPF ring buffer (needs 5.8 or later)"},
		{Spec: "host", Kind: KindHost, Release: "6.18.44", Accel: "none", OK: true,
			Claims: res("C1", "refuted", "C3", "refuted", "C6", "refuted")},
	}
	var b strings.Builder
	claimstable.WriteText(&b, columns(runs))
	out := b.String()
	t.Logf("\n%s", out)
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "claim") || !strings.Contains(lines[0], "6.1.0-56-amd64") || !strings.Contains(lines[0], "debian:4.19") {
		t.Errorf("header: %q", lines[0])
	}
	if !strings.Contains(lines[1], "(tcg)") || !strings.Contains(lines[1], "(host)") {
		t.Errorf("second header: %q", lines[1])
	}
	row := func(id string) []string {
		for _, l := range lines {
			if strings.HasPrefix(l, id+" ") {
				return strings.Fields(l)
			}
		}
		t.Fatalf("no row %s", id)
		return nil
	}
	if r := row("C3"); strings.Join(r, " ") != "C3 holds * refuted failed refuted" {
		t.Errorf("C3 row %q", r)
	}
	if r := row("C6"); strings.Join(r, " ") != "C6 partly † holds † failed refuted" {
		t.Errorf("C6 row %q (emulated timings are not compared with the host)", r)
	}
	for _, want := range []string{"* differs from the host kernel (6.18.44)", "compare only with other emulated guests, never with hardware",
		"debian:4.19: failed: 4.19.0-27-amd64: no BPF ring buffer", "debian:6.1: booted twice", "soft lockup", "claim C6"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	if strings.Count(out, "KVM was tried first") != 1 {
		t.Errorf("the KVM note should appear once")
	}
	var md strings.Builder
	claimstable.WriteMarkdown(&md, columns(runs))
	if !strings.Contains(md.String(), "| C3 | holds * | refuted | failed | refuted |") {
		t.Errorf("markdown:\n%s", md.String())
	}
}
