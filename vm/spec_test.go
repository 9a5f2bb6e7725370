package vm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseSpec(t *testing.T) {
	dir := t.TempDir()
	img := filepath.Join(dir, "vmlinuz-6.9")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in   string
		want Spec
	}{
		{"host", Spec{Raw: "host", Kind: KindHost}},
		{"debian:6.1", Spec{Raw: "debian:6.1", Kind: KindDebian, Version: "6.1"}},
		{"debian:6.12", Spec{Raw: "debian:6.12", Kind: KindDebian, Version: "6.12"}},
		{"debian:6.12-rt", Spec{Raw: "debian:6.12-rt", Kind: KindDebian, Version: "6.12", Flavour: "rt"}},
		{"debian:6.1-cloud", Spec{Raw: "debian:6.1-cloud", Kind: KindDebian, Version: "6.1", Flavour: "cloud"}},
		{"debian:6.1.0-56", Spec{Raw: "debian:6.1.0-56", Kind: KindDebian, Version: "6.1.0-56"}},
		{"debian:6.12.117", Spec{Raw: "debian:6.12.117", Kind: KindDebian, Version: "6.12.117"}},
		{" debian:6.1 ", Spec{Raw: "debian:6.1", Kind: KindDebian, Version: "6.1"}},
		{"/boot/vmlinuz-6.18", Spec{Raw: "/boot/vmlinuz-6.18", Kind: KindPath, Image: "/boot/vmlinuz-6.18"}},
		{"./k/bzImage:/lib/modules/6.18", Spec{Raw: "./k/bzImage:/lib/modules/6.18", Kind: KindPath, Image: "./k/bzImage", Modules: "/lib/modules/6.18"}},
		{"vmlinuz:mods", Spec{Raw: "vmlinuz:mods", Kind: KindPath, Image: "vmlinuz", Modules: "mods"}},
		{img, Spec{Raw: img, Kind: KindPath, Image: img}},
		{img + ":" + dir, Spec{Raw: img + ":" + dir, Kind: KindPath, Image: img, Modules: dir}},
	} {
		got, err := parseSpec(c.in)
		if err != nil {
			t.Errorf("parseSpec(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("parseSpec(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
}

func TestParseSpecRejects(t *testing.T) {
	for _, in := range []string{"", "ubuntu:22.04", "debian:", "debian:six", "debian:6", "debian:6.1-foo",
		"debian:6.1-rt-rt", "6.1", "hostx", "latest", "/boot/vmlinuz:"} {
		_, err := parseSpec(in)
		if err == nil {
			t.Errorf("parseSpec(%q) accepted", in)
			continue
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("parseSpec(%q): error is not one line: %q", in, err)
		}
	}
}

func TestParseRelease(t *testing.T) {
	for _, c := range []struct {
		in           string
		major, minor int
		ok           bool
	}{
		{"6.12.117+deb12-amd64", 6, 12, true},
		{"6.1.0-56-amd64", 6, 1, true},
		{"5.4.0", 5, 4, true},
		{"6.18", 6, 18, true},
		{"6", 0, 0, false},
		{"x.y", 0, 0, false},
	} {
		ma, mi, ok := parseRelease(c.in)
		if ok != c.ok || (ok && (ma != c.major || mi != c.minor)) {
			t.Errorf("parseRelease(%q) = %d, %d, %v", c.in, ma, mi, ok)
		}
	}
}

func TestCheckRefusesOldKernels(t *testing.T) {
	for _, c := range []struct {
		rel string
		ok  bool
	}{{"4.19.0-20-amd64", false}, {"5.7.1", false}, {"5.8.0", true}, {"6.1.0-56-amd64", true}} {
		err := Check(Kernel{Spec: Spec{Raw: "x", Kind: KindPath}, Release: c.rel})
		if (err == nil) != c.ok {
			t.Errorf("Check(%s) = %v", c.rel, err)
		}
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte("CONFIG_BPF_SYSCALL=y\n# CONFIG_DEBUG_INFO_BTF is not set\n"), 0o644)
	err := Check(Kernel{Spec: Spec{Raw: "x", Kind: KindPath}, Release: "6.1.0", Config: cfg})
	if err == nil || !strings.Contains(err.Error(), "no BTF") {
		t.Errorf("a kernel without BTF: %v", err)
	}
}

func TestImageRelease(t *testing.T) {
	// A minimal setup header: "HdrS" at 0x202, the version string's offset
	// (minus 0x200) at 0x20e.
	b := make([]byte, 0x400)
	copy(b[0x202:], "HdrS")
	b[0x20e], b[0x20f] = 0x00, 0x01 // 0x100 + 0x200 = 0x300
	copy(b[0x300:], "6.12.117+deb12-amd64 (debian-kernel@lists.debian.org) #1 SMP\x00")
	p := filepath.Join(t.TempDir(), "vmlinuz")
	os.WriteFile(p, b, 0o644)
	rel, err := imageRelease(p)
	if err != nil || rel != "6.12.117+deb12-amd64" {
		t.Errorf("imageRelease = %q, %v", rel, err)
	}
	os.WriteFile(p, make([]byte, 0x400), 0o644)
	if _, err := imageRelease(p); err == nil {
		t.Error("a file without a setup header was accepted")
	}
}

func TestNewestPackage(t *testing.T) {
	names := []string{
		"linux-image-6.1.0-9-amd64-unsigned",
		"linux-image-6.1.0-56-amd64-unsigned",
		"linux-image-6.1.0-56-cloud-amd64-unsigned",
		"linux-image-6.1.0-56-rt-amd64-unsigned",
		"linux-image-6.1.0-47-amd64-unsigned",
		"linux-image-6.12.9+deb12-amd64-unsigned",
		"linux-image-6.12.117+deb12-amd64-unsigned",
		"linux-image-6.12.117+deb12-rt-amd64-unsigned",
		"linux-image-6.12.111+deb12-amd64-unsigned",
		"linux-image-6.10.1-amd64-unsigned",
	}
	for _, c := range []struct{ spec, want string }{
		{"debian:6.1", "linux-image-6.1.0-56-amd64-unsigned"},
		{"debian:6.1-rt", "linux-image-6.1.0-56-rt-amd64-unsigned"},
		{"debian:6.1-cloud", "linux-image-6.1.0-56-cloud-amd64-unsigned"},
		{"debian:6.1.0-47", "linux-image-6.1.0-47-amd64-unsigned"},
		{"debian:6.1.0-5", ""},
		{"debian:6.12", "linux-image-6.12.117+deb12-amd64-unsigned"},
		{"debian:6.12.111", "linux-image-6.12.111+deb12-amd64-unsigned"},
		{"debian:6.12-rt", "linux-image-6.12.117+deb12-rt-amd64-unsigned"},
		{"debian:6.10", "linux-image-6.10.1-amd64-unsigned"},
		{"debian:6.2", ""},
	} {
		s, err := parseSpec(c.spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := newestPackage(s, names); got != c.want {
			t.Errorf("newestPackage(%s) = %q, want %q", c.spec, got, c.want)
		}
	}
}
