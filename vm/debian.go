package vm

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode"
)

// DefaultCache is where kernels and the guest binary are kept:
// $XDG_CACHE_HOME/ringbench/vm, else ~/.cache/ringbench/vm.
func DefaultCache() string {
	if d := os.Getenv("XDG_CACHE_HOME"); d != "" {
		return filepath.Join(d, "ringbench", "vm")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".cache", "ringbench", "vm")
	}
	return filepath.Join(os.TempDir(), "ringbench-vm-cache")
}

// debianPackagePattern matches the unsigned linux-image packages of a
// debian: spec, e.g. linux-image-6.1.0-56-amd64-unsigned for debian:6.1 and
// linux-image-6.12.117+deb12-rt-amd64-unsigned for debian:6.12-rt.
func debianPackagePattern(s Spec) *regexp.Regexp {
	flav := ""
	if s.Flavour != "" {
		flav = regexp.QuoteMeta(s.Flavour) + "-"
	}
	// The version must end at a component boundary: debian:6.1 must not
	// match 6.12, debian:6.1.0-5 must not match 6.1.0-56.
	return regexp.MustCompile(`^linux-image-` + regexp.QuoteMeta(s.Version) +
		`([.+-][0-9a-z.+~-]*)?-` + flav + `amd64-unsigned$`)
}

// newestPackage picks, among package names, the newest that matches the
// spec, comparing the digit runs of the names as numbers.
func newestPackage(s Spec, names []string) string {
	re := debianPackagePattern(s)
	var m []string
	for _, n := range names {
		if re.MatchString(n) && (s.Flavour != "" || !hasFlavour(n)) {
			m = append(m, n)
		}
	}
	if len(m) == 0 {
		return ""
	}
	sort.Slice(m, func(i, j int) bool { return naturalLess(m[i], m[j]) })
	return m[len(m)-1]
}

func hasFlavour(name string) bool {
	for _, f := range debianFlavours {
		if strings.HasSuffix(name, "-"+f+"-amd64-unsigned") {
			return true
		}
	}
	return false
}

// naturalLess compares strings with their digit runs taken as numbers.
func naturalLess(a, b string) bool {
	for a != "" && b != "" {
		da, db := unicode.IsDigit(rune(a[0])), unicode.IsDigit(rune(b[0]))
		if da && db {
			na, ra := digitRun(a)
			nb, rb := digitRun(b)
			na, nb = strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if len(na) != len(nb) {
				return len(na) < len(nb)
			}
			if na != nb {
				return na < nb
			}
			a, b = ra, rb
			continue
		}
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		a, b = a[1:], b[1:]
	}
	return len(a) < len(b)
}

func digitRun(s string) (string, string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

// aptUpdated makes apt-get update run at most once per process.
var aptUpdated sync.Once

// aptCandidates lists the linux-image-*-unsigned package names apt knows.
func aptCandidates(ctx context.Context, s Spec) ([]string, error) {
	if _, err := exec.LookPath("apt-cache"); err != nil {
		return nil, fmt.Errorf("apt-cache not found: debian: kernels need Debian's apt")
	}
	out, err := exec.CommandContext(ctx, "apt-cache", "search", "--names-only",
		"^linux-image-"+regexp.QuoteMeta(s.Version)+".*-amd64-unsigned$").Output()
	if err != nil {
		return nil, fmt.Errorf("apt-cache search: %v", err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if n, _, _ := strings.Cut(line, " "); n != "" {
			names = append(names, n)
		}
	}
	return names, nil
}

// fetchDebian resolves a debian: spec to the newest matching
// linux-image-…-amd64-unsigned package, downloads it with apt-get download
// and unpacks it with dpkg-deb -x under cache/debian/<package>/, unless it
// is there already. Without apt (or when apt knows no match) the newest
// matching package already in the cache is used.
func fetchDebian(ctx context.Context, s Spec, cache string, log io.Writer) (Kernel, error) {
	names, aptErr := aptCandidates(ctx, s)
	pkg := newestPackage(s, names)
	if pkg == "" && aptErr == nil && os.Geteuid() == 0 {
		// apt's lists may never have been fetched on this machine.
		aptUpdated.Do(func() {
			fmt.Fprintln(log, "vm: apt knows no linux-image for", s.Raw+": running apt-get update")
			_ = exec.CommandContext(ctx, "apt-get", "update").Run()
		})
		names, aptErr = aptCandidates(ctx, s)
		pkg = newestPackage(s, names)
	}
	base := filepath.Join(cache, "debian")
	if pkg == "" {
		// Offline: the newest cached match.
		ents, _ := os.ReadDir(base)
		var cached []string
		for _, e := range ents {
			if exists(filepath.Join(base, e.Name(), "kernel.json")) {
				cached = append(cached, e.Name())
			}
		}
		if pkg = newestPackage(s, cached); pkg == "" {
			why := "apt knows no matching linux-image-…-amd64-unsigned package"
			if aptErr != nil {
				why = aptErr.Error()
			}
			return Kernel{}, fmt.Errorf("%s, and none is cached in %s", why, base)
		}
	}
	dir := filepath.Join(base, pkg)
	if k, err := readCachedKernel(dir, s); err == nil {
		return k, nil
	}
	fmt.Fprintf(log, "vm: %s: downloading %s\n", s.Raw, pkg)
	if err := os.MkdirAll(base, 0o755); err != nil {
		return Kernel{}, err
	}
	tmp, err := os.MkdirTemp(base, ".fetch-")
	if err != nil {
		return Kernel{}, err
	}
	defer os.RemoveAll(tmp)
	_ = os.Chmod(tmp, 0o755) // lets apt's _apt user write there when it can
	dl := exec.CommandContext(ctx, "apt-get", "download", pkg)
	dl.Dir = tmp
	if out, err := dl.CombinedOutput(); err != nil {
		return Kernel{}, fmt.Errorf("apt-get download %s: %v: %s", pkg, err, lastLine(out))
	}
	return unpackDebian(ctx, s, pkg, tmp, dir)
}

func unpackDebian(ctx context.Context, s Spec, pkg, tmp, dir string) (Kernel, error) {
	debs, _ := filepath.Glob(filepath.Join(tmp, pkg+"_*.deb"))
	if len(debs) == 0 {
		return Kernel{}, fmt.Errorf("apt-get download left no %s_*.deb", pkg)
	}
	deb := debs[len(debs)-1]
	defer os.Remove(deb)
	version := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(deb), pkg+"_"), "_amd64.deb")
	root := filepath.Join(tmp, "root")
	if out, err := exec.CommandContext(ctx, "dpkg-deb", "-x", deb, root).CombinedOutput(); err != nil {
		return Kernel{}, fmt.Errorf("dpkg-deb -x %s: %v: %s", deb, err, lastLine(out))
	}
	images, _ := filepath.Glob(filepath.Join(root, "boot", "vmlinuz-*"))
	if len(images) != 1 {
		return Kernel{}, fmt.Errorf("%s holds %d boot/vmlinuz-* files, want 1", pkg, len(images))
	}
	rel := strings.TrimPrefix(filepath.Base(images[0]), "vmlinuz-")
	meta := cachedKernel{Package: pkg + "=" + version, Release: rel}
	b, _ := json.MarshalIndent(meta, "", "  ")
	if err := os.WriteFile(filepath.Join(tmp, "kernel.json"), b, 0o644); err != nil {
		return Kernel{}, err
	}
	_ = os.RemoveAll(dir)
	if err := os.Rename(tmp, dir); err != nil {
		return Kernel{}, err
	}
	return readCachedKernel(dir, s)
}

// cachedKernel is cache/debian/<package>/kernel.json, written last: a
// folder without it is an interrupted fetch.
type cachedKernel struct {
	Package string `json:"package"`
	Release string `json:"release"`
}

func readCachedKernel(dir string, s Spec) (Kernel, error) {
	b, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		return Kernel{}, err
	}
	var m cachedKernel
	if err := json.Unmarshal(b, &m); err != nil {
		return Kernel{}, err
	}
	root := filepath.Join(dir, "root")
	k := Kernel{Spec: s, Release: m.Release, Package: m.Package,
		Image:  filepath.Join(root, "boot", "vmlinuz-"+m.Release),
		Config: filepath.Join(root, "boot", "config-"+m.Release)}
	for _, d := range []string{"lib/modules", "usr/lib/modules"} {
		if p := filepath.Join(root, d, m.Release); exists(p) {
			k.Modules = p
			break
		}
	}
	if !exists(k.Image) {
		return Kernel{}, fmt.Errorf("%s: missing", k.Image)
	}
	if !exists(k.Config) {
		k.Config = ""
	}
	return k, nil
}

func lastLine(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	return lines[len(lines)-1]
}
