package vm

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeQemu writes a shell script that stands in for qemu.
func fakeQemu(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "qemu")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func bootFake(t *testing.T, body string, c bootConfig) (bootResult, time.Duration) {
	t.Helper()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	// A unique sleep, to find the fake's children afterwards.
	nap := fmt.Sprintf("sleep 60.%06d", time.Now().UnixNano()%1e6)
	c.Qemu = fakeQemu(t, strings.ReplaceAll(body, "sleep 60", nap))
	if c.Timeout == 0 {
		c.Timeout = 20 * time.Second
	}
	if c.StartTimeout == 0 {
		c.StartTimeout = 10 * time.Second
	}
	if c.Stall == 0 {
		c.Stall = 10 * time.Second
	}
	c.Accel, c.CPUs, c.MemMB = "tcg", 1, 256
	t0 := time.Now()
	res := Boot(context.Background(), c)
	took := time.Since(t0)
	// Nothing of the fake (nor its sleeping child) is left running.
	time.Sleep(100 * time.Millisecond)
	for _, pat := range []string{c.Qemu, nap} {
		if out, _ := exec.Command("pgrep", "-af", pat).Output(); len(out) > 0 {
			t.Errorf("left running: %s", out)
		}
	}
	return res, took
}

func TestBootFinishes(t *testing.T) {
	res, _ := bootFake(t, `echo "Linux version 6.12"
echo "`+MarkStart+` 6.12 uptime=1s"
echo "`+MarkFileBegin+` status.json 11"
echo "eyJvayI6dHJ1ZX0="
echo "`+MarkFileEnd+` status.json"
echo "`+MarkDone+` exit=0"
exit 0`, bootConfig{})
	if res.Failure != "" || !res.Started || !res.Done {
		t.Errorf("result %+v", res)
	}
	if string(res.Files["status.json"]) != `{"ok":true}` {
		t.Errorf("files %q", res.Files)
	}
}

func TestBootHangIsKilled(t *testing.T) {
	res, took := bootFake(t, `echo "`+MarkStart+` 6.1 uptime=1s"
echo "[   20.0] watchdog: BUG: soft lockup - CPU#1 stuck for 22s!"
sleep 60`, bootConfig{Stall: time.Second})
	if !strings.HasPrefix(res.Failure, "hung: no heartbeat") || !res.SoftLockup || took > 10*time.Second {
		t.Errorf("after %v: %+v", took, res)
	}
	if !strings.Contains(strings.Join(res.Tail, "\n"), "soft lockup") {
		t.Errorf("tail %q", res.Tail)
	}
}

func TestBootNoStartIsKilled(t *testing.T) {
	res, took := bootFake(t, `echo "SeaBIOS"; sleep 60`, bootConfig{StartTimeout: time.Second})
	if !strings.Contains(res.Failure, "did not start ringbench as PID 1") || res.Started || took > 10*time.Second {
		t.Errorf("after %v: %+v", took, res)
	}
}

func TestBootTimeout(t *testing.T) {
	res, took := bootFake(t, `echo "`+MarkStart+` x"; while :; do echo "`+MarkHeartbeat+` 1s"; sleep 0.2; done`,
		bootConfig{Timeout: 2 * time.Second})
	if !strings.HasPrefix(res.Failure, "timed out after 2s") || took > 10*time.Second {
		t.Errorf("after %v: %+v", took, res)
	}
}

func TestBootKVMInternalErrorIsKilled(t *testing.T) {
	// qemu pauses the guest on an internal error instead of exiting.
	res, took := bootFake(t, `echo "KVM internal error. Suberror: 1" >&2; sleep 60`, bootConfig{})
	if !strings.Contains(res.Failure, "KVM internal error") || took > 5*time.Second {
		t.Errorf("after %v: %+v", took, res)
	}
}

func TestBootQemuFails(t *testing.T) {
	res, _ := bootFake(t, `echo "qemu-system-x86_64: kvm_buf_set_msrs: Assertion failed." >&2; exit 1`, bootConfig{})
	if !strings.Contains(res.Failure, "exit status 1") || !strings.Contains(res.Failure, "Assertion failed") {
		t.Errorf("%+v", res)
	}
}
