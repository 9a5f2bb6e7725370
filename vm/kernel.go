package vm

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Kernel is a spec resolved to files on disk (or to the running kernel).
type Kernel struct {
	Spec    Spec   `json:"-"`
	Release string `json:"release"`
	Image   string `json:"image,omitempty"`   // the bzImage
	Modules string `json:"modules,omitempty"` // lib/modules/<release>
	Config  string `json:"config,omitempty"`  // the kernel's .config, "" if unknown
	Package string `json:"package,omitempty"` // debian: name=version
}

// Resolve turns a spec into a kernel: the host's release, a Debian package
// fetched into the cache, or files on disk.
func Resolve(ctx context.Context, s Spec, cache string, log io.Writer) (Kernel, error) {
	switch s.Kind {
	case KindHost:
		var u unix.Utsname
		if err := unix.Uname(&u); err != nil {
			return Kernel{}, err
		}
		rel := unix.ByteSliceToString(u.Release[:])
		k := Kernel{Spec: s, Release: rel}
		if c := "/boot/config-" + rel; exists(c) {
			k.Config = c
		}
		return k, nil
	case KindDebian:
		return fetchDebian(ctx, s, cache, log)
	case KindPath:
		return pathKernel(s)
	}
	return Kernel{}, fmt.Errorf("unknown kind of kernel spec")
}

func pathKernel(s Spec) (Kernel, error) {
	if _, err := os.Stat(s.Image); err != nil {
		return Kernel{}, err
	}
	rel, err := imageRelease(s.Image)
	if err != nil {
		return Kernel{}, err
	}
	k := Kernel{Spec: s, Release: rel, Image: s.Image, Modules: s.Modules}
	if k.Modules != "" {
		if st, err := os.Stat(k.Modules); err != nil || !st.IsDir() {
			return Kernel{}, fmt.Errorf("modules folder %s: not a folder", k.Modules)
		}
	}
	dir := filepath.Dir(s.Image)
	for _, c := range []string{filepath.Join(dir, "config-"+rel), filepath.Join(dir, ".config"), filepath.Join(dir, "config")} {
		if exists(c) {
			k.Config = c
			break
		}
	}
	return k, nil
}

// imageRelease reads the kernel release from an x86 bzImage's setup header
// (the kernel_version string that "file" prints).
func imageRelease(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	hdr := make([]byte, 0x210)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return "", fmt.Errorf("%s: not a bzImage: %w", path, err)
	}
	if string(hdr[0x202:0x206]) != "HdrS" {
		return "", fmt.Errorf("%s: not an x86 bzImage (no HdrS setup header)", path)
	}
	off := binary.LittleEndian.Uint16(hdr[0x20e:])
	if off == 0 {
		return "", fmt.Errorf("%s: the bzImage names no kernel version", path)
	}
	buf := make([]byte, 256)
	n, err := f.ReadAt(buf, int64(off)+0x200)
	if n == 0 {
		return "", fmt.Errorf("%s: reading the kernel version: %v", path, err)
	}
	s, _, _ := strings.Cut(string(buf[:n]), "\x00")
	rel, _, _ := strings.Cut(s, " ")
	if _, _, ok := parseRelease(rel); !ok {
		return "", fmt.Errorf("%s: unreadable kernel version %q", path, s)
	}
	return rel, nil
}

// parseRelease reads MAJOR.MINOR from a release like 6.12.117+deb12-amd64.
func parseRelease(rel string) (major, minor int, ok bool) {
	a, rest, ok1 := strings.Cut(rel, ".")
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	var err1, err2 error
	major, err1 = strconv.Atoi(a)
	minor, err2 = strconv.Atoi(rest[:end])
	return major, minor, ok1 && err1 == nil && err2 == nil && end > 0
}

// Check refuses, before anything is booted, kernels that cannot run
// ringbench: older than 5.8 (no BPF ring buffer) or, when its config is
// known, built without BTF or without the bpf syscall. The guest checks
// BTF again (/sys/kernel/btf/vmlinux) when the config is unknown.
func Check(k Kernel) error {
	major, minor, ok := parseRelease(k.Release)
	if !ok {
		return fmt.Errorf("unreadable release %q", k.Release)
	}
	if major < 5 || (major == 5 && minor < 8) {
		return fmt.Errorf("%s: no BPF ring buffer (needs 5.8 or later)", k.Release)
	}
	if k.Spec.Kind == KindHost {
		if !exists("/sys/kernel/btf/vmlinux") {
			return fmt.Errorf("%s: no BTF (/sys/kernel/btf/vmlinux missing)", k.Release)
		}
		return nil
	}
	if k.Config == "" {
		return nil
	}
	cfg, err := readConfig(k.Config)
	if err != nil {
		return err
	}
	if cfg["CONFIG_BPF_SYSCALL"] != "y" {
		return fmt.Errorf("%s: no BPF (built without CONFIG_BPF_SYSCALL)", k.Release)
	}
	if cfg["CONFIG_DEBUG_INFO_BTF"] != "y" {
		return fmt.Errorf("%s: no BTF (built without CONFIG_DEBUG_INFO_BTF)", k.Release)
	}
	return nil
}

// readConfig reads a kernel .config (plain or gzip) into NAME → value.
func readConfig(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = gz
	}
	out := map[string]string{}
	s := bufio.NewScanner(r)
	for s.Scan() {
		if k, v, ok := strings.Cut(s.Text(), "="); ok && strings.HasPrefix(k, "CONFIG_") {
			out[k] = strings.Trim(v, `"`)
		}
	}
	return out, s.Err()
}
