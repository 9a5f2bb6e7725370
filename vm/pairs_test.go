package vm

import (
	"reflect"
	"testing"
)

func TestComparablePairs(t *testing.T) {
	tcg := func(rel string) KernelRun {
		return KernelRun{Release: rel, Kind: KindDebian, Dir: "kernels/" + rel, Accel: "tcg", Emulated: true, OK: true}
	}
	kvm := func(rel string) KernelRun {
		return KernelRun{Release: rel, Kind: KindPath, Dir: "kernels/" + rel, Accel: "kvm", OK: true}
	}
	host := KernelRun{Release: "6.18", Kind: KindHost, Dir: "kernels/6.18", Accel: "none", OK: true}
	failed := tcg("6.6")
	failed.OK = false
	for _, c := range []struct {
		name    string
		kernels []KernelRun
		want    [][2]int
	}{
		{"two emulated guests and the host", []KernelRun{tcg("6.1"), tcg("6.12"), host}, [][2]int{{0, 1}}},
		{"the host alone", []KernelRun{host}, nil},
		{"three emulated guests, every pair", []KernelRun{tcg("6.1"), tcg("6.6"), tcg("6.12")}, [][2]int{{0, 1}, {0, 2}, {1, 2}}},
		{"emulated and KVM guests apart", []KernelRun{tcg("6.1"), kvm("6.6"), tcg("6.12"), kvm("6.12k")}, [][2]int{{0, 2}, {1, 3}}},
		{"a guest that failed pairs with none", []KernelRun{tcg("6.1"), failed, tcg("6.12")}, [][2]int{{0, 2}}},
		{"one guest and the host: nothing to compare", []KernelRun{host, tcg("6.12")}, nil},
	} {
		if got := ComparablePairs(c.kernels); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: pairs %v, want %v", c.name, got, c.want)
		}
	}
}

func TestArgsForEmulatedMatrix(t *testing.T) {
	for _, c := range []struct {
		args  []string
		accel string
		want  []string
	}{
		{[]string{"matrix", "--preset", "quick"}, "tcg", []string{"matrix", "--emulated", "--preset", "quick"}},
		{[]string{"matrix", "--preset", "quick"}, "kvm", []string{"matrix", "--preset", "quick"}},
		{[]string{"matrix", "--emulated=false"}, "tcg", []string{"matrix", "--emulated=false"}},
		{[]string{"matrix", "-emulated"}, "tcg", []string{"matrix", "-emulated"}},
		{[]string{"matrix", "--file", "emulated.json"}, "tcg", []string{"matrix", "--emulated", "--file", "emulated.json"}},
		{[]string{"run", "--rate", "1000"}, "tcg", []string{"run", "--rate", "1000"}},
		{[]string{"claims"}, "tcg", []string{"claims"}},
	} {
		if got := argsFor(c.args, c.accel); !reflect.DeepEqual(got, c.want) {
			t.Errorf("argsFor(%q, %s) = %q, want %q", c.args, c.accel, got, c.want)
		}
	}
}
