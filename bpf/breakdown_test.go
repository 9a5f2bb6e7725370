package bpf

import (
	"encoding/binary"
	"runtime"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"ringbench/internal/testutil"
)

func TestParseWaitRecord(t *testing.T) {
	raw := make([]byte, 32)
	ne := binary.NativeEndian
	ne.PutUint32(raw[0:], 42)
	ne.PutUint64(raw[8:], 100)
	ne.PutUint64(raw[16:], 150)
	ne.PutUint64(raw[24:], 170)
	if w, err := parseWaitRecord(raw); err != nil || w != (Wait{TID: 42, Wake: 100, OnCPU: 150, Return: 170}) {
		t.Errorf("got %+v, %v", w, err)
	}
	if _, err := parseWaitRecord(raw[:31]); err == nil {
		t.Error("short record: no error")
	}
}

// A thread of this process that sleeps in epoll_wait until an eventfd is
// written shows as one wait per sleep, woken after the write, on a CPU
// after that, returning after that; a wait that finds the fd ready does
// not sleep.
func TestBreakdownWaits(t *testing.T) {
	testutil.RequireBPF(t)
	b, err := StartBreakdown(unix.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(efd)
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ep)
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, efd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(efd)}); err != nil {
		t.Fatal(err)
	}
	const sleeps = 5
	done := make(chan int)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		events := make([]unix.EpollEvent, 1)
		var buf [8]byte
		for range sleeps {
			unix.EpollWait(ep, events, -1)
			unix.Read(efd, buf[:])
		}
		done <- unix.Gettid()
	}()
	one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
	var writes []int64
	for range sleeps {
		time.Sleep(20 * time.Millisecond)
		var ts unix.Timespec
		unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
		writes = append(writes, ts.Nano())
		unix.Write(efd, one)
	}
	tid := <-done
	waits, counts, err := b.Stop()
	if err != nil {
		t.Fatal(err)
	}
	var mine []Wait
	for _, w := range waits {
		if w.TID == tid {
			mine = append(mine, w)
		}
	}
	if len(mine) != sleeps || counts.Lost != 0 {
		t.Fatalf("%d waits of thread %d (of %d, counts %+v), want %d", len(mine), tid, len(waits), counts, sleeps)
	}
	for i, w := range mine {
		if !(writes[i] <= w.Wake && w.Wake <= w.OnCPU && w.OnCPU <= w.Return && w.Return-writes[i] < int64(10*time.Millisecond)) {
			t.Errorf("wait %d: write %d, woken %d, on CPU %d, returned %d: out of order", i, writes[i], w.Wake, w.OnCPU, w.Return)
		}
	}
}
