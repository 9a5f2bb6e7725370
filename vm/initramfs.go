package vm

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path"
	"sort"
	"strings"

	"github.com/cavaliergopher/cpio"
)

// Paths inside the guest.
const (
	GuestConfigPath = "/ringbench/guest.json" // what to run: a guestConfig
	GuestModules    = "/ringbench/modules"    // NN-name.ko, loaded in order
	GuestShare      = "/mnt/share"            // the 9p share: results go there
	GuestShareTag   = "ringbench"             // its mount tag
)

// File is one regular file of the initramfs: Data, or the contents of Src
// on the host.
type File struct {
	Name string // path inside the archive, e.g. "init", "ringbench/guest.json"
	Perm os.FileMode
	Data []byte
	Src  string
}

// baseDirs are created whatever the files are: mount points and /dev.
var baseDirs = []string{"dev", "proc", "sys", "tmp", "mnt", "mnt/share", "run", "root"}

// writeInitramfs writes a newc cpio archive (uncompressed, which every
// kernel accepts): the base folders, a /dev/console node (so PID 1 has its
// standard streams before devtmpfs is mounted), every parent folder of the
// files, then the files.
func writeInitramfs(w io.Writer, files []File) error { return writeArchive(w, files, true) }

// writeArchive writes files and their parent folders, and with base the
// base folders and /dev/console too.
func writeArchive(w io.Writer, files []File, base bool) error {
	dirs := map[string]bool{}
	if base {
		for _, d := range baseDirs {
			dirs[d] = true
		}
	}
	for _, f := range files {
		name := strings.TrimPrefix(path.Clean("/"+f.Name), "/")
		if name == "" || name == "." {
			return fmt.Errorf("initramfs: bad file name %q", f.Name)
		}
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	var ds []string
	for d := range dirs {
		ds = append(ds, d)
	}
	sort.Strings(ds) // a parent sorts before its children
	cw := cpio.NewWriter(w)
	for _, d := range ds {
		if err := cw.WriteHeader(&cpio.Header{Name: d, Mode: cpio.TypeDir | 0o755, Links: 2}); err != nil {
			return err
		}
	}
	if err := cw.Flush(); err != nil {
		return err
	}
	// The library writes no device numbers: write this one entry by hand,
	// between two of its entries (every entry ends 4-byte aligned).
	if base {
		if err := writeCharDev(w, "dev/console", 0o600, 5, 1); err != nil {
			return err
		}
	}
	for _, f := range files {
		if err := writeFile(cw, f); err != nil {
			return err
		}
	}
	return cw.Close()
}

func writeFile(cw *cpio.Writer, f File) error {
	name := strings.TrimPrefix(path.Clean("/"+f.Name), "/")
	perm := f.Perm
	if perm == 0 {
		perm = 0o644
	}
	var r io.Reader
	size := int64(len(f.Data))
	if f.Src != "" {
		src, err := os.Open(f.Src)
		if err != nil {
			return err
		}
		defer src.Close()
		st, err := src.Stat()
		if err != nil {
			return err
		}
		size, r = st.Size(), src
	} else {
		r = strings.NewReader(string(f.Data))
	}
	hdr := &cpio.Header{Name: name, Mode: cpio.TypeReg | cpio.FileMode(perm.Perm()), Size: size, Links: 1}
	if err := cw.WriteHeader(hdr); err != nil {
		return err
	}
	n, err := io.Copy(cw, r)
	if err != nil {
		return fmt.Errorf("initramfs: %s: %w", name, err)
	}
	if n != size {
		return fmt.Errorf("initramfs: %s: wrote %d of %d bytes", name, n, size)
	}
	return nil
}

// writeCharDev writes one newc entry for a character device.
func writeCharDev(w io.Writer, name string, perm uint32, major, minor int) error {
	const ino = 0x7ffffff0
	hdr := fmt.Sprintf("070701%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x%08x",
		ino, cpio.TypeChar|perm, 0, 0, 1, 0, 0, 0, 0, major, minor, len(name)+1, 0)
	entry := hdr + name + "\x00"
	for len(entry)%4 != 0 {
		entry += "\x00"
	}
	_, err := io.WriteString(w, entry)
	return err
}

// guestFiles lists what every guest's initramfs holds: the ringbench binary
// as /init and the modules (decompressed here, on the host) as
// /ringbench/modules/NN-name.ko, loaded in that order.
func guestFiles(binary string, modules []Module) ([]File, error) {
	files := []File{{Name: "init", Perm: 0o755, Src: binary}}
	for i, m := range modules {
		b, err := moduleBytes(m.Path)
		if err != nil {
			return nil, err
		}
		files = append(files, File{Name: fmt.Sprintf("%s/%02d-%s.ko", strings.TrimPrefix(GuestModules, "/"), i+1, m.Name), Data: b})
	}
	return files, nil
}

// configArchive is a second, small archive holding only guest.json. The
// kernel unpacks concatenated archives in order, so each boot appends its
// own configuration to the same base archive.
func configArchive(cfg guestConfig) ([]byte, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	err = writeArchive(&buf, []File{{Name: strings.TrimPrefix(GuestConfigPath, "/"), Data: b}}, false)
	return buf.Bytes(), err
}
