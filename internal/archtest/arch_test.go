package archtest

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// layers are ringbench's packages, lowest first: a package imports only
// packages of lower layers. ARCHITECTURE.md draws the same picture.
var layers = [][]string{
	{"schema", "internal/clock", "internal/cpulist", "internal/format", "internal/hist", "internal/window", "internal/mdtext", "internal/golden"},
	{"internal/cpu", "internal/perfcount", "modes/ring", "modes/cring", "report/view"},
	{"bpf", "readiness", "report/charts"},
	{"modes", "loadgen", "internal/testutil", "report/markdown", "report/compare", "report/claimstable"},
	{"report", "machine"},
	{"bench"},
	{"claims"},
	{"vm"},
	{"cmd/ringbench"},
}

// pure are the packages that build anywhere: the standard library and
// pure-Go modules only, no cilium/ebpf or x/sys/unix, so that a results
// folder can be rendered and compared off Linux.
var pure = []string{"schema", "internal/clock", "internal/cpulist", "internal/format", "internal/hist",
	"internal/window", "internal/mdtext", "internal/golden", "report", "report/view", "report/charts", "report/markdown", "report/compare", "report/claimstable"}

// linuxOnly are the imports a pure package may not have.
var linuxOnly = []string{"github.com/cilium/ebpf", "golang.org/x/sys/unix"}

const module = "ringbench"

func TestImportDirection(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	layer := map[string]int{}
	for i, l := range layers {
		for _, p := range l {
			layer[p] = i
		}
	}
	pkgs := imports(t, root)
	for pkg, deps := range pkgs {
		l, ok := layer[pkg]
		if !ok {
			t.Errorf("package %s is in no layer: add it to layers and to ARCHITECTURE.md", pkg)
			continue
		}
		for _, d := range deps {
			if rel, ours := strings.CutPrefix(d, module+"/"); ours {
				if dl, known := layer[rel]; known && dl >= l {
					t.Errorf("%s (layer %d) imports %s (layer %d): imports go down the layers only", pkg, l, rel, dl)
				}
				if slices.Contains(pure, pkg) && !slices.Contains(pure, rel) {
					t.Errorf("%s must build off Linux, yet imports %s", pkg, rel)
				}
				continue
			}
			if slices.Contains(pure, pkg) && slices.ContainsFunc(linuxOnly, func(x string) bool { return strings.HasPrefix(d, x) }) {
				t.Errorf("%s must build off Linux, yet imports %s", pkg, d)
			}
		}
	}
	for p := range layer {
		if _, ok := pkgs[p]; !ok {
			t.Errorf("layers name %s, which does not exist", p)
		}
	}
}

// imports reads, for every package under root, the imports of its non-test
// Go files.
func imports(t *testing.T, root string) map[string][]string {
	out := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() && path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "results" || name == "bin") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		rel = filepath.ToSlash(rel)
		if rel == "internal/archtest" {
			return nil
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !slices.Contains(out[rel], p) {
				out[rel] = append(out[rel], p)
			}
		}
		if _, ok := out[rel]; !ok {
			out[rel] = nil
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
