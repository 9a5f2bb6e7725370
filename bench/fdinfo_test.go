package bench

import (
	"os"
	"strings"
	"testing"

	"github.com/cilium/ebpf"

	"ringbench/internal/testutil"
)

func TestParseFdinfo(t *testing.T) {
	f, err := os.Open("testdata/fdinfo-ringbuf.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ParseFdinfo(f)
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{
		"map_type": "27", "max_entries": "1048576", "memlock": "1065072",
		"map_flags": "0x0", "flags": "02000002", "frozen": "0",
	} {
		if m[k] != want {
			t.Errorf("%s = %q, want %q", k, m[k], want)
		}
	}
	if len(m) != 13 {
		t.Errorf("got %d keys, want 13: %q", len(m), m)
	}
}

func TestMapMemlockFrom(t *testing.T) {
	for _, tc := range []struct {
		file    string
		want    uint64
		wantErr string
	}{
		{"fdinfo-ringbuf.txt", 1065072, ""},
		{"fdinfo-plain.txt", 0, "no memlock"},
		{"fdinfo-badmemlock.txt", 0, "invalid syntax"},
	} {
		f, err := os.Open("testdata/" + tc.file)
		if err != nil {
			t.Fatal(err)
		}
		got, err := mapMemlockFrom(f)
		f.Close()
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.file, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("%s: error %v, want one containing %q", tc.file, err, tc.wantErr)
		case got != tc.want:
			t.Errorf("%s: memlock %d, want %d", tc.file, got, tc.want)
		}
	}
}

func TestMapMemlockNotAMap(t *testing.T) {
	f, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, err := MapMemlock(int(f.Fd())); err == nil {
		t.Errorf("MapMemlock(%s) = %d, want an error", os.DevNull, n)
	}
}

// TestMapMemlockRingbuf reads a real map's fdinfo where BPF maps can be
// created (root or CAP_BPF); elsewhere it is skipped, with the reason.
func TestMapMemlockRingbuf(t *testing.T) {
	testutil.RequireBPF(t)
	const size = 1 << 16
	m, err := ebpf.NewMap(&ebpf.MapSpec{Type: ebpf.RingBuf, MaxEntries: size})
	if err != nil {
		t.Fatalf("create a ringbuf map: %v", err)
	}
	defer m.Close()
	n, err := MapMemlock(m.FD())
	if err != nil {
		t.Fatal(err)
	}
	// The kernel's account covers at least the data pages.
	if n < size {
		t.Errorf("memlock %d < ring size %d", n, size)
	}
}
