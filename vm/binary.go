package vm

import (
	"bytes"
	"context"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// GuestBinaryUsable says whether path can be a guest's /init: a static
// ELF (no interpreter, no shared libraries) that holds the guest code.
func GuestBinaryUsable(path string) error {
	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return fmt.Errorf("%s is dynamically linked (build it with CGO_ENABLED=0)", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		return fmt.Errorf("%s needs shared libraries %v", path, libs)
	}
	// The guest's entry point must be linked in: by its symbol, or in a
	// stripped binary by its marker string.
	if syms, err := f.Symbols(); err == nil && len(syms) > 0 {
		for _, s := range syms {
			if s.Name == "ringbench/vm.Guest" {
				return nil
			}
		}
		return fmt.Errorf("%s has no guest side (built from an older source?)", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Contains(b, []byte(MarkStart)) {
		return fmt.Errorf("%s has no guest side (built from an older source?)", path)
	}
	return nil
}

// GuestBinary finds a static ringbench for the guests: this executable
// when it is one, else one built with CGO_ENABLED=0 go build from the
// module's source (found from the working folder up) into cache/guest/.
func GuestBinary(ctx context.Context, cache string, log io.Writer) (string, error) {
	exe, err := os.Executable()
	if err == nil && !strings.HasSuffix(exe, ".test") && GuestBinaryUsable(exe) == nil {
		return exe, nil
	}
	root, err := moduleRoot()
	if err != nil {
		return "", fmt.Errorf("no static ringbench to boot (this one is %s) and no source to build one: %v", exe, err)
	}
	if _, err := exec.LookPath("go"); err != nil {
		return "", fmt.Errorf("no static ringbench to boot and no go toolchain to build one (give --guest-binary)")
	}
	out := filepath.Join(cache, "guest", "ringbench")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return "", err
	}
	fmt.Fprintf(log, "vm: building a static ringbench for the guests (%s)\n", out)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/ringbench")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("CGO_ENABLED=0 go build ./cmd/ringbench: %v: %s", err, lastLine(b))
	}
	if err := GuestBinaryUsable(out); err != nil {
		return "", err
	}
	return out, nil
}

// moduleRoot finds the ringbench module's folder from the working folder up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module ringbench\n")) {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod of module ringbench above the working folder")
		}
		dir = parent
	}
}
