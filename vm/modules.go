package vm

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// ninePModules are what the guest needs for the 9p share, leaves last:
// the virtio PCI transport, 9p over virtio, and the 9p file system. Their
// dependencies are found from modinfo; whatever the kernel has built in is
// skipped (6.12 builds virtio_pci in, 6.1 does not).
var ninePModules = []string{"virtio_pci", "9pnet_virtio", "9p"}

// Module is one kernel module to load, in order.
type Module struct {
	Name string `json:"name"`
	Path string `json:"path"` // the .ko, .ko.xz, .ko.zst or .ko.gz on the host
}

// moduleName normalises a module name as the kernel does ('-' → '_').
func moduleName(s string) string {
	s = filepath.Base(s)
	for _, ext := range []string{".xz", ".zst", ".gz"} {
		s = strings.TrimSuffix(s, ext)
	}
	return strings.ReplaceAll(strings.TrimSuffix(s, ".ko"), "-", "_")
}

// moduleTree indexes a lib/modules/<release> folder: every module file by
// name, and the names the kernel has built in (modules.builtin).
type moduleTree struct {
	Dir     string
	Files   map[string]string
	Builtin map[string]bool
}

// readModuleTree walks dir for modules and reads its modules.builtin.
func readModuleTree(dir string) (*moduleTree, error) {
	t := &moduleTree{Dir: dir, Files: map[string]string{}, Builtin: map[string]bool{}}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.Contains(d.Name(), ".ko") {
			if n := moduleName(d.Name()); t.Files[n] == "" {
				t.Files[n] = p
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if b, err := os.ReadFile(filepath.Join(dir, "modules.builtin")); err == nil {
		for _, line := range strings.Fields(string(b)) {
			t.Builtin[moduleName(line)] = true
		}
	}
	return t, nil
}

// dependsFunc returns the depends: field of a module file.
type dependsFunc func(path string) ([]string, error)

// Resolve orders the modules that roots need, dependencies first, each
// once. Built-in roots and dependencies are skipped; a module that is
// neither a file nor built in is an error.
func (t *moduleTree) Resolve(roots []string, depends dependsFunc) ([]Module, error) {
	var out []Module
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(name string, chain []string) error
	visit = func(name string, chain []string) error {
		name = moduleName(name)
		switch state[name] {
		case 1:
			return fmt.Errorf("module dependency cycle: %s → %s", strings.Join(chain, " → "), name)
		case 2:
			return nil
		}
		path, ok := t.Files[name]
		if !ok {
			if t.Builtin[name] {
				state[name] = 2
				return nil
			}
			via := ""
			if len(chain) > 0 {
				via = " (needed by " + chain[len(chain)-1] + ")"
			}
			return fmt.Errorf("module %s%s: neither in %s nor built in", name, via, t.Dir)
		}
		state[name] = 1
		deps, err := depends(path)
		if err != nil {
			return fmt.Errorf("module %s: %w", name, err)
		}
		for _, d := range deps {
			if err := visit(d, append(chain, name)); err != nil {
				return err
			}
		}
		state[name] = 2
		out = append(out, Module{Name: name, Path: path})
		return nil
	}
	for _, r := range roots {
		if err := visit(r, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// parseModinfo reads the depends: field of modinfo's output.
func parseModinfo(out string) []string {
	s := bufio.NewScanner(strings.NewReader(out))
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if !ok || strings.TrimSpace(k) != "depends" {
			continue
		}
		var deps []string
		for _, d := range strings.Split(strings.TrimSpace(v), ",") {
			if d = strings.TrimSpace(d); d != "" {
				deps = append(deps, d)
			}
		}
		return deps
	}
	return nil
}

// modinfoDepends runs modinfo on a module file; without modinfo it reads
// the module's .modinfo ELF section itself.
func modinfoDepends(path string) ([]string, error) {
	if _, err := exec.LookPath("modinfo"); err == nil {
		out, err := exec.Command("modinfo", path).Output()
		if err == nil {
			return parseModinfo(string(out)), nil
		}
	}
	b, err := moduleBytes(path)
	if err != nil {
		return nil, err
	}
	f, err := elf.NewFile(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	sec := f.Section(".modinfo")
	if sec == nil {
		return nil, fmt.Errorf("%s: no .modinfo section", path)
	}
	data, err := sec.Data()
	if err != nil {
		return nil, err
	}
	var text strings.Builder
	for _, kv := range bytes.Split(data, []byte{0}) {
		if k, v, ok := strings.Cut(string(kv), "="); ok {
			fmt.Fprintf(&text, "%s: %s\n", k, v)
		}
	}
	return parseModinfo(text.String()), nil
}

// moduleBytes reads a module file, decompressing .ko.gz in Go and .ko.xz /
// .ko.zst with the host's xz / zstd (the guest's finit_module gets plain
// ELF, so the guest kernel needs no module decompression support).
func moduleBytes(path string) ([]byte, error) {
	switch {
	case strings.HasSuffix(path, ".ko"):
		return os.ReadFile(path)
	case strings.HasSuffix(path, ".gz"):
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		gz, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return io.ReadAll(gz)
	case strings.HasSuffix(path, ".xz"):
		return decompressTool("xz", path)
	case strings.HasSuffix(path, ".zst"):
		return decompressTool("zstd", path)
	}
	return nil, fmt.Errorf("%s: not a kernel module file", path)
}

func decompressTool(tool, path string) ([]byte, error) {
	if _, err := exec.LookPath(tool); err != nil {
		return nil, fmt.Errorf("%s: decompressing needs %s on the host (apt-get install %s)", path, tool, map[string]string{"xz": "xz-utils", "zstd": "zstd"}[tool])
	}
	var stderr bytes.Buffer
	cmd := exec.Command(tool, "-dc", path)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s -dc %s: %v: %s", tool, path, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
