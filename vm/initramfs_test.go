package vm

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cavaliergopher/cpio"
)

type entry struct {
	mode cpio.FileMode
	data []byte
}

// listArchive reads every entry of a (possibly concatenated) newc archive,
// as the kernel unpacks it: later entries replace earlier ones.
func listArchive(t *testing.T, b []byte) ([]string, map[string]entry) {
	t.Helper()
	var names []string
	got := map[string]entry{}
	r := bytes.NewReader(b)
	for r.Len() > 0 {
		cr := cpio.NewReader(r)
		for {
			h, err := cr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("reading the archive: %v", err)
			}
			data, err := io.ReadAll(cr)
			if err != nil {
				t.Fatal(err)
			}
			names = append(names, h.Name)
			got[h.Name] = entry{h.Mode, data}
		}
		// Skip the trailer's padding up to the next archive.
		for r.Len() > 0 {
			c, _ := r.ReadByte()
			if c != 0 {
				r.UnreadByte()
				break
			}
		}
	}
	return names, got
}

func TestInitramfsContents(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "ringbench")
	os.WriteFile(bin, []byte("\x7fELF static ringbench"), 0o755)
	mods := []Module{{Name: "netfs", Path: filepath.Join(dir, "netfs.ko")}, {Name: "9p", Path: filepath.Join(dir, "9p.ko")}}
	os.WriteFile(mods[0].Path, []byte("netfs module"), 0o644)
	os.WriteFile(mods[1].Path, []byte("9p module"), 0o644)
	files, err := guestFiles(bin, mods)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := writeInitramfs(&buf, files); err != nil {
		t.Fatal(err)
	}
	cfg := guestConfig{Args: []string{"claims", "--only", "C1,C2", "--json", "@OUT@/claims.json"}, Accel: "tcg", Release: "6.12.117+deb12-amd64", HeartbeatS: 10}
	tail, err := configArchive(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if buf.Len()%4 != 0 {
		t.Errorf("archive length %d is not 4-byte aligned", buf.Len())
	}
	names, got := listArchive(t, append(buf.Bytes(), tail...))
	t.Logf("archive: %s", strings.Join(names, " "))

	for _, d := range []string{"dev", "proc", "sys", "tmp", "mnt", "mnt/share", "ringbench", "ringbench/modules"} {
		if e, ok := got[d]; !ok || e.mode&cpio.ModeType != cpio.TypeDir {
			t.Errorf("folder %s: %v, %o", d, ok, e.mode)
		}
	}
	if e := got["dev/console"]; e.mode&cpio.ModeType != cpio.TypeChar || e.mode.Perm() != 0o600 {
		t.Errorf("dev/console mode %o, want a char device 0600", e.mode)
	}
	if e := got["init"]; e.mode != cpio.TypeReg|0o755 || string(e.data) != "\x7fELF static ringbench" {
		t.Errorf("init: mode %o, %q", e.mode, e.data)
	}
	if string(got["ringbench/modules/01-netfs.ko"].data) != "netfs module" || string(got["ringbench/modules/02-9p.ko"].data) != "9p module" {
		t.Errorf("modules: %q %q", got["ringbench/modules/01-netfs.ko"].data, got["ringbench/modules/02-9p.ko"].data)
	}
	var back guestConfig
	if err := json.Unmarshal(got["ringbench/guest.json"].data, &back); err != nil {
		t.Fatalf("guest.json: %v", err)
	}
	if strings.Join(back.Args, " ") != strings.Join(cfg.Args, " ") || back.Accel != "tcg" || back.Release != cfg.Release {
		t.Errorf("guest.json = %+v", back)
	}
	// Parents come before their children, and dev/console after dev.
	pos := map[string]int{}
	for i, n := range names {
		if _, ok := pos[n]; !ok {
			pos[n] = i
		}
	}
	for _, n := range names {
		if p := filepath.Dir(n); p != "." && pos[p] > pos[n] {
			t.Errorf("%s comes before its folder %s", n, p)
		}
	}
}

func TestWriteCharDevHeader(t *testing.T) {
	var b bytes.Buffer
	if err := writeCharDev(&b, "dev/console", 0o600, 5, 1); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	if len(h)%4 != 0 || !strings.HasPrefix(h, "070701") {
		t.Fatalf("header %q", h)
	}
	// After the magic: ino, mode, uid, gid, nlink, mtime, filesize,
	// devmajor, devminor, rdevmajor, rdevminor, namesize, check.
	if h[6+9*8:6+10*8] != "00000005" || h[6+10*8:6+11*8] != "00000001" {
		t.Errorf("device numbers in %q", h[:110])
	}
	if h[110:110+len("dev/console")] != "dev/console" {
		t.Errorf("name in %q", h[110:])
	}
}
