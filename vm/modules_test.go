package vm

import (
	"bytes"
	"compress/gzip"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// fixtureTree lays out an empty module tree from the fixture modinfo
// outputs of testdata/modinfo/<release>/ (each names its file), and returns
// it with a dependsFunc that answers from those outputs.
func fixtureTree(t *testing.T, release string) (*moduleTree, dependsFunc) {
	t.Helper()
	fix := filepath.Join("testdata", "modinfo", release)
	root := t.TempDir()
	ents, err := os.ReadDir(fix)
	if err != nil {
		t.Fatal(err)
	}
	var modDir string
	outputs := map[string]string{}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(fix, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "modules.builtin" {
			continue
		}
		var file string
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "filename:"); ok {
				file = strings.TrimSpace(v)
			}
		}
		if file == "" {
			t.Fatalf("%s names no filename", e.Name())
		}
		p := filepath.Join(root, file)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		outputs[p] = string(b)
		rel, _, _ := strings.Cut(strings.TrimPrefix(file, "/lib/modules/"), "/")
		modDir = filepath.Join(root, "lib", "modules", rel)
	}
	b, _ := os.ReadFile(filepath.Join(fix, "modules.builtin"))
	os.WriteFile(filepath.Join(modDir, "modules.builtin"), b, 0o644)
	tree, err := readModuleTree(modDir)
	if err != nil {
		t.Fatal(err)
	}
	return tree, func(p string) ([]string, error) { return parseModinfo(outputs[p]), nil }
}

func names(ms []Module) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Name)
	}
	return out
}

func TestResolveNinePDebian61(t *testing.T) {
	tree, dep := fixtureTree(t, "6.1")
	got, err := tree.Resolve(ninePModules, dep)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"virtio_ring", "virtio_pci_modern_dev", "virtio_pci_legacy_dev", "virtio", "virtio_pci",
		"9pnet", "9pnet_virtio", "netfs", "fscache", "9p"}
	if !reflect.DeepEqual(names(got), want) {
		t.Errorf("6.1 modules = %v, want %v", names(got), want)
	}
	for _, m := range got {
		if !strings.HasSuffix(m.Path, "/"+m.Name+".ko") {
			t.Errorf("%s: path %s", m.Name, m.Path)
		}
	}
}

func TestResolveNinePDebian612(t *testing.T) {
	tree, dep := fixtureTree(t, "6.12")
	if !tree.Builtin["virtio_pci"] {
		t.Fatal("modules.builtin not read")
	}
	got, err := tree.Resolve(ninePModules, dep)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"netfs", "9pnet", "9pnet_virtio", "9p"}
	if !reflect.DeepEqual(names(got), want) {
		t.Errorf("6.12 modules = %v, want %v", names(got), want)
	}
	for _, m := range got {
		if !strings.HasSuffix(m.Path, ".ko.xz") {
			t.Errorf("%s: path %s, want the .ko.xz", m.Name, m.Path)
		}
	}
}

func TestResolveErrors(t *testing.T) {
	tree := &moduleTree{Dir: "/m", Files: map[string]string{"a": "/m/a.ko", "b": "/m/b.ko"}, Builtin: map[string]bool{}}
	deps := map[string][]string{"/m/a.ko": {"b"}, "/m/b.ko": {"a"}}
	dep := func(p string) ([]string, error) { return deps[p], nil }
	if _, err := tree.Resolve([]string{"a"}, dep); err == nil || !strings.Contains(err.Error(), "cycle") {
		t.Errorf("cycle: %v", err)
	}
	deps["/m/b.ko"] = []string{"c-d"}
	_, err := tree.Resolve([]string{"a"}, dep)
	if err == nil || !strings.Contains(err.Error(), "module c_d (needed by b)") {
		t.Errorf("missing dependency: %v", err)
	}
}

func TestParseModinfo(t *testing.T) {
	for in, want := range map[string][]string{
		"name:   x\ndepends:        virtio,9pnet,virtio_ring\n": {"virtio", "9pnet", "virtio_ring"},
		"depends:        \nname: netfs\n":                       nil,
		"name: netfs\n":                                         nil,
	} {
		if got := parseModinfo(in); !reflect.DeepEqual(got, want) {
			t.Errorf("parseModinfo(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestModuleName(t *testing.T) {
	for in, want := range map[string]string{
		"kernel/net/9p/9pnet_virtio.ko.xz": "9pnet_virtio",
		"virtio-rng.ko":                    "virtio_rng",
		"9p.ko.zst":                        "9p",
		"9p":                               "9p",
	} {
		if got := moduleName(in); got != want {
			t.Errorf("moduleName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestModuleBytesDecompresses(t *testing.T) {
	dir := t.TempDir()
	want := []byte("\x7fELF not really a module")
	var gz bytes.Buffer
	w := gzip.NewWriter(&gz)
	w.Write(want)
	w.Close()
	os.WriteFile(filepath.Join(dir, "m.ko.gz"), gz.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "m.ko"), want, 0o644)
	for _, f := range []string{"m.ko", "m.ko.gz"} {
		got, err := moduleBytes(filepath.Join(dir, f))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %q, %v", f, got, err)
		}
	}
	if _, err := exec.LookPath("xz"); err == nil {
		p := filepath.Join(dir, "x.ko")
		os.WriteFile(p, want, 0o644)
		if out, err := exec.Command("xz", p).CombinedOutput(); err != nil {
			t.Fatalf("xz: %v %s", err, out)
		}
		got, err := moduleBytes(p + ".xz")
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("x.ko.xz: %q, %v", got, err)
		}
	}
}
