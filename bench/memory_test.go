package bench

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPerfRingBytes(t *testing.T) {
	dir := t.TempDir()
	maps := func(body string) string {
		path := filepath.Join(dir, "maps")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	path := maps(`7f0000000000-7f0000003000 rw-s 00000000 00:0f 1052   anon_inode:[perf_event]
7f0000010000-7f0000012000 r--s 00001000 00:0f 1053   anon_inode:bpf-map
7f0000020000-7f0000023000 rw-s 00000000 00:0f 1052   anon_inode:[perf_event]
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0      [stack]
7ffd00030000-7ffd00031000 r-xp 00000000 00:00 0
`)
	if n, err := perfRingBytes(path); err != nil || n != 2*0x3000 {
		t.Errorf("perfRingBytes = %d, %v; want %d", n, err, 2*0x3000)
	}
	path = maps("zz-7f0000003000 rw-s 00000000 00:0f 1052 anon_inode:[perf_event]\n")
	if _, err := perfRingBytes(path); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("malformed range: %v", err)
	}
	if _, err := perfRingBytes(filepath.Join(dir, "missing")); err == nil {
		t.Error("missing file: no error")
	}
}
